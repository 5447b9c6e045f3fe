// Progress of a running task. On a terminal (`dropwise run`/`task`) one line on stderr is rewritten in
// place; in the service an info line is logged at most every 10 seconds and once at the end.
import type { Logger } from '../../log.js';
import type { TaskProgress } from '../../tasks/types.js';

export interface ProgressSink {
  update(progress: TaskProgress): void;
  end(): void;
}

export type ProgressFactory = (label: string) => ProgressSink;

export function describeProgress(p: TaskProgress, elapsedMs: number): string {
  const seconds = elapsedMs / 1000;
  const rate = seconds > 0 ? Math.round(p.records / seconds) : 0;
  const parts = [`${p.records}${p.total !== undefined ? `/${p.total}` : ''} records`];
  if (p.pages !== undefined) parts.push(`${p.pages} pages`);
  parts.push(`${seconds.toFixed(1)} s`, `${rate}/s`);
  if (p.message) parts.push(p.message);
  return parts.join(', ');
}

export function logProgress(log: Logger, intervalMs = 10_000, now: () => number = Date.now): ProgressFactory {
  return (label) => {
    const started = now();
    let lastLogged = started;
    let last: TaskProgress | undefined;
    return {
      update(p) {
        last = p;
        if (now() - lastLogged < intervalMs) return;
        lastLogged = now();
        log.info(`${label}: ${describeProgress(p, lastLogged - started)}`);
      },
      end() {
        if (last) log.info(`${label}: done, ${describeProgress(last, now() - started)}`);
      },
    };
  };
}

export function terminalProgress(out: NodeJS.WritableStream, now: () => number = Date.now): ProgressFactory {
  return (label) => {
    const started = now();
    let shown = false;
    return {
      update(p) {
        shown = true;
        out.write(`\r\x1b[K${label}: ${describeProgress(p, now() - started)}`);
      },
      end() {
        if (shown) out.write('\n');
      },
    };
  };
}
