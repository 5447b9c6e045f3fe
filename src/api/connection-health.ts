// The last answer each connection's API gave, from the HTTP layer's events: a connection whose last
// attempt got no answer, or a 5xx, is in an outage until an attempt is answered again.
import { events, type HttpAttemptEvent } from '../events.js';

export interface ConnectionState {
  ok: boolean;
  /** What the last attempt got: `HTTP 200`, `ECONNREFUSED`... */
  last: string;
  at: string;
}

export class ConnectionHealth {
  private readonly states = new Map<string, ConnectionState>();
  private readonly unsubscribe: () => void;

  constructor() {
    this.unsubscribe = events.httpAttempt.subscribe((e) => this.record(e));
  }

  /** The state of a connection; undefined when it has not been called since the start. */
  of(connection: string): ConnectionState | undefined {
    return this.states.get(connection);
  }

  close(): void {
    this.unsubscribe();
  }

  private record(e: HttpAttemptEvent): void {
    const answered = e.status !== undefined && e.status < 500;
    this.states.set(e.connection, { ok: answered, last: e.status !== undefined ? `HTTP ${e.status}` : (e.error ?? 'no answer'), at: new Date().toISOString() });
  }
}
