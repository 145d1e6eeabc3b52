/** Limits taken from real POS systems; the api enforces them and the schema backs them up. */
export const MAX_ORDER_LINES = 100;
export const MAX_LINE_QUANTITY = 9999;
