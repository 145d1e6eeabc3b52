/** Money is always integer minor units (cents, pence, yen) with an ISO-4217 currency. */
export interface Money {
  amount: number;
  currency: string;
}

const CURRENCY = /^[A-Z]{3}$/;

export function money(amount: number, currency: string): Money {
  if (!Number.isSafeInteger(amount)) throw new RangeError(`money amount must be a safe integer, got ${amount}`);
  if (!CURRENCY.test(currency))
    throw new RangeError(`currency must be ISO-4217 (3 upper-case letters), got ${currency}`);
  return { amount, currency };
}

export function addMoney(a: Money, b: Money): Money {
  if (a.currency !== b.currency) throw new RangeError(`cannot add ${a.currency} to ${b.currency}`);
  return money(a.amount + b.amount, a.currency);
}

export function multiplyMoney(a: Money, quantity: number): Money {
  if (!Number.isSafeInteger(quantity)) throw new RangeError(`quantity must be an integer, got ${quantity}`);
  return money(a.amount * quantity, a.currency);
}
