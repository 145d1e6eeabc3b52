import { invalidQuery } from '../errors.ts';
import { type FieldSpec, fieldSpec } from '../schema.ts';
import type { ClauseNode, ClauseOp, FilterNode, FilterValue, Scalar } from './filter-ast.ts';

/**
 * Parses Typesense's filter_by syntax into a FilterNode, validating fields and value types
 * against the schema. Grammar:
 *   or     := and ('||' and)*
 *   and    := primary ('&&' primary)*
 *   primary:= '(' or ')' | field ':' op? (list | value)
 *   op     := '=' | '!=' | '>' | '>=' | '<' | '<='
 *   list   := '[' item (',' item)* ']'      item := value | number '..' number
 *   value  := '`' anything but backtick '`' | bare text up to && || ) , ]
 * Errors are 400s naming the position (0-based) and what was expected.
 */
export function parseFilter(input: string): FilterNode | null {
  if (input.trim() === '') return null;
  const parser = new Parser(input);
  const node = parser.parseOr();
  parser.skipSpace();
  if (!parser.atEnd()) parser.fail(`unexpected "${input[parser.pos]}"`);
  return node;
}

const FIELD_NAME = /[A-Za-z_][A-Za-z0-9_.]*/y;
const NUMBER = /^-?\d+(\.\d+)?$/;

class Parser {
  pos = 0;
  constructor(private readonly input: string) {}

  atEnd(): boolean {
    return this.pos >= this.input.length;
  }

  fail(message: string, at = this.pos): never {
    throw invalidQuery('search.filter_syntax', `filter_by: ${message} at position ${at}`, { position: at });
  }

  skipSpace(): void {
    while (this.pos < this.input.length && /\s/.test(this.input[this.pos]!)) this.pos++;
  }

  private peek(text: string): boolean {
    return this.input.startsWith(text, this.pos);
  }

  parseOr(): FilterNode {
    let left = this.parseAnd();
    for (;;) {
      this.skipSpace();
      if (!this.peek('||')) return left;
      const pos = this.pos;
      this.pos += 2;
      left = { kind: 'or', left, right: this.parseAnd(), pos };
    }
  }

  private parseAnd(): FilterNode {
    let left = this.parsePrimary();
    for (;;) {
      this.skipSpace();
      if (!this.peek('&&')) return left;
      const pos = this.pos;
      this.pos += 2;
      left = { kind: 'and', left, right: this.parsePrimary(), pos };
    }
  }

  private parsePrimary(): FilterNode {
    this.skipSpace();
    if (this.atEnd()) this.fail('expected a field name or "(" but the filter ended');
    if (this.peek('(')) {
      const open = this.pos;
      this.pos++;
      const inner = this.parseOr();
      this.skipSpace();
      if (!this.peek(')')) this.fail(`expected ")" to close "(" at position ${open}`);
      this.pos++;
      return inner;
    }
    return this.parseClause();
  }

  private parseClause(): ClauseNode {
    const start = this.pos;
    FIELD_NAME.lastIndex = this.pos;
    const m = FIELD_NAME.exec(this.input);
    if (!m) this.fail(`expected a field name but found "${this.input[this.pos]}"`);
    const field = m[0];
    this.pos += field.length;
    const spec = fieldSpec(field);
    if (!spec?.filter) {
      throw invalidQuery('search.unknown_field', `filter_by: unknown field "${field}" at position ${start}`, {
        position: start,
        field,
      });
    }
    this.skipSpace();
    if (!this.peek(':')) this.fail(`expected ":" after field "${field}"`);
    this.pos++;
    this.skipSpace();
    const op = this.parseOp();
    this.skipSpace();
    const valuesPos = this.pos;
    let values: FilterValue[];
    let list = false;
    if (this.peek('[')) {
      list = true;
      values = this.parseList(field, spec);
    } else {
      values = [this.parseScalar(field, spec, false)];
    }
    if (list && op !== 'match' && op !== 'eq' && op !== 'ne') this.fail(`a list cannot follow "${op}"`, valuesPos);
    if ((op === 'gt' || op === 'ge' || op === 'lt' || op === 'le') && spec.type !== 'int64') {
      throw invalidQuery(
        'search.field_type',
        `filter_by: comparison on non-numeric field "${field}" at position ${start}`,
        { position: start, field },
      );
    }
    return { kind: 'clause', field, op, values, list, pos: start };
  }

