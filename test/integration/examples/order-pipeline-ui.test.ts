// The order pipeline's traces as a person sees them: in the real Jaeger UI, in a real browser
// (Debian's Chromium). Runs the example as the demo does, opens the printed trace URLs, and checks what
// someone looking would check: services, span names in order, consumers nested under the producers of
// the other services, the poison order's errors, and the search page finding the trace by service.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { JAEGER_QUERY_URL } from '../../support/env';
import { SCREENSHOTS, browserSkip, launchBrowser } from '../../support/browser';

/** One row of the UI's trace timeline. */
interface Row {
  service: string;
  name: string;
  depth: number;
  error: boolean;
}

/** The timeline rows as rendered: service, operation, nesting depth (indent guides), error icon. */
async function timeline(page: Page, minRows: number): Promise<Row[]> {
  await page.locator('.span-row').nth(minRows - 1).waitFor({ timeout: 30000 });
  return page.$$eval('.span-row', (rows) =>
    rows.map((row) => ({
      service: row.querySelector('.span-svc-name')?.textContent?.trim() ?? '',
      name: row.querySelector('.endpoint-name')?.textContent?.trim() ?? '',
      depth: row.querySelectorAll('.SpanTreeOffset--indentGuide').length,
      error: row.querySelector('.SpanBarRow--errorIcon') !== null,
    })),
  );
}

/** The row a row is nested under: the closest row above it one level up. */
function parentOf(rows: Row[], i: number): Row | undefined {
  const row = rows[i] as Row;
  for (let j = i - 1; j >= 0; j--) if ((rows[j] as Row).depth === row.depth - 1) return rows[j];
  return undefined;
}

function indexOf(rows: Row[], service: string, name: string): number {
  const i = rows.findIndex((r) => r.service === service && r.name === name);
  assert.ok(i >= 0, `no "${name}" row of ${service} in the UI: ${JSON.stringify(rows.map((r) => `${r.service}: ${r.name}`))}`);
  return i;
}

/** Asserts `child` (a consumer) sits directly under `parent` (another service's producer). */
function assertNested(rows: Row[], parent: [string, string], child: [string, string]): void {
  const c = indexOf(rows, ...child);
  const p = parentOf(rows, c);
  assert.deepEqual(p && [p.service, p.name], parent, `"${child[1]}" (${child[0]}) is not nested under "${parent[1]}" (${parent[0]})`);
}

async function openTrace(page: Page, url: string): Promise<void> {
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  const placeholder = await page.getByText('This is not the Jaeger UI you are looking for', { exact: false }).count();
  assert.equal(placeholder, 0, 'Jaeger serves its placeholder page, not the UI: the UI was not built (see `npm run infra:status`)');
}

describe('examples/order-pipeline in the Jaeger UI (real Chromium)', { skip: browserSkip }, () => {
  let browser: Browser;
  let page: Page;
  let goodUrl = '';
  let poisonUrl = '';

  before(async () => {
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 800 } });
    const res = spawnSync(process.execPath, ['--import', 'tsx', 'examples/order-pipeline/run.ts'], {
      cwd: join(__dirname, '..', '..', '..'),
      encoding: 'utf8',
      timeout: 120000,
    });
    assert.equal(res.status, 0, `run.ts failed:\n${res.stdout}\n${res.stderr}`);
    const urls = [...res.stdout.matchAll(/Jaeger: (\S+\/trace\/[0-9a-f]{32})/g)].map((m) => m[1] as string);
    assert.equal(urls.length, 2, res.stdout);
    [goodUrl, poisonUrl] = urls as [string, string];
  });

  after(async () => {
    await browser?.close();
  });

  it('the paid order: the trace loads with every service, the spans in order, consumers under the producers', async () => {
    await openTrace(page, goodUrl);
    const rows = await timeline(page, 7);
    // Cut at the last row: the README shows this one.
    const last = await page.locator('.span-row').last().boundingBox();
    await page.screenshot({ path: join(SCREENSHOTS, 'order-paid.png'), clip: { x: 0, y: 0, width: 1400, height: Math.ceil((last?.y ?? 770) + (last?.height ?? 30)) + 1 } });
    assert.deepEqual([...new Set(rows.map((r) => r.service))].sort(), ['checkout', 'notifications', 'payments']);
    const chain: [string, string][] = [
      ['checkout', 'send orders'],
      ['payments', 'process orders'],
      ['payments', 'send payments'],
      ['notifications', 'process payments'],
    ];
    const at = chain.map((step) => indexOf(rows, ...step));
    assert.deepEqual([...at].sort((a, b) => a - b), at, `spans out of order: ${JSON.stringify(rows)}`);
    assertNested(rows, chain[0] as [string, string], chain[1] as [string, string]);
    assertNested(rows, chain[2] as [string, string], chain[3] as [string, string]);
    assert.equal(rows.filter((r) => r.error).length, 0, 'the paid order has no error');
    // The header counts the services as the rows show them.
    const header = (await page.locator('.TracePageHeader--overviewItems').textContent()) ?? '';
    assert.match(header, /Services\s*:?\s*3/, header);
  });

  it('the poison order: the failed charges show their error, the dead-letter send is in the same trace', async () => {
    await openTrace(page, poisonUrl);
    const rows = await timeline(page, 7);
    const failed = rows.filter((r) => r.error);
    assert.equal(failed.filter((r) => r.name === 'charge card').length, 3, JSON.stringify(rows));
    assertNested(rows, ['checkout', 'send orders'], ['payments', 'process orders']);
    indexOf(rows, 'payments', 'send orders.dlq');
    // Open the first failed charge: its exception is what a person reads to see what went wrong.
    await page.locator('.span-row', { has: page.locator('.SpanBarRow--errorIcon') }).first().locator('.span-name').click();
    await page.getByText('invalid amount', { exact: false }).first().waitFor({ timeout: 10000 });
    await page.screenshot({ path: join(SCREENSHOTS, 'order-poison.png') });
  });

  it('the search page finds the paid order by its service', async () => {
    const traceId = goodUrl.slice(-32);
    await page.goto(`${JAEGER_QUERY_URL}/search`, { waitUntil: 'domcontentloaded' });
    // Choose the service as a person does: open the Service drop-down, type, pick, Find Traces.
    await page.locator('.SearchForm--submit').waitFor();
    await page.locator('form .ant-select').first().click();
    await page.keyboard.type('checkout');
    await page.locator('.ant-select-item-option').filter({ hasText: /^checkout$/ }).click();
    await page.getByRole('button', { name: /find traces/i }).click();
    const result = page.locator(`.ResultItem:has(a[href$="/trace/${traceId}"])`);
    await result.waitFor({ timeout: 30000 });
    const services = await result.locator('.ResultItem--serviceTag').allTextContents();
    await page.screenshot({ path: join(SCREENSHOTS, 'search-checkout.png') });
    for (const s of ['checkout', 'payments', 'notifications']) assert.ok(services.some((t) => t.includes(s)), `${s} not in ${JSON.stringify(services)}`);
  });
});
