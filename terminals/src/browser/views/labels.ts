/** Short words the screens show, in one place. */
export function whereLabel(tableLabel: string | null, channel: string): string {
  if (tableLabel) return /^\d+$/.test(tableLabel) ? `Table ${tableLabel}` : tableLabel;
  return channel === 'online' ? 'Online' : 'Counter';
}

export function agoLabel(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return 'just now';
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.floor(m / 60);
  return `${h} h ${m % 60} min ago`;
}

export function clockLabel(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}
