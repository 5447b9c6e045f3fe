// Named crash points: every step where durable state changes calls crashPoint('name') right after the
// step, so that the crash-point suite (`npm run crash`) can kill the process there and prove that a
// restart finishes the work with nothing lost, doubled or half-written. A test hook, inert unless one
// of these was set when the process started (they are read once; then each call is one boolean check):
//   DROPWISE_CRASH_AT=point:N   the Nth time `point` is reached, the process kills itself with SIGKILL:
//                               no cleanup, no exit handlers, no buffered write flushed (as a power cut
//                               would, short of losing what the OS had not yet put on disk)
//   DROPWISE_CRASH_COUNT=file   at exit, every point reached and how often, as JSON {"point": hits}
import fs from 'node:fs';

const AT_FORMAT = /^([a-z][a-z0-9.-]*):([1-9]\d*)$/;

function parseAt(value: string | undefined): { point: string; hit: number } | undefined {
  if (value === undefined || value === '') return undefined;
  const m = AT_FORMAT.exec(value);
  if (!m) throw new Error(`DROPWISE_CRASH_AT must be <point>:<N> with N ≥ 1, e.g. journal.claimed:1 (was "${value}")`);
  return { point: m[1] as string, hit: Number(m[2]) };
}

const at = parseAt(process.env['DROPWISE_CRASH_AT']);
const countFile = process.env['DROPWISE_CRASH_COUNT'] || undefined;
const armed = at !== undefined || countFile !== undefined;
const hits = new Map<string, number>();

if (countFile !== undefined) {
  process.on('exit', () => {
    const sorted = Object.fromEntries([...hits].sort(([a], [b]) => a.localeCompare(b)));
    fs.writeFileSync(countFile, `${JSON.stringify(sorted, null, 2)}\n`);
  });
}

/** Marks a step where durable state has just changed (see above); does nothing unless the hook is set. */
export function crashPoint(name: string): void {
  if (!armed) return;
  const n = (hits.get(name) ?? 0) + 1;
  hits.set(name, n);
  if (at !== undefined && at.point === name && at.hit === n) process.kill(process.pid, 'SIGKILL');
}
