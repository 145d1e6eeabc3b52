import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateScopedSearchKey, storeSearchKey } from './scoped-key.ts';

// The worked example of Typesense's API-key documentation, also pinned in its official clients' tests.
const PARENT = 'RN23GFr1s6jQ9kgSNg2O7fYcAUXU7127';

describe('Typesense scoped search keys', () => {
  it('matches the documented example without expiry', () => {
    expect(generateScopedSearchKey(PARENT, { filter_by: 'company_id:124' })).toBe(
      'SC9sT0hncHFwTHNFc3U3d3psRDZBUGNXQUViQUdDNmRHSmJFQnNnczJ4VT1STjIzeyJmaWx0ZXJfYnkiOiJjb21wYW55X2lkOjEyNCJ9',
    );
  });

  it('matches the documented example with expires_at', () => {
    expect(generateScopedSearchKey(PARENT, { filter_by: 'company_id:124', expires_at: 1906054106 })).toBe(
      'OW9DYWZGS1Q1RGdSbmo0S1QrOWxhbk9PL2kxbTU1eXA3bCthdmE5eXJKRT1STjIzeyJmaWx0ZXJfYnkiOiJjb21wYW55X2lkOjEyNCIsImV4cGlyZXNfYXQiOjE5MDYwNTQxMDZ9',
    );
  });

  it('embeds the store and published filter, signed with the parent key', () => {
    const key = storeSearchKey(PARENT, '42', 2_000_000_000);
    const raw = Buffer.from(key, 'base64').toString('utf8');
    const digest = raw.slice(0, 44);
    expect(raw.slice(44, 48)).toBe('RN23');
    const params = raw.slice(48);
    expect(JSON.parse(params)).toEqual({
      filter_by: 'merchant_id:=`42` && published:=true',
      expires_at: 2_000_000_000,
    });
    expect(digest).toBe(createHmac('sha256', PARENT).update(params).digest('base64'));
    // a different store gets a different key
    expect(storeSearchKey(PARENT, '43', 2_000_000_000)).not.toBe(key);
  });
});
