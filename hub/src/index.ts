export { authorizeTopic, type Verdict } from './authorize.ts';
export * from './bus/index.ts';
export { type HubConfig, hubConfigSchema } from './config.ts';
export {
  createHub,
  DEFAULT_HUB_SETTINGS,
  type Hub,
  type HubDeps,
  type HubSettings,
  settingsFromConfig,
} from './create-hub.ts';
export { HubError } from './errors.ts';
export {
  createRevocationList,
  NEVER_REVOKED,
  type RevocationCheck,
  type RevocationMatch,
} from './revocation.ts';
export { createPostgresRevocationCheck } from './revocation-postgres.ts';
