/**
 * Lua scripts of the Redis bus. Each runs atomically on one topic's keys (all carry the same
 * `{topic}` hash tag, so they also live in one Redis Cluster slot).
 *
 * KEYS: [1] meta hash (epoch, seq) [2] log stream [3] ids sorted set (event id scored by seq)
 */

/**
 * ARGV: [1] channel [2] candidate epoch [3] history max [4] dedupe window, then (id, json) pairs.
 * Creates the epoch together with the history when the meta is missing (a lost history must never
 * continue an old epoch), appends each new event at stream id 0-<seq>, remembers its id, and
 * publishes `{"epoch","seq","event"}` on the channel. Returns {appended, duplicates}.
 */
export const PUBLISH_SCRIPT = `
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if not epoch then
  epoch = ARGV[2]
  redis.call('DEL', KEYS[2], KEYS[3])
  redis.call('HSET', KEYS[1], 'epoch', epoch, 'seq', 0)
end
local maxlen = tonumber(ARGV[3])
local window = tonumber(ARGV[4])
local appended = 0
local duplicates = 0
local seq = 0
for i = 5, #ARGV, 2 do
  local id = ARGV[i]
  if redis.call('ZSCORE', KEYS[3], id) then
    duplicates = duplicates + 1
  else
    seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
    redis.call('XADD', KEYS[2], 'MAXLEN', maxlen, string.format('0-%d', seq), 'e', ARGV[i + 1])
    redis.call('ZADD', KEYS[3], seq, id)
    redis.call('PUBLISH', ARGV[1], '{"epoch":"' .. epoch .. '","seq":' .. string.format('%d', seq) .. ',"event":' .. ARGV[i + 1] .. '}')
    appended = appended + 1
  end
end
if appended > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', seq - window)
end
return {appended, duplicates}
`;

/**
 * ARGV: [1] since seq [2] limit. Returns {epoch or '', head seq, first retained seq or 0, entries},
 * entries being XRANGE rows after `since`, read in the same atomic step as the head.
 */
export const HISTORY_SCRIPT = `
local meta = redis.call('HMGET', KEYS[1], 'epoch', 'seq')
if not meta[1] then
  return {'', 0, 0, {}}
end
local first = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)
local firstSeq = 0
if #first > 0 then
  firstSeq = tonumber(string.sub(first[1][1], 3))
end
local since = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local entries = {}
if limit > 0 and since < tonumber(meta[2]) and firstSeq > 0 and firstSeq <= since + 1 then
  entries = redis.call('XRANGE', KEYS[2], string.format('0-%d', since + 1), '+', 'COUNT', limit)
end
return {meta[1], tonumber(meta[2]), firstSeq, entries}
`;
