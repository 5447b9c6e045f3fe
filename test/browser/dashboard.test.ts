// The dashboard in a real browser against a real agent: `dropwise start` (the built CLI, its own
// process) on real folders, its connection the sandbox started here. Files are dropped into the inbox
// and everything else is done in the page: the run appears and opens, the runs filter, a failed record
// opens, its records are retried after the sandbox is fixed and succeed; pause, resume, run a task now.
// Screenshots of the main pages go to test-artifacts/dashboard/ (git-ignored) to be looked at.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxConnections } from '../../src/commands/embedded-sandbox.js';
import { ROOT, finished, spawnCli, type CliResult } from '../support/cli.js';
import { useSandbox, type Sandbox } from '../support/sandbox.js';
import { filesUnder, makeTempDir, waitFor } from '../support/workspace.js';
import { launchChromium } from './browser.js';

const SHOTS = path.join(ROOT, 'test-artifacts', 'dashboard');

let sandbox: Sandbox;
let browser: Browser;
let agent: { child: ChildProcess; done: Promise<CliResult> };
let dir: string;
let base: string;
let missingInvoice: number;

const payment = (invoice: number, externalId: string, amount: string) =>
  `  <InvoicePayment>\n    <externalId>${externalId}</externalId>\n    <invoice>\n      <id>${invoice}</id>\n    </invoice>\n    <amount>${amount}</amount>\n    <paymentDate>2026-01-05T00:00:00Z</paymentDate>\n  </InvoicePayment>\n`;
const paymentsFile = (...records: string[]) => `<?xml version="1.0" encoding="utf-8"?>\n<InvoicePayments>\n${records.join('')}</InvoicePayments>\n`;

