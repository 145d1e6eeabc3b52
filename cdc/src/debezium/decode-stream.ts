import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { DebeziumDecoder, KafkaRecord, SkipReason } from './decoder.ts';
import { asDecodeError } from './errors.ts';

/**
 * The decode-debezium CLI's loop, apart from process wiring so it can be tested in-process too.
 * Input: JSON lines `{"topic","partition","offset","key","value"}` (key/value: the raw Kafka record
 * strings or null). Output: one normalized change event per decodable record, as a JSON line.
 * Skipped records (tombstones, heartbeats, transaction metadata, logical messages) print nothing;
 * a line that is not a record or does not decode, for whatever reason, prints one line on `errors`
 * (with the record's topic[partition]@offset) and the run goes on. Only unreadable input throws.
 */
export interface DecodeStreamStats {
  lines: number;
  changes: number;
  skipped: Record<SkipReason, number>;
  bad: number;
}

export async function decodeDebeziumLines(
  input: Readable,
  output: Writable,
  errors: Writable,
  decoder: DebeziumDecoder,
): Promise<DecodeStreamStats> {
  const stats: DecodeStreamStats = {
    lines: 0,
    changes: 0,
    skipped: { tombstone: 0, heartbeat: 0, transaction: 0, message: 0 },
    bad: 0,
  };
  const write = async (stream: Writable, line: string) => {
    if (!stream.write(`${line}\n`)) await once(stream, 'drain');
  };
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  // readline's iterator just ends when its input fails; remember why and report it
  let inputError: Error | undefined;
  input.once('error', (error) => {
    inputError = error;
    lines.close();
  });
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    if (line.trim() === '') continue;
    stats.lines++;
    const record = readRecordLine(line);
    if (typeof record === 'string') {
      stats.bad++;
      await write(errors, `line ${lineNo}: not a record line: ${record}`);
      continue;
    }
    try {
      const result = decoder.decode(record);
      if (result.kind === 'change') {
        stats.changes++;
        await write(output, JSON.stringify(result.event));
      } else {
        stats.skipped[result.reason]++;
      }
    } catch (thrown) {
      // whatever went wrong with this record, it is one line and the run goes on
      const error = asDecodeError(thrown, record);
      stats.bad++;
      await write(errors, `line ${lineNo}: ${error.message}`);
    }
  }
  if (inputError) throw inputError;
  return stats;
}

/** Parses one input line; a string is the reason it is not a record. */
export function readRecordLine(line: string): KafkaRecord | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (error) {
    return `invalid JSON (${(error as Error).message})`;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'expected a JSON object';
  const r = parsed as Record<string, unknown>;
  if (typeof r.topic !== 'string' || r.topic === '') return 'topic must be a non-empty string';
  if (!Number.isInteger(r.partition) || (r.partition as number) < 0) return 'partition must be a non-negative integer';
  const offset = typeof r.offset === 'number' && Number.isSafeInteger(r.offset) ? String(r.offset) : r.offset;
  if (typeof offset !== 'string' || !/^\d+$/.test(offset)) return 'offset must be a non-negative integer (string)';
  for (const field of ['key', 'value'] as const) {
    if (r[field] !== null && typeof r[field] !== 'string') return `${field} must be a string or null`;
  }
  return {
    topic: r.topic,
    partition: r.partition as number,
    offset,
    key: r.key as string | null,
    value: r.value as string | null,
  };
}
