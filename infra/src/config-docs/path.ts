import { fileURLToPath } from 'node:url';

export const CONFIG_DOC_PATH = fileURLToPath(new URL('../../../docs/configuration.md', import.meta.url));
