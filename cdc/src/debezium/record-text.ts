/**
 * The JsonConverter writes `{"schema":{...},"payload":{...}}` with the (large, repeated) schema
 * first. Splitting the text lets the decoder parse each distinct schema once and only the payload
 * per record. Anything not in exactly that shape returns null and is parsed whole.
 */
const SCHEMA_HEAD = '{"schema":';
const PAYLOAD_HEAD = ',"payload":';

export function splitSchemaPayload(text: string): { schemaText: string; payloadText: string } | null {
  if (!text.startsWith(SCHEMA_HEAD)) return null;
  const schemaStart = SCHEMA_HEAD.length;
  const schemaEnd = endOfValue(text, schemaStart);
  if (schemaEnd < 0 || !text.startsWith(PAYLOAD_HEAD, schemaEnd)) return null;
  const payloadStart = schemaEnd + PAYLOAD_HEAD.length;
  const payloadEnd = endOfValue(text, payloadStart);
  if (payloadEnd !== text.length - 1 || text[payloadEnd] !== '}') return null;
  return { schemaText: text.slice(schemaStart, schemaEnd), payloadText: text.slice(payloadStart, payloadEnd) };
}

/** Index just past the object/array/literal starting at `start`, or -1; strings are skipped whole. */
function endOfValue(text: string, start: number): number {
  const first = text[start];
  if (first !== '{' && first !== '[') {
    // a scalar (null schema or payload): up to the next , or }
    let i = start;
    while (i < text.length && text[i] !== ',' && text[i] !== '}') i++;
    return i === start ? -1 : i;
  }
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // skip the string, honouring backslash escapes
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}
