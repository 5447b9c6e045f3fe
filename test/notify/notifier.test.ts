// The notifier end to end: events go out as e-mail to a real SMTP server and as webhooks to a real
// HTTP receiver on loopback, throttled per cause, retried in the background, never holding up the
// caller or the other destinations.
import fs from 'node:fs';
import path from 'node:path';
import selfsigned from 'selfsigned';
import { afterEach, describe, expect, it } from 'vitest';
import type { EmailDestination, WebhookDestination, WebhookFormat } from '../../src/config/notify.js';
import { NOTIFY_EVENTS } from '../../src/config/notify.js';
import { newClaimId } from '../../src/agent/intake/claim.js';
import { claimedFiles } from '../../src/agent/intake/work-files.js';
import { workspaceOf } from '../../src/agent/workspace.js';
import { DropwiseError } from '../../src/errors.js';
import { events } from '../../src/events.js';
import { silentLogger } from '../../src/log.js';
import { redactor } from '../../src/secrets.js';
import type { Sender } from '../../src/notify/delivery.js';
import { emailSender } from '../../src/notify/email.js';
import { Notifier, createNotifier, type NotifierOptions, type ProcessedFile } from '../../src/notify/notifier.js';
import { webhookSender } from '../../src/notify/webhook.js';
import { startHttpReceiver, startSmtpReceiver, type HttpReceiver, type SmtpReceiver } from '../support/notify-receivers.js';
import { createTestAgent, makeTempDir, waitFor, type TestAgent } from '../support/workspace.js';

const SMTP_USER = 'dropwise-mailer';
const SMTP_PASSWORD = 'smtp-Pa55word-never-shown';
const HOOK_TOKEN = 'hook-token-never-shown-7781';

let closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.reverse()) await close();
  closers = [];
});

async function smtp(): Promise<SmtpReceiver> {
  const server = await startSmtpReceiver({ user: SMTP_USER, password: SMTP_PASSWORD });
  closers.push(() => server.close());
  return server;
}

async function receiver(options: Parameters<typeof startHttpReceiver>[0] = {}): Promise<HttpReceiver> {
  const r = await startHttpReceiver(options);
  closers.push(() => r.close());
  return r;
}

function emailTo(port: number, events = [...NOTIFY_EVENTS]): EmailDestination {
  return {
    to: ['ops@example.com', 'oncall@example.com'],
    from: 'dropwise <dropwise@example.com>',
    events,
    smtp: { host: '127.0.0.1', port, secure: false, requireTLS: false, user: SMTP_USER, password: SMTP_PASSWORD },
  };
}

function hook(url: string, format: WebhookFormat, events = [...NOTIFY_EVENTS]): WebhookDestination {
  return { url: `${url}/hooks/${format}?sig=abc`, format, events, headers: { Authorization: `Bearer ${HOOK_TOKEN}` } };
}

function notifier(senders: Sender[], options: Partial<NotifierOptions> = {}): Notifier {
  const n = new Notifier(senders, { log: silentLogger(), throttleMs: 60_000, host: 'agent-1', baseDelayMs: 50, maxDelayMs: 200, ...options });
  closers.push(() => n.close(500));
  return n;
}

function failedFile(name = 'payments.xml', code: 'DW_CW_VALIDATION' | 'DW_CW_UNAVAILABLE' = 'DW_CW_VALIDATION', message = 'ConnectWise refused invoice 17: amount must be positive'): ProcessedFile {
  return {
    file: { name },
    disposition: 'failed',
    path: `/srv/outbox/fail/${name}`,
    errorPath: `/srv/outbox/fail/${name}.error.xml`,
    route: { definition: { type: 'connectwise.import-invoice-payments' }, connection: 'main' },
    outcome: { status: 'failed', recordsOk: 0, recordsFailed: 0, outputs: [] },
    error: new DropwiseError(code, message, { hint: 'Correct the amount and drop the file again' }),
  };
}

