// Deterministic randomness keyed by (seed, kind, id, …) rather than a running sequence: any record
// can be rebuilt on its own, which is what lets a million unposted records exist without storage.

/** A 32-bit mix of the seed and the parts (murmur3 finaliser per part). */
export function hash(seed: number, ...parts: number[]): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const part of parts) {
    h = Math.imul(h ^ (part >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** Small PRNG (mulberry32) for the many fields of one record. */
export class Rng {
  private state: number;

  constructor(seed: number, ...parts: number[]) {
    this.state = hash(seed, ...parts);
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Money with two decimals. */
  money(min: number, max: number): number {
    return Math.round((min + this.next() * (max - min)) * 100) / 100;
  }
}

/** Fixed epoch so generated data is identical on every run; everything seeded lies before it. */
export const EPOCH = Date.UTC(2024, 0, 1);
export const DAY = 86_400_000;

/** ConnectWise API form: ISO, UTC `Z`, no fraction. */
export function isoZ(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** GL export form: no zone, as in the seed samples (`2011-06-20T00:00:00`). */
export function glDate(ms: number): string {
  return isoZ(ms).slice(0, -1);
}

/** Traede form: `YYYY-MM-DD HH:MM:SS` UTC. */
export function traedeDate(ms: number): string {
  return isoZ(ms).slice(0, -1).replace('T', ' ');
}

/** Midnight UTC of the day `ms` falls in. */
export function midnight(ms: number): number {
  return ms - (ms % DAY);
}

export function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

/** Drops null/undefined/empty-string members (ConnectWise omits them) without touching arrays. */
export function compact<T extends Record<string, unknown>>(record: T): T {
  for (const key of Object.keys(record)) {
    const value = record[key];
    if (value === null || value === undefined || value === '') delete record[key];
  }
  return record;
}

/** Who entered the seeded records. */
export const SEED_USER = 'Admin1';

/** Audit stamps before EPOCH, spread deterministically. */
export function seededInfo(rng: Rng, maxAgeDays = 720): { dateEntered: string; enteredBy: string; lastUpdated: string; updatedBy: string; entered: number } {
  const entered = EPOCH - rng.int(30, maxAgeDays) * DAY + rng.int(0, DAY / 1000 - 1) * 1000;
  const updated = Math.min(EPOCH - 1000, entered + rng.int(0, 60) * DAY);
  return { dateEntered: isoZ(entered), enteredBy: SEED_USER, lastUpdated: isoZ(updated), updatedBy: SEED_USER, entered };
}

/** The `_info` of a seeded record: its audit stamps. */
export function seededStamps(rng: Rng): Record<string, unknown> {
  const { entered: _entered, ...stamps } = seededInfo(rng);
  return stamps;
}
