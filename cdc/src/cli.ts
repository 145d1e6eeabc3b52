/**
 * cdc's command line. `npm run -s cdc -- <command> [options]` (`-s`: without it npm prints its
 * `> …` banner on stdout, which would not be JSON).
 *
 *   decode-debezium   read Kafka records of the Debezium PostgreSQL connector as JSON lines on stdin
 *                     ({"topic","partition","offset","key","value"}, key/value the raw record
 *                     strings), print one normalized change event per decodable record on stdout.
 *                     Skipped records print nothing; bad records print one line on stderr and the
 *                     run goes on. Exit 0 unless stdin cannot be read.
 */
import { fstatSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { validateColumnTypeMap } from './debezium/column-types.ts';
import type { DecimalMode, TimePrecisionMode } from './debezium/column-values.ts';
import { decodeDebeziumLines } from './debezium/decode-stream.ts';
import {
  createDebeziumDecoder,
  DEFAULT_HEARTBEAT_TOPIC_PREFIX,
  DEFAULT_UNAVAILABLE_VALUE_PLACEHOLDER,
} from './debezium/decoder.ts';

const USAGE = `usage: cdc <command> [options]

commands:
  decode-debezium   Debezium records (JSON lines on stdin) → normalized change events (JSON lines on stdout)
    --decimal-mode precise|string|double          the connector's decimal.handling.mode (default precise)
    --time-precision-mode adaptive|adaptive_time_microseconds|connect
                                                  the connector's time.precision.mode (default adaptive;
                                                  only used for records without schemas)
    --heartbeat-topic-prefix <prefix>             topic.heartbeat.prefix (default ${DEFAULT_HEARTBEAT_TOPIC_PREFIX})
    --unavailable-value-placeholder <text>        unavailable.value.placeholder (default ${DEFAULT_UNAVAILABLE_VALUE_PLACEHOLDER})
    --column-types <file.json>                    Postgres column types for schemas.enable=false records
                                                  ({"public.orders": {"id": "bigint", ...}})
    --stats                                       print a summary line on stderr at the end
`;

const DECIMAL_MODES: readonly DecimalMode[] = ['precise', 'string', 'double'];
const TIME_MODES: readonly TimePrecisionMode[] = ['adaptive', 'adaptive_time_microseconds', 'connect'];

function fail(message: string): never {
  process.stderr.write(`cdc: ${message}\n\n${USAGE}`);
  process.exit(2);
}

async function decodeDebezium(argv: string[]): Promise<void> {
  let values: ReturnType<typeof parseDecodeArgs>;
  try {
    values = parseDecodeArgs(argv);
  } catch (error) {
    fail((error as Error).message);
  }
  const decimalMode = values['decimal-mode'] as DecimalMode;
  if (!DECIMAL_MODES.includes(decimalMode)) fail(`--decimal-mode must be one of ${DECIMAL_MODES.join(', ')}`);
  const timePrecisionMode = values['time-precision-mode'] as TimePrecisionMode;
  if (!TIME_MODES.includes(timePrecisionMode)) fail(`--time-precision-mode must be one of ${TIME_MODES.join(', ')}`);
  let columnTypes: ReturnType<typeof validateColumnTypeMap> | undefined;
  if (values['column-types']) {
    try {
      columnTypes = validateColumnTypeMap(JSON.parse(readFileSync(values['column-types'], 'utf8')));
    } catch (error) {
      fail(`--column-types ${values['column-types']}: ${(error as Error).message}`);
    }
  }
  const decoder = createDebeziumDecoder({
    decimalMode,
    timePrecisionMode,
    heartbeatTopicPrefix: values['heartbeat-topic-prefix'],
    unavailableValuePlaceholder: values['unavailable-value-placeholder'],
    columnTypes,
  });
  // a closed stdout (`| head`) ends the run quietly
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  try {
    // process.stdin on a directory or a closed descriptor neither errors nor ends: check up front
    if (fstatSync(0).isDirectory()) throw new Error('stdin is a directory');
    const stats = await decodeDebeziumLines(process.stdin, process.stdout, process.stderr, decoder);
    if (values.stats) process.stderr.write(`decode-debezium: ${JSON.stringify(stats)}\n`);
  } catch (error) {
    process.stderr.write(`cdc decode-debezium: cannot read stdin: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}

function parseDecodeArgs(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    options: {
      'decimal-mode': { type: 'string', default: 'precise' },
      'time-precision-mode': { type: 'string', default: 'adaptive' },
      'heartbeat-topic-prefix': { type: 'string', default: DEFAULT_HEARTBEAT_TOPIC_PREFIX },
      'unavailable-value-placeholder': { type: 'string', default: DEFAULT_UNAVAILABLE_VALUE_PLACEHOLDER },
      'column-types': { type: 'string' },
      stats: { type: 'boolean', default: false },
    },
  }).values;
}

const [command, ...rest] = process.argv.slice(2);
switch (command) {
  case 'decode-debezium':
    await decodeDebezium(rest);
    break;
  case undefined:
  case '-h':
  case '--help':
  case 'help':
    process.stdout.write(USAGE);
    break;
  default:
    fail(`unknown command ${JSON.stringify(command)}`);
}
