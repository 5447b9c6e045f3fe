// npm run soak: the random-kill test. The sandbox runs in its own process (`dropwise simulate`); an
// agent (`dropwise start`) is given a mixed workload (payments files with and without externalIds,
// invoice, GL and Traede exports) and killed with SIGKILL at random moments, KILLS times, restarted
// each time, then left to finish. Prints what a crash may never do:
//   lost        inputs in no place (neither archive nor outbox/fail)
//   duplicated  inputs in two places, records in two outputs, invoices given two payments by creates
//   partial     outputs that are not one whole XML document, temp files left behind
//   stuck       files left in the inbox or work/processing, runs left `running`
//   --kills N (default 10)  --files N payments files (default 6)  --records N per file (default 40)  --seed N
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import buildDist from '../test/support/global-setup.js';
import { CLI } from '../test/support/cli.js';
import { cli, listFiles, restart, sleep, wholeXml } from '../test/support/crash-points.js';

const { values } = parseArgs({ options: { kills: { type: 'string', default: '10' }, files: { type: 'string', default: '6' }, records: { type: 'string', default: '40' }, seed: { type: 'string', default: '5' } } });
const [kills, files, records, seed] = [values.kills, values.files, values.records, values.seed].map(Number) as [number, number, number, number];

interface SandboxProcess {
  url: string;
  connections: Record<string, Record<string, string>>;
  stop: () => void;
}

/** `dropwise simulate` in a process of its own; its URLs and connections from the banner it prints. */
function startSandboxProcess(invoices: number): Promise<SandboxProcess> {
  const child = spawn(process.execPath, [CLI, 'simulate', '--port', '0', '--seed', String(seed), '--invoices', String(invoices)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let banner = '';
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      banner += `${line}\n`;
      if (!line.startsWith('Press Ctrl-C')) return;
      const url = /running at (\S+)/.exec(banner)?.[1] ?? '';
      const block = banner.slice(banner.indexOf('{', banner.indexOf('Config block')), banner.lastIndexOf('}') + 1);
      resolve({ url, connections: (JSON.parse(block) as { connections: SandboxProcess['connections'] }).connections, stop: () => child.kill('SIGTERM') });
    });
    child.once('exit', (code) => reject(new Error(`the sandbox process exited (${code})`)));
  });
}

const getJson = async <T>(url: string, headers: Record<string, string> = {}): Promise<T> => (await (await fetch(url, { headers })).json()) as T;

