import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readTaskRequest } from '../../../src/tasks/task-request.js';
import { isDropwiseError, worthAnotherAttempt, type DropwiseError } from '../../../src/errors.js';
import type { OutputFile, TaskContext } from '../../../src/tasks/types.js';
import { TRAEDE_PULL_ATTEMPTS, traedeExportInvoicesTask } from '../../../src/tasks/traede/export-invoices.js';
import { elementToValue, readRecords } from '../../../src/xml/reader.js';
import { withSandbox, type Sandbox } from '../../support/sandbox.js';
import { makeTaskEnv, type TaskEnv } from '../../support/task-context.js';

const sandbox = withSandbox({ seed: 3 });
const MARK = 'POST /v10/invoices/mark-as-exported';
const PULL = 'GET /v10/invoices/export';
const SYSTEM = 'accounting';
let env: TaskEnv;

beforeEach(async () => {
  sandbox().control.reset({ seed: 3, size: { traedeInvoices: 25 } });
  sandbox().control.clearFaults();
  sandbox().control.resetRequests();
  env = await makeTaskEnv(sandbox());
});

afterEach(async () => {
  await env.close();
});

/** Every Traede invoice in the sandbox, read through its control API. */
function sandboxInvoices(sb: Sandbox): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let id = 1001; sb.control.traedeInvoice(id); id++) out.push(sb.control.traedeInvoice(id) as Record<string, unknown>);
  return out;
}

/** What the XML reader makes of a JSON value written by the Zynk conventions (text, nil, containers of singular items). */
function asXmlValue(value: unknown, name = ''): unknown {
  if (value === null) return null;
  if (Array.isArray(value)) {
    const items = value.map((v) => asXmlValue(v));
    return items.length === 0 ? '' : { [name.replace(/s$/, '')]: items.length === 1 ? items[0] : items };
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    return entries.length === 0 ? '' : Object.fromEntries(entries.map(([k, v]) => [k, asXmlValue(v, k)]));
  }
  return String(value);
}

async function readInvoices(file: string): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for await (const { element } of readRecords(file, { expectRoot: 'Invoices' })) {
    expect(element.name).toBe('Invoice');
    out.push(elementToValue(element) as Record<string, unknown>);
  }
  return out;
}

const markedIds = (sb: Sandbox) => sb.control.traedeMarks(SYSTEM).map((m) => m.invoiceId).sort((a, b) => a - b);
const allIds = (sb: Sandbox) => sandboxInvoices(sb).map((i) => i['id'] as number);
const settings = (more: Record<string, unknown> = {}) => ({ systemId: SYSTEM, includeNonBooked: true, ...more });

