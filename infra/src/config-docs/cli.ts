import { writeFile } from 'node:fs/promises';
import { loadAllConfigs } from './configs.ts';
import { CONFIG_DOC_PATH } from './path.ts';
import { renderConfigDocs } from './render.ts';

await writeFile(CONFIG_DOC_PATH, renderConfigDocs(await loadAllConfigs()));
console.log(`wrote ${CONFIG_DOC_PATH}`);
