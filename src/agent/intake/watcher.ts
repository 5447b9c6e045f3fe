// Finds files in the inbox and hands each one over once, when it is complete. The operating system's
// file events (fs.watch on the inbox alone: a name per event) are only a hint: a periodic sweep (and
// one at start) lists the inbox in full, because events get lost on network shares and in bulk copies;
// with usePolling there are no events, only the sweep, every pollIntervalMs. Neither stats the whole
// inbox: a backlog of thousands of files costs one listing per sweep. Candidates are checked every few
// hundred ms until stable.
import { watch, type FSWatcher } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../log.js';
import { errnoCode, isReadable } from '../../fs/retry.js';
import { StabilityTracker, isPartialName } from './stability.js';

export interface InboxWatcherOptions {
  inbox: string;
  stabilityMs: number;
  sweepMs: number;
  usePolling: boolean;
  pollIntervalMs: number;
  log: Logger;
  /** Folders of the agent's own (outbox, archive, work, state): one inside the inbox is never offered. */
  ownFolders?: string[];
  /**
   * Called once per complete file, and once per entry that is no file at all (a link, a folder, a FIFO:
   * the claim refuses those); an entry is not offered again until the promise settles.
   */
  onReady: (name: string) => Promise<void>;
  /**
   * How many more files the agent takes now (absent: any number). The others stay in the inbox, still
   * watched, for a later check or for another agent on the same inbox: an agent never hoards a backlog
   * it cannot start on soon, and a paused one does not even look.
   */
  room?: () => number;
}

export class InboxWatcher {
  private readonly tracker: StabilityTracker;
  private readonly candidates = new Set<string>();
  private readonly handedOver = new Set<string>();
  private events: FSWatcher | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private checkTimer: NodeJS.Timeout | undefined;
  private checking: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: InboxWatcherOptions) {
    this.tracker = new StabilityTracker(options.stabilityMs);
  }

  async start(): Promise<void> {
    const { inbox, usePolling, pollIntervalMs, log } = this.options;
    const eventsFailed = (err: unknown) => log.warn(`File events for ${inbox} failed; the periodic sweep still finds new files: ${String(err)}`);
    if (!usePolling) {
      try {
        // An event without a name (some platforms coalesce them) is a reason to list the inbox now.
        this.events = watch(inbox, (_event, name) => (name ? this.consider(name) : void this.sweep()));
        this.events.on('error', eventsFailed);
      } catch (err) {
        eventsFailed(err);
      }
    }
    await this.sweep();
    this.sweepTimer = setInterval(() => void this.sweep(), usePolling ? pollIntervalMs : this.options.sweepMs);
    // Often enough that a stable file waits little past stabilityMs, rarely enough to cost nothing.
    const checkMs = Math.min(1000, Math.max(50, Math.floor(this.options.stabilityMs / 4)));
    this.checkTimer = setInterval(() => void this.check(), checkMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.sweepTimer);
    clearInterval(this.checkTimer);
    this.events?.close();
    await this.checking;
  }

  /** Lists the inbox and considers every entry in it, files or not. */
  async sweep(): Promise<void> {
    try {
      for (const name of await fs.readdir(this.options.inbox)) this.consider(name);
    } catch (err) {
      this.options.log.error(`Cannot list the inbox ${this.options.inbox}: ${errnoCode(err) ?? String(err)}`);
    }
  }

  /** Files being tracked or being claimed: for tests and status. */
  get pending(): number {
    return this.candidates.size + this.handedOver.size;
  }

  private consider(name: string): void {
    if (this.stopped || isPartialName(name) || this.handedOver.has(name) || this.isOwnFolder(name)) return;
    this.candidates.add(name);
  }

  private check(): Promise<void> {
    this.checking ??= this.checkCandidates().finally(() => (this.checking = undefined));
    return this.checking;
  }

  private async checkCandidates(): Promise<void> {
    let room = this.options.room?.() ?? Infinity;
    for (const name of [...this.candidates]) {
      if (this.stopped || room <= 0) return;
      const file = path.join(this.options.inbox, name);
      let stat;
      try {
        // lstat: a link is judged as a link, whatever it points to.
        stat = await fs.lstat(file);
      } catch {
        this.drop(name);
        continue;
      }
      if (!this.tracker.observe(name, { size: stat.size, mtimeMs: stat.mtimeMs })) continue;
      // Only a regular file is opened: opening a FIFO would block, and a link must not be read through.
      if (stat.isFile() && !(await isReadable(file))) continue;
      this.drop(name);
      this.handedOver.add(name);
      room--;
      void this.options
        .onReady(name)
        .catch((err: unknown) => this.options.log.error(`Cannot take ${name} from the inbox: ${errnoCode(err) ?? String(err)}; it is tried again at the next sweep`))
        .finally(() => this.handedOver.delete(name));
    }
  }

  private isOwnFolder(name: string): boolean {
    const entry = path.join(this.options.inbox, name);
    return (this.options.ownFolders ?? []).some((own) => own === entry || own.startsWith(`${entry}${path.sep}`));
  }

  private drop(name: string): void {
    this.candidates.delete(name);
    this.tracker.forget(name);
  }
}
