import { camelKeys, idField, intField, isRow, type Row, textField, timeField } from './rows.ts';

export type AlertKind = 'low' | 'out' | 'restocked';

export interface StockAlert {
  /** the domain event id (or `level:<variant>:<location>` for a level listed by the api) */
  id: string;
  kind: AlertKind;
  variantId: string;
  locationId: string;
  /** names carried by the event (cdc enriches them); null when unknown */
  sku: string | null;
  productName: string | null;
  variantName: string | null;
  locationName: string | null;
  onHand: number | null;
  reserved: number | null;
  available: number | null;
  threshold: number | null;
  at: number;
  acknowledged: boolean;
  /** a newer alert for the same SKU and location arrived: this one is history */
  superseded: boolean;
  /** from the api's current levels after a reload, not from a live crossing */
  fromSnapshot: boolean;
}

export interface StockFeed {
  alerts: readonly StockAlert[];
}

export type StockAction =
  | { type: 'event'; eventType: string; eventId: string; entity: unknown; occurredAt: number | null; now: number }
  | { type: 'ack'; id: string }
  | { type: 'ack-all' }
  /** current low / out levels from the api (after a reload, or when the page opens) */
  | { type: 'levels'; levels: unknown[]; now: number }
  /** acknowledgements this device remembers (kept in localStorage across reloads) */
  | { type: 'restore-acks'; acks: readonly AckRecord[] };

/**
 * What a device remembers of an acknowledgement. A live alert is matched by its event id; a level
 * listed by the api after a reload has no event id, so it counts as seen when the same SKU,
 * location and kind was acknowledged and the level has not changed since (its time ≤ the ack's).
 */
export interface AckRecord {
  id: string;
  key: string;
  at: number;
}

export const alertKey = (a: Pick<StockAlert, 'variantId' | 'locationId' | 'kind'>) =>
  `${a.variantId}:${a.locationId}:${a.kind}`;

export function ackRecord(alert: StockAlert): AckRecord {
  return { id: alert.id, key: alertKey(alert), at: alert.at };
}

function isAcked(alert: StockAlert, acks: readonly AckRecord[]): boolean {
  return acks.some(
    (ack) => ack.id === alert.id || (alert.fromSnapshot && ack.key === alertKey(alert) && ack.at >= alert.at),
  );
}

const KINDS: Record<string, AlertKind> = { 'stock.low': 'low', 'stock.out': 'out', 'stock.restocked': 'restocked' };
export const MAX_ALERTS = 200;

export function emptyStockFeed(): StockFeed {
  return { alerts: [] };
}

export function reduceStock(feed: StockFeed, action: StockAction): StockFeed {
  switch (action.type) {
    case 'event': {
      const kind = KINDS[action.eventType];
      if (!kind || feed.alerts.some((a) => a.id === action.eventId)) return feed;
      const alert = alertFromLevel(action.eventId, kind, action.entity, action.occurredAt ?? action.now, false);
      return alert ? add(feed, alert) : feed;
    }
    case 'ack':
      return {
        alerts: feed.alerts.map((a) => (a.id === action.id && !a.acknowledged ? { ...a, acknowledged: true } : a)),
      };
    case 'ack-all':
      return { alerts: feed.alerts.map((a) => (a.acknowledged ? a : { ...a, acknowledged: true })) };
    case 'restore-acks': {
      if (!feed.alerts.some((a) => !a.acknowledged && isAcked(a, action.acks))) return feed;
      return {
        alerts: feed.alerts.map((a) => (!a.acknowledged && isAcked(a, action.acks) ? { ...a, acknowledged: true } : a)),
      };
    }
    case 'levels': {
      let next = feed;
      for (const raw of action.levels) {
        if (!isRow(raw)) continue;
        const level = camelKeys(raw);
        const variantId = idField(level, 'variantId');
        const locationId = idField(level, 'locationId');
        if (!variantId || !locationId) continue;
        const numbers = levelNumbers(level);
        const kind: AlertKind | null =
          numbers.available === null || numbers.threshold === null
            ? null
            : numbers.available <= 0
              ? 'out'
              : numbers.available <= numbers.threshold
                ? 'low'
                : null;
        if (!kind) continue;
        const latest = next.alerts.find(
          (a) => a.variantId === variantId && a.locationId === locationId && !a.superseded,
        );
        if (latest && latest.kind === kind) continue; // the live feed already says so
        const alert = alertFromLevel(`level:${variantId}:${locationId}:${kind}`, kind, level, action.now, true);
        if (alert && !next.alerts.some((a) => a.id === alert.id)) next = add(next, alert);
      }
      return next;
    }
  }
}

function add(feed: StockFeed, alert: StockAlert): StockFeed {
  const older = feed.alerts.map((a) =>
    a.variantId === alert.variantId && a.locationId === alert.locationId && !a.superseded && a.at <= alert.at
      ? { ...a, superseded: true }
      : a,
  );
  const alerts = [alert, ...older].sort((a, b) => b.at - a.at);
  return { alerts: alerts.slice(0, MAX_ALERTS) };
}

function levelNumbers(row: Row) {
  const onHand = intField(row, 'onHand') ?? null;
  const reserved = intField(row, 'reserved') ?? null;
  // generated columns are not replicated: compute available when the row lacks it
  const available = intField(row, 'available') ?? (onHand !== null && reserved !== null ? onHand - reserved : null);
  const threshold = intField(row, 'lowStockThreshold') ?? intField(row, 'threshold') ?? null;
  return { onHand, reserved, available, threshold };
}

/** A stock alert event's entity (cdc's StockAlertEntity) or a level row from the api. */
function alertFromLevel(
  id: string,
  kind: AlertKind,
  raw: unknown,
  at: number,
  fromSnapshot: boolean,
): StockAlert | null {
  if (!isRow(raw)) return null;
  const entity = camelKeys(raw);
  const variantId = idField(entity, 'variantId');
  const locationId = idField(entity, 'locationId');
  if (!variantId || !locationId) return null;
  return {
    id,
    kind,
    variantId,
    locationId,
    sku: textField(entity, 'sku') ?? null,
    productName: textField(entity, 'productName') ?? null,
    variantName: textField(entity, 'variantName') ?? null,
    locationName: textField(entity, 'locationName') ?? null,
    ...levelNumbers(entity),
    at: fromSnapshot ? (timeField(entity, 'updatedAt') ?? at) : at,
    acknowledged: false,
    superseded: false,
    fromSnapshot,
  };
}

/** Alerts that still want a person's attention: the bell and the badge count these. */
export function unacknowledged(feed: StockFeed): StockAlert[] {
  return feed.alerts.filter((a) => !a.acknowledged && !a.superseded && a.kind !== 'restocked');
}
