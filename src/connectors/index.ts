// Builds and caches one client per named connection. Tasks ask for a connection by name, or for the
// default one of a kind: the one marked default, or the only one of that type.
import type { AppConfig, Connection } from '../config/load.js';
import { DropwiseError } from '../errors.js';
import type { Logger } from '../log.js';
import { ConnectWiseClient } from './connectwise/client.js';
import { HttpClient } from './http.js';
import { TraedeClient } from './traede/client.js';

export interface Connectors {
  connectwise(name?: string): ConnectWiseClient;
  traede(name?: string): TraedeClient;
  /** Resolves a connection name (or the default of that type) without building a client. */
  resolve(type: Connection['type'], name?: string): string;
  close(): Promise<void>;
}

export function createConnectors(config: Pick<AppConfig, 'connections' | 'http'>, log: Logger): Connectors {
  const clients = new Map<string, ConnectWiseClient | TraedeClient>();

  const resolve = (type: Connection['type'], name?: string): string => {
    if (name !== undefined) {
      const conn = config.connections[name];
      if (!conn) {
        throw new DropwiseError('DW_CONNECTION_UNKNOWN', `There is no connection named "${name}"`, {
          hint: `Add it under "connections" in the config, or use one of: ${Object.keys(config.connections).join(', ') || '(none configured)'}`,
        });
      }
      if (conn.type !== type) {
        throw new DropwiseError('DW_CONNECTION_UNKNOWN', `Connection "${name}" is a ${conn.type} connection, but this task needs ${type}`);
      }
      return name;
    }
    const ofType = Object.entries(config.connections).filter(([, c]) => c.type === type);
    const chosen = ofType.find(([, c]) => c.default === true) ?? (ofType.length === 1 ? ofType[0] : undefined);
    if (!chosen) {
      throw new DropwiseError(
        'DW_CONNECTION_UNKNOWN',
        ofType.length === 0 ? `No ${type} connection is configured` : `Several ${type} connections are configured and none is marked "default": true`,
        { hint: 'Name the connection in the task (connection setting) or mark one connection as default' },
      );
    }
    return chosen[0];
  };

  const get = <T>(type: Connection['type'], name: string | undefined, build: (conn: never, http: HttpClient) => T): T => {
    const resolved = resolve(type, name);
    let client = clients.get(resolved);
    if (!client) {
      const conn = config.connections[resolved] as Connection;
      const http = new HttpClient({ ...config.http, origin: new URL(conn.url).origin, name: resolved, log });
      client = build(conn as never, http) as ConnectWiseClient | TraedeClient;
      clients.set(resolved, client);
    }
    return client as T;
  };

  return {
    connectwise: (name) => get('connectwise', name, (conn, http) => new ConnectWiseClient(conn, http, log)),
    traede: (name) => get('traede', name, (conn, http) => new TraedeClient(conn, http, log)),
    resolve,
    close: async () => {
      await Promise.all([...clients.values()].map((c) => c.close()));
      clients.clear();
    },
  };
}
