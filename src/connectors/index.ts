// Builds and caches one client per named connection, each with its own request budget (one per
// connection for the whole agent, as the clients are cached). Tasks ask for a connection by name, or for the
// default one of a kind: the one marked default, or the only one of that type.
import { resolveConnection } from '../config/connections.js';
import { CONNECTWISE_REQUESTS_PER_MINUTE } from '../config/entries.js';
import type { AppConfig, Connection } from '../config/load.js';
import { DropwiseError } from '../errors.js';
import type { Logger } from '../log.js';
import { ConnectWiseClient } from './connectwise/client.js';
import { HttpClient } from './http.js';
import { RateBudget } from './rate-budget.js';
import { resolveSites } from './connectwise/site.js';
import { TraedeClient } from './traede/client.js';

export interface Connectors {
  connectwise(name?: string): ConnectWiseClient;
  traede(name?: string): TraedeClient;
  /** Resolves a connection name (or the default of that type) without building a client. */
  resolve(type: Connection['type'], name?: string): string;
  /** This agent's share of every connection's request budget (1/n with n agents sharing the state). */
  setRateShare?(share: number): void;
  close(): Promise<void>;
}

/** The connectors of the agent's start: each ConnectWise `site` is first turned into its API base. */
export async function openConnectors(config: Pick<AppConfig, 'connections' | 'http'>, log: Logger): Promise<Connectors> {
  return createConnectors({ ...config, connections: await resolveSites(config, log) }, log);
}

export function createConnectors(config: Pick<AppConfig, 'connections' | 'http'>, log: Logger): Connectors {
  const clients = new Map<string, ConnectWiseClient | TraedeClient>();
  const budgets: RateBudget[] = [];
  let share = 1;

  const resolve = (type: Connection['type'], name?: string): string => resolveConnection(config.connections, type, name);

  const get = <T>(type: Connection['type'], name: string | undefined, build: (conn: never, http: HttpClient) => T): T => {
    const resolved = resolve(type, name);
    let client = clients.get(resolved);
    if (!client) {
      const conn = config.connections[resolved] as Connection;
      if (conn.url === undefined) {
        throw new DropwiseError('DW_CONFIG_INVALID', `connection "${resolved}": the API address of its site was not found at start`, { hint: 'Start dropwise again once the site answers' });
      }
      const rpm = conn.requestsPerMinute ?? (conn.type === 'connectwise' ? CONNECTWISE_REQUESTS_PER_MINUTE : 0);
      const budget = rpm > 0 ? new RateBudget({ requestsPerMinute: rpm }) : undefined;
      if (budget) {
        budget.setShare(share);
        budgets.push(budget);
      }
      const http = new HttpClient({ ...config.http, origin: new URL(conn.url).origin, name: resolved, log, budget });
      client = build(conn as never, http) as ConnectWiseClient | TraedeClient;
      clients.set(resolved, client);
    }
    return client as T;
  };

  return {
    connectwise: (name) => get('connectwise', name, (conn, http) => new ConnectWiseClient(conn, http, log)),
    traede: (name) => get('traede', name, (conn, http) => new TraedeClient(conn, http, log)),
    resolve,
    setRateShare: (next) => {
      share = next;
      for (const budget of budgets) budget.setShare(next);
    },
    close: async () => {
      await Promise.all([...clients.values()].map((c) => c.close()));
      clients.clear();
    },
  };
}
