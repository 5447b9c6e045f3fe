// Stops the browser tests at once, saying what to do, when there is no Chromium to drive.
import fs from 'node:fs';
import { chromiumPath } from './browser.js';

export default function setup(): void {
  const exe = chromiumPath();
  if (!fs.existsSync(exe)) {
    throw new Error(`Chromium is missing: no ${exe}. Install Debian's chromium (sudo apt-get install -y chromium), or point CHROMIUM_PATH at a Chromium; the dashboard's browser tests need it.`);
  }
}
