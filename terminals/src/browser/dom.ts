import { elapsedSince, formatElapsed, type TimerThresholds, urgency } from '../state/ticket-timer.ts';
import type { SafeHtml } from './views/html.ts';
import { agoLabel } from './views/labels.ts';

/** The thin DOM layer: put view HTML on the page with as little churn as possible. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} missing from the page`);
  return el as T;
}

const rendered = new WeakMap<Element, string>();

/**
 * Children keyed by `data-key`: an element is replaced only when its HTML changed, and moved only
 * when its place changed, so a card under someone's finger is not swapped out by the clock.
 */
export function renderKeyed(container: HTMLElement, items: ReadonlyArray<{ key: string; html: SafeHtml }>): void {
  const existing = new Map<string, Element>();
  for (const child of Array.from(container.children)) {
    const key = (child as HTMLElement).dataset.key;
    if (key) existing.set(key, child);
    else child.remove();
  }
  let index = 0;
  for (const { key, html } of items) {
    let el = existing.get(key);
    const markup = html.toString();
    if (!el || rendered.get(el) !== markup) {
      const fresh = fromHtml(markup);
      fresh.dataset.key = key;
      rendered.set(fresh, markup);
      if (el) el.replaceWith(fresh);
      el = fresh;
    }
    existing.delete(key);
    // children before `index` already match the items before this one
    const at = container.children[index] ?? null;
    if (at !== el) container.insertBefore(el, at);
    index++;
  }
  for (const el of existing.values()) el.remove();
}

export function setHtml(container: HTMLElement, html: SafeHtml): void {
  const markup = html.toString();
  if (rendered.get(container) === markup) return;
  rendered.set(container, markup);
  container.innerHTML = markup;
}

function fromHtml(markup: string): HTMLElement {
  const template = document.createElement('template');
  template.innerHTML = markup.trim();
  const el = template.content.firstElementChild;
  if (!(el instanceof HTMLElement)) throw new Error('view rendered no element');
  return el;
}

/**
 * Once a second: timers and colours move without re-rendering cards. The markup cache of a card
 * is not updated here, so the next real change re-renders it from state.
 */
export function tickTimers(root: ParentNode, now: number, thresholds: TimerThresholds | null): void {
  for (const el of Array.from(root.querySelectorAll<HTMLElement>('.timer[data-since]'))) {
    el.textContent = formatElapsed(elapsedSince(Number(el.dataset.since), now));
  }
  if (thresholds) {
    for (const card of Array.from(root.querySelectorAll<HTMLElement>('.ticket[data-since]'))) {
      const u = urgency(elapsedSince(Number(card.dataset.since), now), thresholds);
      for (const c of ['u-ok', 'u-warn', 'u-late']) card.classList.toggle(c, c === `u-${u}`);
    }
  }
  for (const el of Array.from(root.querySelectorAll<HTMLElement>('[data-ago]'))) {
    el.textContent = agoLabel(now - Number(el.dataset.ago));
  }
}

/** Coalesces many state changes into one render per frame. */
export function scheduler(render: () => void): () => void {
  let queued = false;
  return () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      render();
    });
  };
}

let toastTimer: ReturnType<typeof setTimeout> | undefined;

/** A short message at the bottom of the screen (a failed action, a hint). */
export function toast(message: string, tone: 'bad' | 'info' = 'bad'): void {
  const el = document.getElementById('toast');
  if (!el) return;
  el.textContent = message;
  el.className = `toast tone-${tone}`;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    el.hidden = true;
  }, 6000);
}
