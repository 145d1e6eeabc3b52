import { engineContract } from '../engine-contract.ts';
import { EmbeddedEngine } from './embedded-engine.ts';

engineContract('embedded', async () => new EmbeddedEngine());
