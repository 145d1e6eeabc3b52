import { tokenSpans } from '../../text/tokenize.ts';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/**
 * Wraps matched words of `text` in <mark>; `marks` maps a normalized word to how many leading
 * characters matched (a typed prefix) or Infinity (the whole word). Everything else is escaped.
 */
export function highlight(text: string, marks: Map<string, number>): string {
  if (marks.size === 0) return escapeHtml(text);
  let out = '';
  let at = 0;
  for (const span of tokenSpans(text)) {
    const len = marks.get(span.token);
    if (len === undefined) continue;
    const original = text.slice(span.start, span.end);
    // partial marks only where normalization kept the length (no stripped accents)
    const cut =
      Number.isFinite(len) && original.length === span.token.length ? Math.min(len, original.length) : original.length;
    out += escapeHtml(text.slice(at, span.start));
    out += `<mark>${escapeHtml(original.slice(0, cut))}</mark>${escapeHtml(original.slice(cut))}`;
    at = span.end;
  }
  return out + escapeHtml(text.slice(at));
}
