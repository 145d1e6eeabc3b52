/** Minor units → "$12.50" in the merchant's currency, using the currency's own decimals. */
export function formatMoney(money: { amount: number; currency: string } | null, locale = 'en-US'): string {
  if (!money) return '—';
  try {
    const format = new Intl.NumberFormat(locale, { style: 'currency', currency: money.currency });
    const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
    return format.format(money.amount / 10 ** digits);
  } catch {
    return `${money.amount} ${money.currency}`;
  }
}
