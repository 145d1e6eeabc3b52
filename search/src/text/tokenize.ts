/**
 * Text → lowercase tokens without diacritics, split on anything that is not a letter or digit.
 * The same function tokenizes documents and queries, so "Crème Brûlée" matches "creme brulee".
 */
const SPLIT = /[^\p{L}\p{N}]+/u;
const MARKS = /\p{M}+/gu;

export function normalize(text: string): string {
  return text.normalize('NFKD').replace(MARKS, '').toLowerCase();
}

export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const token of normalize(text).split(SPLIT)) if (token !== '') out.push(token);
  return out;
}

/** Token spans in the original text (for highlighting), with the normalized token. */
export interface TokenSpan {
  token: string;
  start: number;
  end: number;
}

const WORD = /[\p{L}\p{N}\p{M}]+/gu;

export function tokenSpans(text: string): TokenSpan[] {
  const spans: TokenSpan[] = [];
  for (const m of text.matchAll(WORD)) {
    const token = normalize(m[0]);
    if (token !== '') spans.push({ token, start: m.index, end: m.index + m[0].length });
  }
  return spans;
}