  private parseOp(): ClauseOp {
    for (const [token, op] of [
      ['!=', 'ne'],
      ['>=', 'ge'],
      ['<=', 'le'],
      ['=', 'eq'],
      ['>', 'gt'],
      ['<', 'lt'],
    ] as const) {
      if (this.peek(token)) {
        this.pos += token.length;
        return op;
      }
    }
    return 'match';
  }

  private parseList(field: string, spec: FieldSpec): FilterValue[] {
    const open = this.pos;
    this.pos++;
    const items: FilterValue[] = [];
    for (;;) {
      this.skipSpace();
      if (this.atEnd()) this.fail(`expected "]" to close "[" at position ${open}`);
      items.push(this.parseListItem(field, spec));
      this.skipSpace();
      if (this.peek(',')) {
        this.pos++;
        continue;
      }
      if (this.peek(']')) {
        this.pos++;
        return items;
      }
      this.fail(`expected "," or "]" in the list opened at position ${open}`);
    }
  }

  private parseListItem(field: string, spec: FieldSpec): FilterValue {
    const pos = this.pos;
    const first = this.parseScalar(field, spec, true);
    this.skipSpace();
    if (!this.peek('..')) return first;
    if (spec.type !== 'int64') {
      throw invalidQuery('search.field_type', `filter_by: range on non-numeric field "${field}" at position ${pos}`, {
        position: pos,
        field,
      });
    }
    this.pos += 2;
    this.skipSpace();
    const second = this.parseScalar(field, spec, true);
    const lo = first.kind === 'value' ? (first.value as number) : Number.NaN;
    const hi = second.kind === 'value' ? (second.value as number) : Number.NaN;
    if (lo > hi) this.fail(`range start ${lo} is greater than its end ${hi}`, pos);
    return { kind: 'range', lo, hi, pos };
  }

  /** A backtick-quoted or bare value, converted to the field's type. */
  private parseScalar(field: string, spec: FieldSpec, inList: boolean): FilterValue {
    const pos = this.pos;
    let raw: string;
    if (this.peek('`')) {
      const close = this.input.indexOf('`', this.pos + 1);
      if (close < 0) this.fail('unterminated "`"', pos);
      raw = this.input.slice(this.pos + 1, close);
      this.pos = close + 1;
    } else {
      let end = this.pos;
      // numbers and booleans end at whitespace; strings may contain inner spaces
      const wordOnly = spec.type === 'int64' || spec.type === 'bool';
      while (end < this.input.length) {
        const rest = this.input.slice(end);
        const ch = this.input[end]!;
        if (ch === ')' || rest.startsWith('&&') || rest.startsWith('||') || (wordOnly && /\s/.test(ch))) break;
        if (inList && (ch === ',' || ch === ']' || rest.startsWith('..'))) break;
        if (ch === '(' || ch === '[' || ch === '`' || (!inList && (ch === ',' || ch === ']'))) {
          this.fail(`unexpected "${ch}" in a value (quote it with backticks)`, end);
        }
        end++;
      }
      raw = this.input.slice(this.pos, end).trim();
      this.pos = end;
      if (raw === '') this.fail(`expected a value for "${field}"`, pos);
    }
    return { kind: 'value', value: convert(raw, field, spec, pos), pos };
  }
}

function convert(raw: string, field: string, spec: FieldSpec, pos: number): Scalar {
  if (spec.type === 'int64') {
    if (!NUMBER.test(raw)) {
      throw invalidQuery('search.field_type', `filter_by: "${field}" needs a number, got "${raw}" at position ${pos}`, {
        position: pos,
        field,
      });
    }
    return Number(raw);
  }
  if (spec.type === 'bool') {
    if (raw !== 'true' && raw !== 'false') {
      throw invalidQuery(
        'search.field_type',
        `filter_by: "${field}" needs true or false, got "${raw}" at position ${pos}`,
        { position: pos, field },
      );
    }
    return raw === 'true';
  }
  return raw;
}