describe('the notifier', () => {
  it('sends a failed file as an e-mail over authenticated SMTP and as JSON, Teams and Slack webhooks', async () => {
    const mail = await smtp();
    const web = await receiver();
    const n = notifier([emailSender(emailTo(mail.port)), ...(['json', 'teams', 'slack'] as const).map((f) => webhookSender(hook(web.url, f)))]);

    n.fileProcessed(failedFile());
    // The receivers see a message before its sender has the answer: wait for the counts too.
    await waitFor(() => mail.mails.length === 1 && web.requests.length === 3 && n.counts.sent === 4, 10_000, () => `${mail.mails.length} mails, ${web.requests.length} webhooks, ${n.counts.sent} counted`);

    const [m] = mail.mails;
    expect(m).toMatchObject({ from: 'dropwise@example.com', to: ['ops@example.com', 'oncall@example.com'], user: SMTP_USER });
    expect(m!.subject).toBe('[dropwise] File failed: payments.xml');
    expect(m!.headers['x-dropwise-event']).toBe('file-failed');
    expect(m!.text).toContain('payments.xml failed in connectwise.import-invoice-payments: DW_CW_VALIDATION ConnectWise refused invoice 17: amount must be positive');
    expect(m!.text).toMatch(/Error code: +DW_CW_VALIDATION/);
    expect(m!.text).toMatch(/Connection: +main/);
    expect(m!.text).toMatch(/Reason written to: +\/srv\/outbox\/fail\/payments\.xml\.error\.xml/);
    expect(m!.text).toContain('What to do next: Correct the amount and drop the file again');
    expect(m!.text).toMatch(/Agent: +agent-1/);

    const byPath = Object.fromEntries(web.requests.map((r) => [r.path, r]));
    for (const r of web.requests) {
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers['authorization']).toBe(`Bearer ${HOOK_TOKEN}`);
    }
    const json = JSON.parse(byPath['/hooks/json?sig=abc']!.body) as Record<string, unknown>;
    expect(json).toMatchObject({
      source: 'dropwise',
      event: 'file-failed',
      severity: 'error',
      host: 'agent-1',
      title: 'File failed: payments.xml',
      nextStep: 'Correct the amount and drop the file again',
      heldBack: 0,
      details: {
        type: 'file-failed',
        file: 'payments.xml',
        task: 'connectwise.import-invoice-payments',
        connection: 'main',
        error: { code: 'DW_CW_VALIDATION', message: 'ConnectWise refused invoice 17: amount must be positive', hint: 'Correct the amount and drop the file again' },
      },
    });

    const teams = JSON.parse(byPath['/hooks/teams?sig=abc']!.body) as { type: string; attachments: { contentType: string; content: Record<string, unknown> }[] };
    expect(teams.type).toBe('message');
    expect(teams.attachments).toHaveLength(1);
    const card = teams.attachments[0]!;
    expect(card.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(card.content).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
    const body = card.content['body'] as Record<string, unknown>[];
    expect(body[0]).toMatchObject({ type: 'TextBlock', text: 'File failed: payments.xml', weight: 'Bolder', color: 'Attention' });
    const facts = body.find((b) => b['type'] === 'FactSet')!['facts'] as { title: string; value: string }[];
    expect(facts).toContainEqual({ title: 'Error code', value: 'DW_CW_VALIDATION' });
    expect(facts).toContainEqual({ title: 'File', value: 'payments.xml' });
    expect(body.at(-1)).toMatchObject({ type: 'TextBlock', text: '**What to do next:** Correct the amount and drop the file again' });

    const slack = JSON.parse(byPath['/hooks/slack?sig=abc']!.body) as { text: string; blocks: Record<string, unknown>[] };
    expect(slack.text).toContain('File failed: payments.xml');
    expect(slack.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'File failed: payments.xml' } });
    const fields = slack.blocks.find((b) => Array.isArray(b['fields']))!['fields'] as { type: string; text: string }[];
    expect(fields).toContainEqual({ type: 'mrkdwn', text: '*Error code*\nDW_CW_VALIDATION' });
    expect(fields.length).toBeLessThanOrEqual(10);
    expect(JSON.stringify(slack.blocks.at(-1))).toContain('What to do next:* Correct the amount');
    expect(n.counts).toMatchObject({ sent: 4, failed: 0 });
  });

  it('upgrades to TLS with STARTTLS when requireTLS is set, and refuses to send without it', async () => {
    const pems = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], { keySize: 2048 });
    const tlsServer = await startSmtpReceiver({ user: SMTP_USER, password: SMTP_PASSWORD, server: { disabledCommands: [], key: pems.private, cert: pems.cert } });
    closers.push(() => tlsServer.close());
    const plainServer = await smtp();
    const requireTls = (port: number): EmailDestination => ({ ...emailTo(port), smtp: { ...emailTo(port).smtp, requireTLS: true } });
    const n = notifier([
      emailSender(requireTls(tlsServer.port), { tls: { ca: pems.cert, servername: 'localhost' } }),
      emailSender(requireTls(plainServer.port)),
    ]);
    n.fileProcessed(failedFile());
    await waitFor(() => n.counts.sent + n.counts.failed === 2, 10_000);
    expect(tlsServer.mails).toHaveLength(1);
    expect(tlsServer.mails[0]).toMatchObject({ secure: true, user: SMTP_USER, subject: '[dropwise] File failed: payments.xml' });
    expect(plainServer.mails).toHaveLength(0);
    expect(n.counts).toMatchObject({ sent: 1, failed: 1 });
  });

  it('never puts a secret in a message, even one registered after the error was made', async () => {
    const mail = await smtp();
    const web = await receiver();
    const n = notifier([emailSender(emailTo(mail.port)), webhookSender(hook(web.url, 'json')), webhookSender(hook(web.url, 'slack'))]);
    const leaked = 'privkey-XYZ-9911-leaky';
    // Made before the secret is known, so the DropwiseError could not scrub it itself.
    const error = failedFile('orders.xml', 'DW_CW_VALIDATION', `ConnectWise said: bad key ${leaked} for ${SMTP_PASSWORD}`);
    redactor.add(leaked, SMTP_PASSWORD, HOOK_TOKEN);

    n.fileProcessed(error);
    await waitFor(() => mail.mails.length === 1 && web.requests.length === 2, 10_000);
    const everything = [mail.mails[0]!.raw, mail.mails[0]!.text, ...web.requests.map((r) => r.body)].join('\n');
    expect(everything).toContain('[redacted]');
    for (const secret of [leaked, SMTP_PASSWORD, HOOK_TOKEN, Buffer.from(leaked).toString('base64').replace(/=+$/, '')]) {
      expect(everything).not.toContain(secret);
    }
  });

  it('turns a storm of 100 failures of one cause into one message per destination plus the held-back count', async () => {
    const mail = await smtp();
    const web = await receiver();
    const n = notifier([emailSender(emailTo(mail.port)), webhookSender(hook(web.url, 'json'))], { throttleMs: 700 });

    for (let i = 1; i <= 100; i++) n.fileProcessed(failedFile(`payments-${i}.xml`));
    await waitFor(() => mail.mails.length === 1 && web.requests.length === 1, 10_000);
    expect(mail.mails[0]!.subject).toBe('[dropwise] File failed: payments-1.xml');
    expect(n.counts.heldBack).toBe(2 * 99);

    // When the window closes, the latest held event goes out with the count.
    await waitFor(() => mail.mails.length === 2 && web.requests.length === 2, 10_000);
    const followUp = mail.mails[1]!;
    expect(followUp.subject).toBe('[dropwise] File failed: payments-100.xml (and 99 more)');
    expect(followUp.text).toContain('99 more events of the same cause were held back in the last 0.01 minutes; this is the latest.');
    expect(JSON.parse(web.requests[1]!.body)).toMatchObject({ heldBack: 99, details: { file: 'payments-100.xml' } });

    // Nothing more was held, so the next window sends nothing; a new event later is sent at once.
    await new Promise((r) => setTimeout(r, 1_600));
    expect(mail.mails).toHaveLength(2);
    expect(web.requests).toHaveLength(2);
    n.fileProcessed(failedFile('payments-101.xml'));
    await waitFor(() => mail.mails.length === 3 && web.requests.length === 3, 10_000);
    expect(JSON.parse(web.requests[2]!.body)).toMatchObject({ heldBack: 0 });
  });

  it('throttles by cause: another error code or task is sent at once', async () => {
    const web = await receiver();
    const n = notifier([webhookSender(hook(web.url, 'json'))]);
    n.fileProcessed(failedFile('a.xml', 'DW_CW_VALIDATION'));
    n.fileProcessed(failedFile('b.xml', 'DW_CW_VALIDATION'));
    n.fileProcessed({ ...failedFile('c.xml'), error: new DropwiseError('DW_XML_MALFORMED', 'Not XML') });
    n.fileProcessed({ ...failedFile('d.xml'), route: { definition: { type: 'traede.export-invoices' } } });
    await waitFor(() => web.requests.length === 3, 10_000);
    await new Promise((r) => setTimeout(r, 200));
    expect(web.accepted().map((b) => (b as { details: { file: string } }).details.file).sort()).toEqual(['a.xml', 'c.xml', 'd.xml']);
  });

  it('retries a destination that answers 500 with back-off until it answers 200', async () => {
    const web = await receiver({ statuses: [500, 503] });
    const results: boolean[] = [];
    const n = notifier([webhookSender(hook(web.url, 'teams'))], { baseDelayMs: 150, maxDelayMs: 1_000, onResult: (r) => results.push(r.delivered) });
    n.fileProcessed(failedFile());
    await waitFor(() => web.accepted().length === 1, 10_000);
    expect(web.requests.map((r) => r.status)).toEqual([500, 503, 200]);
    // Back-off: 150 ms, then 300 ms.
    expect(web.requests[1]!.at - web.requests[0]!.at).toBeGreaterThanOrEqual(140);
    expect(web.requests[2]!.at - web.requests[1]!.at).toBeGreaterThanOrEqual(290);
    expect(results).toEqual([true]);
  });

  it('gives up after the bounded attempts, and does not retry a 4xx', async () => {
    const down = await receiver({ statuses: [500, 500, 500, 500] });
    const refused = await receiver({ statuses: [404] });
    const n = notifier([webhookSender(hook(down.url, 'json')), webhookSender(hook(refused.url, 'json'))], { maxAttempts: 3, baseDelayMs: 20 });
    n.fileProcessed(failedFile());
    await waitFor(() => n.counts.failed === 2, 10_000);
    expect(down.requests).toHaveLength(3);
    expect(refused.requests).toHaveLength(1);
  });

  it('a dead destination delays neither the caller nor the other destinations, and close() keeps to its limit', async () => {
    const hanging = await receiver({ hang: true });
    const good = await receiver();
    const mail = await smtp();
    const refusedPort = await freePort();
    const n = notifier([
      webhookSender(hook(hanging.url, 'json'), { timeoutMs: 30_000 }),
      webhookSender(hook(`http://127.0.0.1:${refusedPort}`, 'slack')),
      emailSender({ ...emailTo(refusedPort) }),
      webhookSender(hook(good.url, 'json')),
      emailSender(emailTo(mail.port)),
    ]);
    const t0 = performance.now();
    for (let i = 0; i < 20; i++) n.fileProcessed(failedFile(`f${i}.xml`, 'DW_CW_VALIDATION', `cause ${i}`));
    // 20 of one cause (1 sent, 19 held) and 5 of distinct causes (other tasks): 6 messages per destination.
    for (let i = 0; i < 5; i++) n.fileProcessed({ ...failedFile(`g${i}.xml`), route: { definition: { type: `test.task-${i}` } } });
    // Waiting on the hanging receiver would take its 30 s timeout; the bound leaves room for a busy machine.
    expect(performance.now() - t0).toBeLessThan(1_000);

    await waitFor(() => good.accepted().length === 6 && mail.mails.length === 6, 10_000, () => `${good.accepted().length} webhooks, ${mail.mails.length} mails`);
    const closing = performance.now();
    await n.close(400);
    expect(performance.now() - closing).toBeLessThan(2_000);
  });

  it('reports an outage once when it begins and once when the connection answers again', async () => {
    const web = await receiver();
    const n = notifier([webhookSender(hook(web.url, 'json'))]);
    const retry = (name: string): ProcessedFile => ({
      file: { name },
      disposition: 'retry',
      route: { definition: { type: 'connectwise.import-invoice-payments' } },
      error: new DropwiseError('DW_CW_UNAVAILABLE', 'ConnectWise answered 503 five times', { hint: 'ConnectWise may be under maintenance' }),
    });
    n.fileProcessed(retry('a.xml'));
    n.fileProcessed(retry('b.xml'));
    n.fileProcessed(retry('a.xml'));
    n.fileProcessed({ file: { name: 'a.xml' }, disposition: 'archived', route: { definition: { type: 'connectwise.import-invoice-payments' } }, outcome: { status: 'success', recordsOk: 3, recordsFailed: 0, outputs: [] } });
    await waitFor(() => web.requests.length === 2, 10_000);
    await new Promise((r) => setTimeout(r, 200));
    const [began, ended] = web.accepted() as Record<string, unknown>[];
    expect(began).toMatchObject({
      event: 'outage-began',
      title: 'Outage: the default ConnectWise connection is not answering',
      details: { connection: 'the default ConnectWise connection', file: 'a.xml', error: { code: 'DW_CW_UNAVAILABLE' } },
    });
    expect(began!['nextStep']).toMatch(/^ConnectWise may be under maintenance\. Nothing to do unless it lasts/);
    expect(ended).toMatchObject({ event: 'outage-ended', severity: 'good', title: 'Outage over: the default ConnectWise connection answers again' });
    expect(web.requests).toHaveLength(2);
  });

  it('sends a partial run with its record counts, and only the events a destination asked for', async () => {
    const all = await receiver();
    const outagesOnly = await receiver();
    const n = notifier([webhookSender(hook(all.url, 'json')), webhookSender(hook(outagesOnly.url, 'json', ['outage-began', 'outage-ended']))]);
    n.fileProcessed({
      file: { name: 'receipts.xml' },
      disposition: 'archived',
      route: { definition: { type: 'connectwise.import-invoice-payments' }, taskName: 'payments' },
      outcome: { status: 'partial', recordsOk: 8, recordsFailed: 2, outputs: ['/o/receipts_success.xml', '/o/receipts_fail.xml'] },
      error: new DropwiseError('DW_CW_NOT_FOUND', 'Invoice 999 was not found'),
    });
    n.fileProcessed({ file: { name: 'ok.xml' }, disposition: 'archived', route: { definition: { type: 'x' } }, outcome: { status: 'success', recordsOk: 1, recordsFailed: 0, outputs: [] } });
    await waitFor(() => all.requests.length === 1, 10_000);
    await new Promise((r) => setTimeout(r, 200));
    expect(all.requests).toHaveLength(1);
    expect(outagesOnly.requests).toHaveLength(0);
    const body = JSON.parse(all.requests[0]!.body) as { title: string; summary: string; facts: { label: string; value: string }[]; nextStep: string };
    expect(body.title).toBe('Run partial: receipts.xml (2 of 10 records failed)');
    expect(body.summary).toBe('payments (connectwise.import-invoice-payments) finished with 2 of 10 records failed: DW_CW_NOT_FOUND Invoice 999 was not found');
    expect(body.facts).toContainEqual({ label: 'Outputs', value: 'receipts_success.xml, receipts_fail.xml' });
    expect(body.nextStep).toMatch(/fail file in outbox\/fail/);
  });

  it('close() sends the held-back counts before it returns', async () => {
    const web = await receiver();
    const n = notifier([webhookSender(hook(web.url, 'json'))], { throttleMs: 60 * 60_000 });
    for (let i = 0; i < 5; i++) n.fileProcessed(failedFile(`p${i}.xml`));
    await n.close(3_000);
    expect(web.accepted()).toMatchObject([{ heldBack: 0, details: { file: 'p0.xml' } }, { heldBack: 4, details: { file: 'p4.xml' } }]);
    n.fileProcessed(failedFile('after-close.xml'));
    await new Promise((r) => setTimeout(r, 100));
    expect(web.requests).toHaveLength(2);
  });

  it('reports a stuck file in work/processing once', async () => {
    const dir = await makeTempDir();
    const web = await receiver();
    const n = notifier([webhookSender(hook(web.url, 'json'))]);
    // A file claimed as the agent claims it: its age counts from the claim id, as readiness counts it.
    const ws = workspaceOf({ inbox: path.join(dir, 'inbox'), success: dir, fail: dir, archive: dir, work: dir, state: dir });
    fs.mkdirSync(ws.processing);
    fs.writeFileSync(path.join(ws.processing, `${newClaimId()}__slow.xml`), '<x/>');
    const claimed = () => claimedFiles(ws);
    await n.checkStuckFiles(claimed, 60_000);
    await new Promise((r) => setTimeout(r, 100));
    expect(web.requests).toHaveLength(0);
    const later = new Date(Date.now() + 61 * 60_000);
    await n.checkStuckFiles(claimed, 60 * 60_000, later);
    await n.checkStuckFiles(claimed, 60 * 60_000, later);
    await waitFor(() => web.requests.length === 1, 5_000);
    expect(JSON.parse(web.requests[0]!.body)).toMatchObject({
      event: 'stuck-file',
      title: 'Stuck file: slow.xml',
      summary: expect.stringMatching(/has been in work\/processing for 6\d minutes/),
    });
  });

  it('createNotifier builds nothing without destinations', () => {
    expect(createNotifier({ email: [], webhooks: [], throttleMinutes: 15, stuckMinutes: 60, dailySummary: '' }, { log: silentLogger(), runs: { recent: async () => [] } as never, claimedFiles: async () => [] })).toBeUndefined();
  });
});

