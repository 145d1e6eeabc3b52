import { toast } from '../dom.ts';
import { runKitchenScreen } from '../kitchen-screen.ts';
import { bootScreen } from '../screen-shell.ts';

const screen = bootScreen(['kds'], '/kds');
if (screen) runKitchenScreen(screen, 'station').catch((error) => toast(`This screen cannot start: ${error.message}`));