async function drop(name: string, text: string): Promise<void> {
  const tmp = path.join(dir, 'inbox', `.${name}.part`);
  await fs.writeFile(tmp, text);
  await fs.rename(tmp, path.join(dir, 'inbox', name));
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

/** Clicks a button that asks first, and confirms in the dialog. */
async function confirmClick(page: Page, button: ReturnType<Page['locator']>): Promise<void> {
  await button.click();
  await page.locator('#confirm[open]').waitFor();
  await page.locator('#confirm-ok').click();
}

beforeAll(async () => {
  await fs.mkdir(SHOTS, { recursive: true });
  sandbox = await useSandbox();
  missingInvoice = Math.max(...sandbox.control.invoices().map((i) => Number(i['id']))) + 1;
  dir = await makeTempDir('dropwise-dashboard-');
  const config = path.join(dir, 'dropwise.json');
  await fs.writeFile(
    config,
    JSON.stringify({
      watch: { stabilityMs: 200, sweepMs: 300 },
      log: { file: 'logs/dropwise.log', console: false },
      sandbox: { mode: 'off' },
      connections: { main: { ...sandboxConnections(sandbox).sandbox } },
      tasks: { 'new-invoices': { type: 'connectwise.export-invoices', schedule: '0 2 * * *', settings: { exportMode: 'New', outputFile: 'new-invoices.xml' } } },
    }),
  );
  const child = spawnCli(['start', '--config', config]);
  agent = { child, done: finished(child) };
  const agentFile = path.join(dir, 'work', 'agent.json');
  await waitFor(async () => (await fs.stat(agentFile).catch(() => undefined)) !== undefined || child.exitCode !== null, 30_000, () => 'the agent to write work/agent.json');
  base = (JSON.parse(await fs.readFile(agentFile, 'utf8')) as { api: string }).api;
  browser = await launchChromium();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  agent?.child.kill('SIGTERM');
  const result = await agent?.done;
  if (result && result.code !== 0) console.error(result.stderr);
  await sandbox?.close();
});

describe('the dashboard in Chromium', () => {
  it('shows a partial import, its failed record, retries only that record once the sandbox is fixed, and it succeeds', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${base}/`);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.getByText('✓ Healthy').waitFor();
    await shot(page, 'overview');

    await drop('payments-jan.xml', paymentsFile(payment(101, 'PAY-J1', '10'), payment(missingInvoice, 'PAY-J2', '20'), payment(102, 'PAY-J3', '30')));
    await page.goto(`${base}/ui/#/runs`);
    const row = page.locator('#runs tbody tr', { hasText: 'payments-jan.xml' });
    await waitFor(async () => {
      await page.reload();
      return (await row.count()) === 1 && (await row.textContent())?.includes('Partial') === true;
    }, 60_000, () => 'the partial run of payments-jan.xml in the runs list');
    await shot(page, 'runs');

    // Filters: by status and by file name; a filter that matches nothing says so.
    await page.selectOption('select[name=status]', 'partial');
    await page.fill('input[name=file]', 'jan');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/status=partial/);
    await expect.poll(() => page.locator('#runs tbody tr').count()).toBe(1);
    await page.selectOption('select[name=status]', 'failed');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByText('No run matches.').waitFor();
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.locator('#runs tbody tr', { hasText: 'payments-jan.xml' }).locator('a').click();

    // The run's page: facts, outputs with links, its log lines, and the retry of its failed records.
    await page.getByRole('heading', { name: 'Run of payments-jan.xml' }).waitFor();
    const body = await page.locator('main').textContent();
    expect(body).toContain('3 in · 2 ok · 1 failed');
    expect(body).toContain('payments-jan_fail.xml');
    expect(body).toContain('payments-jan_success.xml');
    expect(body).not.toContain(sandbox.connectwise.privateKey);
    expect(await page.locator('main table tbody tr').count()).toBeGreaterThan(0);
    const view = await page.request.get(`${base}/api/dashboard/file?file=fail/payments-jan_fail.xml`);
    expect(await view.text()).toContain(`<id>${missingInvoice}</id>`);
    await shot(page, 'run');

    // The failed records page finds it by externalId; its page shows the record next to its errors.
    await page.getByRole('link', { name: 'See the 1 failed record(s)' }).click();
    await page.getByText(/^Only run /).waitFor();
    await page.getByRole('link', { name: 'Failed records', exact: true }).click();
    await page.getByText(/^Only run /).waitFor({ state: 'detached' });
    await page.fill('input[name=text]', 'PAY-J2');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/text=PAY-J2/);
    await expect.poll(() => page.locator('#failures tbody tr').count()).toBe(1);
    await shot(page, 'failed-records');
    await page.locator('#failures tbody tr a').click();
    await page.locator('#record-xml').waitFor();
    const xml = (await page.locator('#record-xml').textContent()) ?? '';
    expect(xml).toContain('<externalId>PAY-J2</externalId>');
    expect(xml).not.toContain('<errors>');
    expect(await page.locator('.error-box').first().textContent()).toMatch(/DW_CW_\w+/);
    await shot(page, 'record');

    // Fix the sandbox (the invoice now exists), then retry only the failed record, from the page.
    const added = await fetch(`${sandbox.url}/_sandbox/invoices`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(((await added.json()) as { id: number }).id).toBe(missingInvoice);
    await confirmClick(page, page.getByRole('button', { name: 'Retry the failed records of this run' }));
    await page.getByText(/✓ Done: 1 failed record\(s\) of payments-jan.xml are in the inbox as payments-jan.retry-\w{8}.xml/).waitFor();
    await page.goto(`${base}/ui/#/runs?file=retry`);
    const retried = page.locator('#runs tbody tr', { hasText: 'payments-jan.retry-' });
    await waitFor(async () => {
      await page.reload();
      return (await retried.count()) === 1 && (await retried.textContent())?.includes('Success') === true;
    }, 60_000, () => 'the retry run to succeed');
    expect(sandbox.control.paymentsForInvoice(missingInvoice)).toHaveLength(1);
    expect(sandbox.control.paymentsForInvoice(101)).toHaveLength(1);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('pauses and resumes intake, runs a configured task now, and says why a retry cannot be done', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(`${base}/ui/`);
    await confirmClick(page, page.locator('#pause'));
    await page.getByText('‖ Paused').first().waitFor();
    await drop('payments-feb.xml', paymentsFile(payment(103, 'PAY-F1', '5')));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await filesUnder(path.join(dir, 'inbox'))).toEqual(['payments-feb.xml']);
    await page.reload();
    await expect.poll(async () => page.locator('#waiting').textContent()).toBe('1');
    await shot(page, 'overview-paused-phone');
    await confirmClick(page, page.locator('#resume'));
    await page.getByText('▶ Running').first().waitFor();
    await waitFor(async () => (await filesUnder(path.join(dir, 'inbox'))).length === 0, 30_000, () => 'the paused file to be taken after resume');

    await confirmClick(page, page.locator('[data-run-task="new-invoices"]'));
    await page.getByText('✓ Done: Task new-invoices started').waitFor();
    await waitFor(async () => (await filesUnder(path.join(dir, 'outbox', 'success'))).some((f) => f.includes('new-invoices')), 60_000, () => 'the task run now to write its export');
    await page.goto(`${base}/ui/#/runs?task=new-invoices`);
    await page.locator('#runs tbody tr', { hasText: 'new-invoices' }).first().waitFor();
    await page.goto(`${base}/ui/`);
    await expect.poll(async () => page.locator('main').textContent(), { timeout: 10_000 }).toMatch(/local · pause: intake paused/);
    await page.getByText(/local · run-task new-invoices/).waitFor();

    // A file that is gone cannot be retried: the page says why.
    const refused = await page.evaluate(async () => {
      const { csrfToken } = (await (await fetch('/api/session')).json()) as { csrfToken: string };
      const res = await fetch('/api/dashboard/retry-file?file=fail/gone.xml', { method: 'POST', headers: { 'x-dropwise-csrf': csrfToken } });
      return { status: res.status, body: (await res.json()) as { error: { message: string } } };
    });
    expect(refused.status).toBe(404);
    expect(refused.body.error.message).toContain('no longer there');
    await page.close();
  });
});
