// `npm run bench`: runs each benchmark in scripts/bench/ in its own process and prints one table per
// benchmark. Pass names to run only some: `npm run bench -- payments`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RESULT_PREFIX, type BenchRow } from './bench/harness.js';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'bench');
const only = process.argv.slice(2);
const scripts = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

const tables = new Map<string, BenchRow[]>();
let failures = 0;
for (const script of scripts) {
  console.error(`running ${script} …`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', path.join(dir, script)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  for (const line of run.stdout.split('\n')) {
    if (!line.startsWith(RESULT_PREFIX)) continue;
    const row = JSON.parse(line.slice(RESULT_PREFIX.length)) as BenchRow;
    tables.set(row.bench, [...(tables.get(row.bench) ?? []), row]);
  }
  if (run.status !== 0) {
    failures++;
    console.error(`${script} failed (exit ${run.status ?? run.signal})`);
  }
}

for (const [name, rows] of tables) {
  console.log(`\n## ${name}`);
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r).filter((k) => k !== 'bench')))];
  const cells = rows.map((r) => columns.map((c) => String(r[c] ?? '')));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => (row[i] as string).length)));
  const line = (vals: string[]) => `| ${vals.map((v, i) => v.padEnd(widths[i] as number)).join(' | ')} |`;
  console.log(line(columns));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of cells) console.log(line(row));
}
process.exitCode = failures > 0 ? 1 : 0;
