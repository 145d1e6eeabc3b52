export { type TerminalsConfig, terminalsConfigSchema } from './config.ts';
export { TerminalsError } from './errors.ts';
export { bundlePages, PAGE_ENTRIES, type PageName } from './server/bundle.ts';
export {
  createTerminalRoutes,
  type HubInfo,
  PAGE_PATHS,
  type TerminalPages,
  type TerminalRoutesDeps,
} from './server/terminal-routes.ts';
