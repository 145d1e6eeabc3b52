import { topics } from '@commerce/common';
import {
  emptyOrderBoard,
  type OrderAction,
  type OrderBoard,
  orderColumns,
  reduceOrders,
} from '../../state/order-board.ts';
import { byId, renderKeyed, scheduler, setHtml, toast } from '../dom.ts';
import { bootScreen, type Screen } from '../screen-shell.ts';
import { html } from '../views/html.ts';
import { orderCard } from '../views/order-view.ts';

/** The POS order board: the branch's live orders by status, with totals and payment state. */
function run(screen: Screen): void {
  const { device, api } = screen;
  const branchId = device.branchId;
  if (!branchId) throw new Error('a POS board needs a branch');
  let board: OrderBoard = emptyOrderBoard(branchId);

  const render = scheduler(() => {
    const now = screen.now();
    const columns = orderColumns(board, now);
    for (const name of ['open', 'paid', 'done'] as const) {
      renderKeyed(
        byId(`col-${name}`),
        columns[name].map((o) => ({ key: `o${o.id}`, html: orderCard(o, now) })),
      );
      setHtml(byId(`count-${name}`), html`${columns[name].length}`);
    }
  });
  const dispatch = (action: OrderAction) => {
    const before = board;
    board = reduceOrders(board, action);
    if (board !== before) render();
  };
  // finished orders leave the board after a while even if nothing else happens
  let minute = 0;
  screen.onTick((now) => {
    if (Math.floor(now / 60_000) !== minute) {
      minute = Math.floor(now / 60_000);
      render();
    }
  });

  screen.live({
    topics: [topics.orders(device.merchantId, branchId)],
    async load() {
      const page = await api.orders({ branch_id: branchId, limit: 100 });
      dispatch({ type: 'snapshot', orders: page.items });
      render();
    },
    apply(event) {
      dispatch({ type: 'event', eventType: event.event.type, entity: event.event.entity });
    },
  });
  render();
}

const screen = bootScreen(['pos'], '/pos');
if (screen) {
  try {
    run(screen);
  } catch (error) {
    toast(`This screen cannot start: ${(error as Error).message}`);
  }
}
