// Chromium for the browser tests: Debian's /usr/bin/chromium (or CHROMIUM_PATH) driven by
// playwright-core, which downloads no browser of its own.
import { chromium, type Browser } from 'playwright-core';

export const chromiumPath = (): string => process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