buildDist();
const started = Date.now();
const sandbox = await startSandboxProcess(files * records * 2 + 100);
const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dw-soak-'));
const config = path.join(dir, 'dropwise.json');
try {
  const cw = sandbox.connections['sandbox'] as Record<string, string>;
  const auth = { authorization: `Basic ${Buffer.from(`${cw['companyId']}+${cw['publicKey']}:${cw['privateKey']}`).toString('base64')}`, clientId: cw['clientId'] ?? '' };
  const invoices = await getJson<{ id: number; total: number }[]>(`${cw['url']}/finance/invoices?pageSize=1000&fields=id,total`, auth);
  const paidIds = new Set((await getJson<{ invoice: { id: number } }[]>(`${sandbox.url}/_sandbox/payments`)).map((p) => p.invoice.id));
  const unpaid = invoices.filter((i) => i.total >= 1 && !paidIds.has(i.id)).map((i) => i.id);
  if (unpaid.length < files * records) throw new Error(`the sandbox has ${unpaid.length} unpaid invoices, ${files * records} needed`);

  await fs.mkdir(path.join(dir, 'inbox'), { recursive: true });
  await fs.writeFile(
    config,
    JSON.stringify({
      watch: { stabilityMs: 100, sweepMs: 300, concurrency: 2 },
      sandbox: { mode: 'off' },
      log: { file: 'logs/dropwise.log', console: false, level: 'info' },
      http: { timeoutMs: 5000, connectTimeoutMs: 2000, maxAttempts: 3, retryBudgetMs: 5000, baseDelayMs: 10, maxDelayMs: 100, connections: 8 },
      connections: sandbox.connections,
    }),
  );
  const inputs: string[] = [];
  const drop = async (name: string, text: string): Promise<void> => {
    await fs.writeFile(path.join(dir, `${name}.tmp`), text);
    await fs.rename(path.join(dir, `${name}.tmp`), path.join(dir, 'inbox', name));
    inputs.push(name);
  };
  for (let f = 0; f < files; f++) {
    const body = unpaid
      .slice(f * records, (f + 1) * records)
      .map((id, i) => `  <InvoicePayment>${f % 2 === 0 ? `<externalId>S-${f}-${i}</externalId>` : ''}<invoice><id>${id}</id></invoice><amount>1.${i % 10}</amount><paymentDate>2024-05-01</paymentDate></InvoicePayment>\n`)
      .join('');
    await drop(`payments-${f}.xml`, `<?xml version="1.0" encoding="utf-8"?>\n<InvoicePayments>\n${body}</InvoicePayments>\n`);
  }
  const request = (task: string, settings: string) => `<?xml version="1.0" encoding="utf-8"?>\n<TaskRequest><task>${task}</task><settings>${settings}</settings></TaskRequest>\n`;
  await drop('export-invoices.xml', request('connectwise.export-invoices', '<exportMode>All</exportMode><outputFile>invoices.xml</outputFile>'));
  await drop('export-gl.xml', request('connectwise.export-gl-batch', '<exportUnpostedInvoices>true</exportUnpostedInvoices><outputFile>gl.xml</outputFile>'));
  await drop('export-traede.xml', request('traede.export-invoices', '<systemId>soak</systemId><outputFile>traede.xml</outputFile>'));

  for (let k = 1; k <= kills; k++) {
    const child = cli(['start', '--config', config]);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await sleep(500 + Math.floor(Math.random() * 2500));
    child.kill('SIGKILL');
    await exited;
    process.stdout.write(`kill ${k}/${kills}\r`);
  }
  const { settled } = await restart(config, dir, 180_000);

  const places = new Map<string, number>(inputs.map((n) => [n, 0]));
  for (const folder of ['archive', 'outbox/fail']) {
    for (const name of await listFiles(path.join(dir, folder))) {
      const original = path.basename(name).replace(/^\d{8}T\d{9}-[0-9a-f]{6}__/, '').replace(/ \(\d+\)(?=\.)/, '');
      if (places.has(original) && !name.endsWith('.error.xml')) places.set(original, (places.get(original) ?? 0) + 1);
    }
  }
  const seen = new Set<string>();
  let recordsTwice = 0;
  let partialOutputs = 0;
  for (const folder of ['success', 'fail']) {
    for (const name of await listFiles(path.join(dir, 'outbox', folder))) {
      const text = await fs.readFile(path.join(dir, 'outbox', folder, name), 'utf8');
      if (wholeXml(text) !== undefined) partialOutputs++;
      if (!name.startsWith('payments-')) continue;
      for (const m of text.matchAll(/<invoice>\s*<id>(\d+)<\/id>/g)) {
        if (seen.has(m[1] ?? '')) recordsTwice++;
        seen.add(m[1] ?? '');
      }
    }
  }
  const created = await getJson<{ payments: { invoice?: { id?: number } }[] }>(`${sandbox.url}/_sandbox/created`);
  const creates = new Map<number, number>();
  for (const p of created.payments) creates.set(p.invoice?.id ?? 0, (creates.get(p.invoice?.id ?? 0) ?? 0) + 1);
  const temps = [...(await listFiles(path.join(dir, 'work', 'tmp'))), ...(await listFiles(path.join(dir, 'outbox'))).filter((n) => /\.(tmp|partial)$/.test(n))];
  const left = [...(await listFiles(path.join(dir, 'inbox'))), ...(await listFiles(path.join(dir, 'work', 'processing')))];
  const runs = await fs.readFile(path.join(dir, 'state', 'runs.json'), 'utf8').then((t) => (JSON.parse(t) as { runs: { result: string }[] }).runs, () => []);

  const lost = [...places.values()].filter((n) => n === 0).length;
  const duplicated = [...places.values()].filter((n) => n > 1).length + recordsTwice + [...creates.values()].filter((n) => n > 1).length;
  const partial = partialOutputs + temps.length;
  const stuck = left.length + runs.filter((r) => r.result === 'running').length + (settled ? 0 : 1);
  console.log(`${inputs.length} inputs (${files} payments files of ${records} records, 3 exports), ${kills} SIGKILLs, ${Math.round((Date.now() - started) / 1000)} s; agent folder ${dir}`);
  console.log(`  lost inputs: ${lost}; inputs in two places: ${[...places.values()].filter((n) => n > 1).length}; payment records in two outputs: ${recordsTwice}; invoices created twice: ${[...creates.values()].filter((n) => n > 1).length}`);
  console.log(`  outputs not whole: ${partialOutputs}; temp files left: ${temps.length}; files left in the inbox or work/processing: ${left.length}; runs left running: ${runs.filter((r) => r.result === 'running').length}`);
  console.log(`lost ${lost}, duplicated ${duplicated}, partial ${partial}, stuck ${stuck}`);
  process.exitCode = lost + duplicated + partial + stuck > 0 ? 1 : 0;
} finally {
  sandbox.stop();
}
