import { toast } from '../dom.ts';
import { runKitchenScreen } from '../kitchen-screen.ts';
import { bootScreen } from '../screen-shell.ts';

const screen = bootScreen(['kds'], '/expo');
if (screen) runKitchenScreen(screen, 'expo').catch((error) => toast(`This screen cannot start: ${error.message}`));
