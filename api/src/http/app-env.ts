import type { Principal } from '@commerce/common';
import type { Authenticator } from '../auth/authenticator.ts';

/** What middleware puts on the request context. */
export interface AppVariables {
  authenticator: Authenticator;
  principal: Principal;
}

export type AppEnv = { Variables: AppVariables };
