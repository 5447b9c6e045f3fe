// When is a file in the inbox complete? Pure logic, no file system: the watcher feeds it observations.
// A file is ready when its size and mtime stayed the same for `stabilityMs`, measured from when this
// process first saw those values. Never from the mtime's age: a Windows copy keeps the source's mtime,
// so a file still being copied can carry an mtime from last year.

export interface FileObservation {
  size: number;
  mtimeMs: number;
}

// Names that writers use while a file is incomplete, and hidden files that are nobody's input. A
// dropped `x.error.xml` is not among them: like any file, it is taken and fails visibly (DW_UNKNOWN_ROOT,
// root <errors>), rather than lying in the inbox unexplained.
const PARTIAL_NAMES = [/^\./, /^~/, /\.tmp$/i, /\.temp$/i, /\.part$/i, /\.partial$/i, /\.crdownload$/i, /\.download$/i, /\.filepart$/i];

/** Temp, partial and hidden names are never taken, however long they sit still. */
export function isPartialName(name: string): boolean {
  return PARTIAL_NAMES.some((re) => re.test(name));
}

interface Seen extends FileObservation {
  /** When these size and mtime values were first observed. */
  since: number;
}

export class StabilityTracker {
  private readonly seen = new Map<string, Seen>();

  constructor(
    private readonly stabilityMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Records what the file looks like now; true once it has looked exactly like this for stabilityMs.
   * An empty file counts too: one that stays empty that long is taken, and fails as DW_FILE_EMPTY.
   */
  observe(name: string, observation: FileObservation): boolean {
    const now = this.now();
    const prev = this.seen.get(name);
    if (!prev || prev.size !== observation.size || prev.mtimeMs !== observation.mtimeMs) {
      this.seen.set(name, { ...observation, since: now });
      return this.stabilityMs === 0;
    }
    return now - prev.since >= this.stabilityMs;
  }

  forget(name: string): void {
    this.seen.delete(name);
  }

  get size(): number {
    return this.seen.size;
  }
}