describe('traede.export-invoices', () => {
  it('exports 25 invoices to one file, marks them in calls of 10, 10 and 5, and the next run finds nothing', async () => {
    const sb = sandbox();
    const outcome = await env.runTask(traedeExportInvoicesTask, settings());

    expect(outcome.status).toBe('success');
    expect(outcome).toMatchObject({ recordsIn: 25, recordsOk: 25, recordsFailed: 0 });
    expect(env.outputs('success')).toEqual(['traede_invoices.xml']);
    expect(outcome.outputs).toEqual([path.join(env.folders.success, 'traede_invoices.xml')]);
    expect(outcome.details).toEqual({ systemId: SYSTEM, file: 'traede_invoices.xml', marked: 25, unmarked: [] });

    const written = await readInvoices(outcome.outputs[0] as string);
    expect(written).toEqual(sandboxInvoices(sb).map((i) => asXmlValue(i)));
    expect(written[0]).toHaveProperty('lines.line');
    expect(fs.readFileSync(outcome.outputs[0] as string, 'utf8')).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?>\n<Invoices xmlns:xsi=/);

    expect(sb.control.requests().byRoute[MARK]).toBe(3);
    expect(markedIds(sb)).toEqual(allIds(sb));
    expect(new Set(sb.control.traedeMarks(SYSTEM).map((m) => m.note))).toEqual(new Set(['Exported by dropwise to traede_invoices.xml']));

    sb.control.resetRequests();
    const again = await env.runTask(traedeExportInvoicesTask, settings());
    expect(again).toMatchObject({ status: 'empty', recordsIn: 0, recordsOk: 0, outputs: [] });
    expect(env.outputs('success')).toEqual(['traede_invoices.xml']);
    expect(sb.control.requests().byRoute[MARK]).toBeUndefined();
  });

  it('exports only booked invoices by default, without lines when asked', async () => {
    const sb = sandbox();
    const booked = sandboxInvoices(sb).filter((i) => i['status'] === 'booked');
    expect(booked.length).toBeLessThan(25);
    const outcome = await env.runTask(traedeExportInvoicesTask, { systemId: SYSTEM, includeLines: 'false', outputFile: 'booked.xml' });
    const written = await readInvoices(outcome.outputs[0] as string);
    expect(written.map((i) => Number(i['id']))).toEqual(booked.map((i) => i['id']));
    expect(written[0]).not.toHaveProperty('lines');
    expect(markedIds(sb)).toEqual(booked.map((i) => i['id']));
  });

  it('leaves invoices unmarked when marking keeps failing after the file is safe; the next run exports them again', async () => {
    const sb = sandbox();
    sb.control.injectFault({ method: 'POST', path: '/v10/invoices/mark-as-exported', kind: '503', count: 1000 });
    const first = await env.runTask(traedeExportInvoicesTask, settings());

    expect(first.status).toBe('partial');
    expect(first.error?.code).toBe('DW_TRAEDE_UNAVAILABLE');
    expect(first.error?.message).toMatch(/^25 of 25 invoices are in traede_invoices\.xml but were not marked as exported in Traede \(1001, 1002, /);
    expect(first.error?.hint).toMatch(/come again with the next run/);
    expect(first.details).toMatchObject({ marked: 0, unmarked: allIds(sb) });
    expect(first).toMatchObject({ recordsIn: 25, recordsOk: 0, recordsFailed: 25 });
    expect(markedIds(sb)).toEqual([]);
    // Traede is down: marking stops at the first chunk instead of retrying the other two.
    expect(sb.control.requests().byRoute[MARK]).toBe(env.config.http.maxAttempts);

    sb.control.clearFaults();
    const second = await env.runTask(traedeExportInvoicesTask, settings());
    expect(second.status).toBe('success');
    expect(env.outputs('success')).toHaveLength(2);
    const ids = async (file: string) => (await readInvoices(file)).map((i) => Number(i['id']));
    expect(await ids(second.outputs[0] as string)).toEqual(await ids(first.outputs[0] as string));
    expect(markedIds(sb)).toEqual(allIds(sb));
    expect(new Set(sb.control.traedeMarks(SYSTEM).map((m) => m.note))).toEqual(new Set([`Exported by dropwise to ${path.basename(second.outputs[0] as string)}`]));
  });

  it('looks before reporting: marks that timed out but were applied are reported marked', async () => {
    const sb = sandbox();
    const http = { timeoutMs: 500, connectTimeoutMs: 500, maxAttempts: 2, retryBudgetMs: 5000, baseDelayMs: 5, maxDelayMs: 20, connections: 2 };
    const slowEnv = await makeTaskEnv(sb, { config: { http } });
    try {
      // The first call of ten: Traede applies it after 0.8 s; the client gives up after 0.5 s on both
      // tries (the second ends at ~1.0 s), so the first try was applied before Traede is asked again.
      sb.control.injectFault({ method: 'POST', path: '/v10/invoices/mark-as-exported', kind: 'slow', delayMs: 800, count: http.maxAttempts });
      const outcome = await slowEnv.runTask(traedeExportInvoicesTask, settings());
      const ids = allIds(sb);
      expect(markedIds(sb)).toEqual(ids.slice(0, 10));
      expect(outcome).toMatchObject({ status: 'partial', recordsOk: 10, recordsFailed: 15, details: { marked: 10, unmarked: ids.slice(10) } });
      expect(outcome.error?.message).toMatch(/^15 of 25 invoices are in traede_invoices\.xml but were not marked/);
      expect(sb.control.requests().byRoute[PULL], 'the unexported list was read again').toBe(2);
    } finally {
      // The second try is still asleep in the sandbox: let it land before the next test resets it.
      await sleep(1500);
      await slowEnv.close();
    }
  });

  it('finishes marking when the agent stops right after the file is committed, so nothing is exported twice', async () => {
    const sb = sandbox();
    const stop = new AbortController();
    const { ctx } = env.context({ signal: stop.signal });
    // The outbox commits for real, then the stop comes before any mark call.
    const outbox: TaskContext['outbox'] = {
      create: async (folder, name) => {
        const file = await ctx.outbox.create(folder, name);
        const crashing: OutputFile = {
          name: file.name,
          stream: file.stream,
          commit: async () => {
            const committed = await file.commit();
            stop.abort();
            return committed;
          },
          abort: () => file.abort(),
        };
        return crashing;
      },
    };
    const run = traedeExportInvoicesTask.parseSettings(settings());
    const first = await traedeExportInvoicesTask.run({ settings: run }, { ...ctx, outbox });

    expect(first).toMatchObject({ status: 'success', recordsOk: 25, details: { marked: 25, unmarked: [] } });
    expect(first.error).toBeUndefined();
    expect(fs.existsSync(first.outputs[0] as string)).toBe(true);
    expect(sb.control.requests().byRoute[MARK]).toBe(3);
    expect(markedIds(sb)).toEqual(allIds(sb));

    const second = await env.runTask(traedeExportInvoicesTask, settings());
    expect(second).toMatchObject({ status: 'empty', recordsIn: 0 });
  });

  it('marks nothing when the output cannot be written, and exports everything once it can', async () => {
    const sb = sandbox();
    fs.rmSync(env.folders.success, { recursive: true });
    fs.writeFileSync(env.folders.success, 'not a folder');

    const err = await env.runTask(traedeExportInvoicesTask, settings()).catch((e: unknown) => e);
    expect(isDropwiseError(err, 'DW_OUTPUT_WRITE')).toBe(true);
    expect(sb.control.requests().byRoute[MARK]).toBeUndefined();
    expect(sb.control.traedeMarks(SYSTEM)).toEqual([]);
    expect(fs.readdirSync(path.join(env.folders.work, 'tmp'))).toEqual([]);

    fs.rmSync(env.folders.success);
    fs.mkdirSync(env.folders.success);
    const outcome = await env.runTask(traedeExportInvoicesTask, settings());
    expect(outcome.recordsIn).toBe(25);
    expect(markedIds(sb)).toEqual(allIds(sb));
  });

  it('filters with AND between groups and OR inside one (from a task-request XML), and not_exported_since re-exports', async () => {
    const sb = sandbox();
    const all = sandboxInvoices(sb);
    const created = all.map((i) => String(i['created_at'])).sort();
    const updated = all.map((i) => String(i['updated_at'])).sort();
    const early = created[6] as string;
    const late = created[18] as string;
    const recent = updated[10] as string;
    const iso = (t: string) => `${t.replace(' ', 'T')}Z`;
    // A real task request, read as the agent reads it.
    const requestFile = path.join(env.dir, 'filtered.xml');
    fs.writeFileSync(
      requestFile,
      `<TaskRequest><task>traede.export-invoices</task><settings>
        <systemId>${SYSTEM}</systemId><includeNonBooked>true</includeNonBooked>
        <filterGroups>
          <filterGroup><or>true</or><filters>
            <filter><key>created_at</key><operator>lt</operator><value>${iso(early)}</value><not>false</not></filter>
            <filter><key>created_at</key><operator>gte</operator><value>${iso(late)}</value></filter>
          </filters></filterGroup>
          <filterGroup><filters>
            <filter><key>updated_at</key><operator>lt</operator><value>${iso(recent)}</value><not>true</not></filter>
          </filters></filterGroup>
        </filterGroups>
      </settings></TaskRequest>`,
    );
    const request = await readTaskRequest(requestFile, 'xml');
    const expected = all
      .filter((i) => (String(i['created_at']) < early || String(i['created_at']) >= late) && String(i['updated_at']) >= recent)
      .map((i) => i['id']);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(12);

    const before = new Date(Date.now() - 2000).toISOString();
    const filtered = await env.runTask(traedeExportInvoicesTask, request.settings ?? {});
    expect((await readInvoices(filtered.outputs[0] as string)).map((i) => Number(i['id']))).toEqual(expected);
    expect(markedIds(sb)).toEqual(expected);

    const rest = await env.runTask(traedeExportInvoicesTask, settings());
    expect(rest.recordsIn).toBe(25 - expected.length);

    const reexport = await env.runTask(traedeExportInvoicesTask, settings({ notExportedSince: before, outputFile: 'again.xml' }));
    expect(reexport.recordsIn).toBe(25);
    expect(env.outputs('success')).toContain('again.xml');
  });

  it('writes an empty <Invoices> document only when writeEmptyFile is on', async () => {
    await env.runTask(traedeExportInvoicesTask, settings());
    const none = await env.runTask(traedeExportInvoicesTask, settings({ outputFile: 'none.xml' }));
    expect(none.outputs).toEqual([]);
    const empty = await env.runTask(traedeExportInvoicesTask, settings({ outputFile: 'empty.xml', writeEmptyFile: 'True' }));
    expect(empty).toMatchObject({ status: 'empty', recordsIn: 0 });
    expect(env.outputs('success')).toEqual(['empty.xml', 'traede_invoices.xml']);
    expect(await readInvoices(path.join(env.folders.success, 'empty.xml'))).toEqual([]);
  });

  it('pulls again from the start when the streamed answer is cut off, and writes every invoice once', async () => {
    const sb = sandbox();
    sb.control.injectFault({ method: 'GET', path: '/v10/invoices/export', kind: 'truncate', count: 1 });
    const outcome = await env.runTask(traedeExportInvoicesTask, settings());
    expect(outcome).toMatchObject({ status: 'success', recordsIn: 25, recordsOk: 25 });
    expect(sb.control.requests().byRoute[PULL]).toBe(2);
    expect(env.outputs('success')).toEqual(['traede_invoices.xml']);
    expect((await readInvoices(outcome.outputs[0] as string)).map((i) => Number(i['id']))).toEqual(allIds(sb));
    expect(markedIds(sb)).toEqual(allIds(sb));
    expect(fs.readdirSync(path.join(env.folders.work, 'tmp'))).toEqual([]);
  });

  it('gives up after TRAEDE_PULL_ATTEMPTS cut-off answers: no file, nothing marked, retryable', async () => {
    const sb = sandbox();
    sb.control.injectFault({ method: 'GET', path: '/v10/invoices/export', kind: 'truncate', count: 1000 });
    const err = await env.runTask(traedeExportInvoicesTask, settings()).catch((e: unknown) => e);
    expect(isDropwiseError(err, 'DW_TRAEDE_UNAVAILABLE')).toBe(true);
    expect((err as Error).message).toMatch(/cut off|dropped/);
    expect(worthAnotherAttempt(err as DropwiseError)).toBe(true);
    expect(sb.control.requests().byRoute[PULL]).toBe(TRAEDE_PULL_ATTEMPTS);
    expect(sb.control.requests().byRoute[MARK]).toBeUndefined();
    expect(env.outputs('success')).toEqual([]);
    expect(fs.readdirSync(path.join(env.folders.work, 'tmp'))).toEqual([]);
  });

  it('fails the run with DW_TRAEDE_UNAVAILABLE and no file when the pull fails', async () => {
    const sb = sandbox();
    sb.control.injectFault({ method: 'GET', path: '/v10/invoices/export', kind: '500', count: 1000 });
    const err = await env.runTask(traedeExportInvoicesTask, settings()).catch((e: unknown) => e);
    expect(isDropwiseError(err, 'DW_TRAEDE_UNAVAILABLE')).toBe(true);
    expect(sb.control.requests().byRoute[PULL]).toBe(env.config.http.maxAttempts);
    expect(env.outputs('success')).toEqual([]);
  });
});
