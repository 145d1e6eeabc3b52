import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChangeEvent } from '@commerce/common';
import type { DebeziumDecoderOptions, KafkaRecord, SkipReason } from './decoder.ts';
import { isLosslessObject, type LosslessValue, parseLosslessJson, stringifyLosslessJson } from './lossless-json.ts';
import type { TransactionBoundary, TransactionMember } from './transaction-metadata.ts';

/**
 * Recorded-format fixtures (fixtures/*.fixture.json): one Kafka record each, key and value written
 * as JSON for readability (or `valueText` for bytes that are not JSON), with the expected outcome.
 * The file is read with the lossless parser and key/value are re-serialized with their number text
 * untouched, so a 2^53+1 in a fixture reaches the decoder as 2^53+1.
 */
export type FixtureExpectation =
  | { kind: 'change'; event: ChangeEvent; transaction?: TransactionMember }
  | {
      kind: 'skipped';
      reason: SkipReason;
      detail?: string;
      transaction?: TransactionMember;
      boundary?: TransactionBoundary;
    }
  | { kind: 'error'; reason: string; transaction?: TransactionMember };

export interface DecoderFixture {
  name: string;
  description: string;
  options: DebeziumDecoderOptions;
  record: KafkaRecord;
  expect: FixtureExpectation;
}

export const FIXTURE_DIR = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

function rawText(value: LosslessValue | undefined, text: LosslessValue | undefined): string | null {
  if (typeof text === 'string') return text;
  if (value === undefined || value === null) return null;
  return stringifyLosslessJson(value);
}

export function loadFixture(file: string): DecoderFixture {
  const text = readFileSync(join(FIXTURE_DIR, file), 'utf8');
  const plain = JSON.parse(text) as {
    description: string;
    options?: DebeziumDecoderOptions;
    expect: FixtureExpectation;
  };
  const lossless = parseLosslessJson(text);
  if (!isLosslessObject(lossless) || !isLosslessObject(lossless.record)) throw new Error(`${file}: no record`);
  const r = lossless.record;
  return {
    name: file.replace(/\.fixture\.json$/, ''),
    description: plain.description,
    options: plain.options ?? {},
    record: {
      topic: String(r.topic),
      partition: Number(stringifyLosslessJson(r.partition ?? null)),
      offset: String(r.offset),
      key: rawText(r.key, r.keyText),
      value: rawText(r.value, r.valueText),
    },
    expect: plain.expect,
  };
}

export function loadFixtures(): DecoderFixture[] {
  return readdirSync(FIXTURE_DIR)
    .filter((f) => f.endsWith('.fixture.json'))
    .sort()
    .map(loadFixture);
}
