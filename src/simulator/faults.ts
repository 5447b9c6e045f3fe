// Injected faults: each matching request consumes one count of the first matching fault.
import type { FaultKind, FaultSpec } from './types.js';

const FAULT_KINDS: readonly FaultKind[] = ['403', '429', '500', '503', 'slow', 'drop', 'truncate'];

interface ActiveFault {
  spec: FaultSpec;
  remaining: number;
  pattern: RegExp;
}

/** A glob (`*` any run, `?` one character, matched whole) unless the text looks like a RegExp source. */
export function pathPattern(text: string): RegExp {
  const looksLikeRegExp = /[\^$\\()|[\]+]/.test(text) || text.includes('.*');
  if (looksLikeRegExp) return new RegExp(text, 'i');
  const source = text.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 'i');
}

export class Faults {
  private active: ActiveFault[] = [];

  add(spec: FaultSpec): void {
    if (!Number.isInteger(spec.count) || spec.count < 1) throw new Error('fault count must be a positive integer');
    if (!FAULT_KINDS.includes(spec.kind)) throw new Error(`fault kind must be one of ${FAULT_KINDS.join(', ')}`);
    if (typeof spec.path !== 'string' || spec.path === '') throw new Error('fault path is required');
    this.active.push({ spec, remaining: spec.count, pattern: pathPattern(spec.path) });
  }

  clear(): void {
    this.active = [];
  }

  list(): (FaultSpec & { remaining: number })[] {
    return this.active.map((f) => ({ ...f.spec, remaining: f.remaining }));
  }

  /** Takes one count from the first fault matching the request, if any. */
  take(method: string, paths: string[]): FaultSpec | undefined {
    const fault = this.active.find(
      (f) => (!f.spec.method || f.spec.method.toUpperCase() === method) && paths.some((p) => f.pattern.test(p)),
    );
    if (!fault) return undefined;
    fault.remaining--;
    if (fault.remaining <= 0) this.active = this.active.filter((f) => f !== fault);
    return fault.spec;
  }
}