describe('the agent with a notifier', () => {
  let harness: TestAgent | undefined;
  afterEach(async () => {
    await harness?.agent.stop({ graceMs: 2000 });
    await harness?.runtime.close();
    harness = undefined;
  });

  it('sends an e-mail and a webhook within seconds of a file failing, and a partial run', async () => {
    const mail = await smtp();
    const web = await receiver();
    const dir = await makeTempDir();
    const n = notifier([emailSender(emailTo(mail.port)), webhookSender(hook(web.url, 'json'))]);
    harness = createTestAgent(dir, { deps: { notifier: n } });
    await harness.agent.start();
    fs.writeFileSync(path.join(harness.config.folders.inbox, 'mystery.xml'), '<Mystery><a/></Mystery>');
    fs.writeFileSync(path.join(harness.config.folders.inbox, 'echo.xml'), '<Echo><item><n>1</n></item><item><n>2</n><fail>yes</fail></item></Echo>');
    await harness.processed(2);
    await waitFor(() => mail.mails.length === 2 && web.requests.length === 2, 10_000, () => `${mail.mails.length} mails, ${web.requests.length} webhooks`);
    const subjects = mail.mails.map((m) => m.subject).sort();
    expect(subjects).toEqual(['[dropwise] File failed: mystery.xml', '[dropwise] Run partial: echo.xml (1 of 2 records failed)']);
    const failed = mail.mails.find((m) => m.subject.includes('mystery'))!;
    expect(failed.text).toContain('mystery.xml failed before a task was chosen: DW_UNKNOWN_ROOT');
    expect(failed.text).toMatch(/File is now in: +.*outbox[/\\]fail[/\\]mystery\.xml/);
    const events = web.accepted().map((b) => (b as { event: string }).event).sort();
    expect(events).toEqual(['file-failed', 'run-partial']);
  });

  it("sends a configured task's failed run (dropwise task, a schedule) and counts each delivery as a notificationSent event", async () => {
    const mail = await smtp();
    const web = await receiver();
    const sent: unknown[] = [];
    const unsubscribe = events.notificationSent.subscribe((e) => sent.push(e));
    closers.push(async () => unsubscribe());
    const n = notifier([emailSender(emailTo(mail.port)), webhookSender(hook(web.url, 'json'))]);
    harness = createTestAgent(await makeTempDir(), {
      config: { tasks: { 'nightly-export': { type: 'test.export', settings: { outputFile: 'x.xml', fail: true } } } },
      deps: { notifier: n },
    });
    await harness.agent.open();
    const { outcome } = await harness.agent.runConfiguredTask('nightly-export', 'cli');
    expect(outcome.status).toBe('failed');
    await waitFor(() => mail.mails.length === 1 && web.requests.length === 1 && sent.length === 2, 10_000, () => `${mail.mails.length} mails, ${web.requests.length} webhooks, ${sent.length} events`);
    const [m] = mail.mails;
    expect(m!.subject).toBe('[dropwise] Task failed: nightly-export');
    expect(m!.text).toContain('nightly-export (test.export) (started by dropwise task) failed: DW_TRAEDE_AUTH Traede refused the token');
    expect(m!.text).toContain('What to do next: Check the token in the config');
    expect(web.accepted()[0]).toMatchObject({ event: 'task-failed', details: { taskName: 'nightly-export', task: 'test.export', trigger: 'cli', error: { code: 'DW_TRAEDE_AUTH' } } });
    expect(sent).toEqual(expect.arrayContaining([{ channel: 'email', event: 'task-failed', ok: true }, { channel: 'webhook', event: 'task-failed', ok: true }]));
    await harness.agent.close();
  });

  it("sends a configured task's partial run, and nothing for a successful or interrupted one", async () => {
    const web = await receiver();
    const n = notifier([webhookSender(hook(web.url, 'json'))]);
    const base = { taskName: 'gl-nightly', task: 'connectwise.export-gl-batch', trigger: 'schedule' as const };
    n.taskRun({ ...base, outcome: { status: 'success', recordsOk: 5, recordsFailed: 0, outputs: [] } });
    n.taskRun({ ...base, outcome: { status: 'failed', recordsOk: 0, recordsFailed: 0, outputs: [], error: new DropwiseError('DW_SHUTDOWN', 'The agent stopped during the run') } });
    n.taskRun({ ...base, outcome: { status: 'partial', recordsOk: 4, recordsFailed: 1, outputs: ['/srv/outbox/fail/gl_fail.xml'] } });
    await waitFor(() => web.requests.length === 1, 10_000);
    await n.close(2000);
    expect(web.accepted()).toHaveLength(1);
    expect(web.accepted()[0]).toMatchObject({ event: 'run-partial', title: 'Run partial: gl-nightly (connectwise.export-gl-batch) (1 of 5 records failed)', details: { taskName: 'gl-nightly' } });
  });
});

async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
