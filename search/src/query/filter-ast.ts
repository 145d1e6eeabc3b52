/**
 * filter_by, parsed once: a small tree validated against the schema, then either serialized back
 * to Typesense syntax (filter-typesense.ts) or compiled to a predicate (filter-compile.ts).
 * `pos` is the 0-based character offset in the original filter string (for error messages).
 */
export type Scalar = string | number | boolean;

export type ClauseOp = 'match' | 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';

export type FilterValue =
  | { kind: 'value'; value: Scalar; pos: number }
  | { kind: 'range'; lo: number; hi: number; pos: number };

export interface ClauseNode {
  kind: 'clause';
  field: string;
  op: ClauseOp;
  /** one value, or a `[..]` list (any of); ranges only appear inside lists */
  values: FilterValue[];
  list: boolean;
  pos: number;
}

export interface BoolNode {
  kind: 'and' | 'or';
  left: FilterNode;
  right: FilterNode;
  pos: number;
}

export type FilterNode = ClauseNode | BoolNode;

export const OP_TOKENS: Record<ClauseOp, string> = {
  match: '',
  eq: '=',
  ne: '!=',
  gt: '>',
  ge: '>=',
  lt: '<',
  le: '<=',
};
