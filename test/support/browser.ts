// A real browser for the UI tests: Debian's Chromium (`apt-get install chromium`), driven by
// playwright-core. Playwright's own browser download cannot be reached from these machines.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where the UI tests save their screenshots (git-ignored). */
export const SCREENSHOTS = join(__dirname, '..', '..', 'test-results', 'screenshots');

const missing = `no Chromium at ${CHROMIUM_PATH}: install it with \`apt-get install chromium\` (bash .ci/run does), or set CHROMIUM_PATH`;

/**
 * Why the browser tests cannot run here, or false. Locally a missing Chromium skips them with that
 * reason; in CI (CI set) it never skips: the test fails with the same message instead.
 */
export const browserSkip: string | false = !existsSync(CHROMIUM_PATH) && !process.env.CI ? missing : false;

/** Launches headless Chromium; throws the install hint when there is none. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(missing);
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ['--disable-gpu'] });
}
