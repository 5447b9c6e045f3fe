// Start-up of the CLI against a bare `node -e 0`: `dropwise --version` and `--help` must not load the
// core (config, logger, HTTP, agent), only commander and the verbs' option definitions. The three are
// run in turn, round after round, so a busy machine slows them alike; the median of each is compared.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import buildDist from '../../test/support/global-setup.js';
import { report, round } from './harness.js';

const ROUNDS = Number(process.env['BENCH_STARTUP_ROUNDS'] ?? 21);
/** The goal of issue 10: at most this many times a bare node start. */
const GOAL = 1.5;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(root, 'dist', 'cli.js');
const commands: [string, string[]][] = [
  ['node -e 0', ['-e', '0']],
  ['dropwise --version', [cli, '--version']],
  ['dropwise --help', [cli, '--help']],
];

function timeOnce(args: string[]): number {
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, args, { stdio: 'ignore' });
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} exited ${run.status ?? run.signal}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

buildDist();
const times = commands.map((): number[] => []);
for (let round = 0; round < ROUNDS; round++) commands.forEach(([, args], i) => times[i]?.push(timeOnce(args)));
const bare = median(times[0] as number[]);
commands.forEach(([command], i) => {
  const ms = median(times[i] as number[]);
  const ratio = ms / bare;
  report({
    bench: `CLI start-up vs a bare node start (median of ${ROUNDS} rounds)`,
    command,
    'median ms': round(ms, 1),
    'ratio to node -e 0': round(ratio, 2),
    [`goal ≤ ${GOAL}×`]: i === 0 ? '' : ratio <= GOAL ? 'met' : 'MISSED',
  });
});
