/**
 * A token bucket for client messages, two numbers per connection: `burst` messages at once,
 * refilled at `perSecond`. Returns false when the message must be refused.
 */
export interface Bucket {
  tokens: number;
  at: number;
}

export function takeToken(bucket: Bucket, now: number, perSecond: number, burst: number): boolean {
  bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
  bucket.at = now;
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  return true;
}
