import type { ProductDocument } from '../document.ts';
import { normalize, tokenize } from '../text/tokenize.ts';
import type { ClauseNode, FilterNode, FilterValue } from './filter-ast.ts';

export type DocPredicate = (doc: ProductDocument) => boolean;

/**
 * Compiles a validated filter to a predicate for the embedded engine. Semantics follow Typesense:
 * `field:=v` exact (case-insensitive here), `field:v` on a string matches when every token of v is
 * a token of the field, lists mean "any of", `!=` means "none of", ranges are inclusive; a string[]
 * field matches when any element does.
 */
export function compileFilter(node: FilterNode): DocPredicate {
  if (node.kind === 'clause') return compileClause(node);
  if (node.kind === 'and') {
    const l = compileFilter(node.left);
    const r = compileFilter(node.right);
    return (d) => l(d) && r(d);
  }
  const l = compileFilter(node.left);
  const r = compileFilter(node.right);
  return (d) => l(d) || r(d);
}

type Field = keyof ProductDocument;

function compileClause(node: ClauseNode): DocPredicate {
  const field = node.field as Field;
  const first = node.values[0]!;
  switch (node.op) {
    case 'gt':
    case 'ge':
    case 'lt':
    case 'le': {
      const bound = (first as Extract<FilterValue, { kind: 'value' }>).value as number;
      const cmp = {
        gt: (x: number) => x > bound,
        ge: (x: number) => x >= bound,
        lt: (x: number) => x < bound,
        le: (x: number) => x <= bound,
      }[node.op];
      return (d) => typeof d[field] === 'number' && cmp(d[field] as number);
    }
    case 'ne': {
      const any = anyOf(node.values, true);
      return (d) => !elements(d[field]).some(any);
    }
    case 'eq': {
      const any = anyOf(node.values, true);
      return (d) => elements(d[field]).some(any);
    }
    case 'match': {
      const any = anyOf(node.values, false);
      return (d) => elements(d[field]).some(any);
    }
  }
}

function elements(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  return value === null || value === undefined ? [] : [value];
}

/** A test for one element of a field against any of the clause's values. */
function anyOf(values: FilterValue[], exact: boolean): (element: unknown) => boolean {
  const tests = values.map((v): ((e: unknown) => boolean) => {
    if (v.kind === 'range') return (e) => typeof e === 'number' && e >= v.lo && e <= v.hi;
    const want = v.value;
    if (typeof want === 'number' || typeof want === 'boolean') return (e) => e === want;
    if (exact) {
      const norm = normalize(want);
      return (e) => typeof e === 'string' && normalize(e) === norm;
    }
    const wantTokens = tokenize(want);
    return (e) => {
      if (typeof e !== 'string') return false;
      const have = new Set(tokenize(e));
      return wantTokens.every((t) => have.has(t));
    };
  });
  return tests.length === 1 ? tests[0]! : (e) => tests.some((t) => t(e));
}
