// This agent's lease among the agents sharing a PostgreSQL state. A heartbeat every third of the lease
// renews it; when it cannot be renewed before it runs out (the database unreachable), the agent holds
// its intake (stops taking files: another agent may adopt what it holds) and says why in readiness,
// until the database answers again. A heartbeat refused as fenced means another agent adopted this
// one's work: it registers again under a new generation and goes on with new files. After each
// heartbeat it adopts the agents whose lease ran out: fences each, moves its claimed files here and
// resumes them as a restart would.
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { isDropwiseError } from '../errors.js';
import type { Logger } from '../log.js';
import type { AgentRecord, Coordination } from '../state/store.js';
import { pkg } from '../version.js';
import type { ClaimedFile } from './intake/claim.js';
import { moveClaims } from './intake/adoption.js';
import type { Journal } from './pipeline/journal.js';
import type { Workspace } from './workspace.js';

export interface AgentLeaseOptions {
  coordination: Coordination;
  name: string;
  leaseSeconds: number;
  /** The folder every agent's work folder is in (`<workRoot>/<agent name>`), as this agent sees it. */
  workRoot: string;
  workspace: Workspace;
  journal: () => Journal;
  log: Logger;
  /** The lease cannot be trusted (a reason), or can again (undefined): intake holds or resumes. */
  onHold: (reason: string | undefined) => void;
  /** Whether this agent takes on more work (not while it stops): else it adopts no one. */
  mayAdopt: () => boolean;
  /** Another agent adopted this one's work (its files moved away): the runs still going on them must stop. */
  onFenced: () => void;
  /** Files just adopted, in this agent's work/processing now, to resume. */
  onAdopted: (files: ClaimedFile[]) => void;
  /** How many agents' leases run (this one's included): they share each connection's rate budget. */
  onLiveAgents?: (count: number) => void;
}

export class AgentLease {
  private readonly leaseMs: number;
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | undefined;
  private beat: Promise<void> | undefined;
  /** performance.now() at which the lease runs out, by this agent's own (monotonic) clock. */
  private deadline = 0;
  private unreachableSince: Date | undefined;
  private holding: string | undefined;
  private stopped = false;

  constructor(private readonly options: AgentLeaseOptions) {
    this.leaseMs = options.leaseSeconds * 1000;
    this.intervalMs = Math.max(100, Math.floor(this.leaseMs / 3));
  }

  /** Registers under a new generation and starts the heartbeats. */
  async start(): Promise<void> {
    await this.register();
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
  }

  /** Why the agent does not take files now (for readiness), or undefined. */
  get problem(): string | undefined {
    return this.holding;
  }

  /** Ends the heartbeats and gives the lease back; `processingEmpty`: nothing is left to adopt. */
  async stop(options: { processingEmpty: boolean }): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.beat;
    try {
      await this.options.coordination.stop(options);
    } catch (err) {
      this.options.log.warn(`The lease could not be given back (${String(err)}); it runs out by itself in ${this.options.leaseSeconds} s`);
    }
  }

  private tick(): void {
    if (this.beat) {
      // The last heartbeat still waits for an answer: the lease may run out meanwhile.
      this.checkDeadline();
      return;
    }
    this.beat = this.heartbeat().finally(() => (this.beat = undefined));
  }

  private async register(): Promise<void> {
    const { coordination, name, workspace } = this.options;
    const sentAt = performance.now();
    const fence = await coordination.register({ name, host: os.hostname(), pid: process.pid, version: pkg.version, workDir: workspace.work });
    this.deadline = sentAt + this.leaseMs;
    this.options.log.info(`Registered as agent ${name} (generation ${fence.generation}; lease ${this.options.leaseSeconds} s)`);
  }

  private async heartbeat(): Promise<void> {
    const { coordination, log } = this.options;
    const sentAt = performance.now();
    try {
      const { liveAgents } = await coordination.heartbeat();
      this.deadline = sentAt + this.leaseMs;
      this.answered();
      this.options.onLiveAgents?.(liveAgents);
    } catch (err) {
      if (!isDropwiseError(err, 'DW_FENCED')) return this.unreachable(err);
      log.warn(`${err.message}; the runs of its files still going here are stopped, and it registers again`);
      this.options.onFenced();
      try {
        await this.register();
        this.answered();
      } catch (again) {
        return this.unreachable(again);
      }
    }
    if (!this.stopped && this.options.mayAdopt()) await this.adoptDead();
  }

  private answered(): void {
    if (this.unreachableSince) this.options.log.info(`The PostgreSQL state store answers again (unreachable since ${this.unreachableSince.toISOString()})`);
    this.unreachableSince = undefined;
    if (this.holding !== undefined) {
      this.holding = undefined;
      this.options.onHold(undefined);
    }
  }

  private unreachable(err: unknown): void {
    if (!this.unreachableSince) {
      this.unreachableSince = new Date();
      this.options.log.warn(`The lease could not be renewed: ${String(err)}`);
    }
    this.checkDeadline();
  }

  /** Holds intake once the lease would run out before the next heartbeat could renew it. */
  private checkDeadline(): void {
    if (this.holding !== undefined || this.stopped) return;
    const left = this.deadline - performance.now();
    if (left > this.intervalMs) return;
    const since = (this.unreachableSince ?? new Date()).toISOString();
    this.holding = left > 0 ? `state store unreachable since ${since}: the lease runs out in ${Math.ceil(left / 1000)} s, no file is taken` : `lease lost: the state store has been unreachable since ${since}; no file is taken`;
    this.options.log.warn(`Intake held: ${this.holding}. Files already claimed stay in ${this.options.workspace.processing}`);
    this.options.onHold(this.holding);
  }

  /** Adopts each agent whose lease ran out: whoever wins its fence moves its files. */
  private async adoptDead(): Promise<void> {
    const { coordination, log } = this.options;
    let dead: AgentRecord[];
    try {
      dead = await coordination.adoptable();
    } catch (err) {
      log.warn(`Could not list the agents to adopt: ${String(err)}`);
      return;
    }
    for (const agent of dead) {
      if (this.stopped || !this.options.mayAdopt()) return;
      try {
        if (!(await coordination.adopt(agent))) continue;
        const from = path.join(this.options.workRoot, agent.name);
        const files = await moveClaims(from, this.options.workspace, this.options.journal());
        log.warn(`Adopted agent ${agent.name} (host ${agent.host}, pid ${agent.pid}; its lease ran out at ${agent.leaseUntil}): ${files.length} file(s) moved from ${path.join(from, 'processing')} to resume here`);
        this.options.onAdopted(files);
        await coordination.adopted(agent);
      } catch (err) {
        log.error(`Adopting agent ${agent.name} failed: ${String(err)}; what is left is adopted at a later heartbeat`);
      }
    }
  }
}
