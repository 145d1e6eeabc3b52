export { createTestDatabase, type TestDatabase, testKeyPrefix, testRedisUrl, withDatabase } from './test-database.ts';
