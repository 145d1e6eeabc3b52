import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import type { DeviceRecord } from '../browser/device-store.ts';
import { DEVICE_KEY } from '../browser/device-store.ts';

/** Debian's Chromium with the flags the team uses everywhere. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** A tablet-sized window (landscape 1280×800, the common KDS size). */
export const TABLET = { width: 1280, height: 800 };

/** A fresh browser profile whose localStorage already holds a paired device. */
export async function screenFor(
  browser: Browser,
  device: DeviceRecord,
  viewport = TABLET,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
  await context.addInitScript(
    ([key, value]) => {
      if (!localStorage.getItem(key)) localStorage.setItem(key, value);
    },
    [DEVICE_KEY, JSON.stringify(device)] as const,
  );
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));
  return { context, page };
}

/** The connection badge's state word (`connected`, `reconnecting`, `recovered`, `reloaded`, …). */
export const connState = (page: Page) => page.locator('body').getAttribute('data-conn');
