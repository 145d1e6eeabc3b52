import type { FilterNode, FilterValue } from './filter-ast.ts';
import { OP_TOKENS } from './filter-ast.ts';

/**
 * Serializes a validated filter back to Typesense syntax. String values are always backtick-quoted
 * (the parser refuses backticks inside values), and every boolean node is parenthesized, so the
 * result means exactly what the tree means, whatever the user's spacing or quoting was.
 */
export function toTypesenseFilter(node: FilterNode): string {
  if (node.kind !== 'clause') {
    const op = node.kind === 'and' ? ' && ' : ' || ';
    return `(${toTypesenseFilter(node.left)}${op}${toTypesenseFilter(node.right)})`;
  }
  const values = node.values.map(formatValue);
  const rhs = node.list ? `[${values.join(', ')}]` : values[0]!;
  return `${node.field}:${OP_TOKENS[node.op]}${rhs}`;
}

function formatValue(value: FilterValue): string {
  if (value.kind === 'range') return `${value.lo}..${value.hi}`;
  return typeof value.value === 'string' ? `\`${value.value}\`` : String(value.value);
}

/** The filter every query of a store carries, ANDed in front of the shopper's own. */
export function storeScopeFilter(merchantId: string): string {
  return `merchant_id:=\`${merchantId}\` && published:=true`;
}
