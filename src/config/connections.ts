// Which configured connection a task uses: the one it names, else the default of its kind (the one
// marked default, or the only one of that type). Shared by the run planner and the connectors.
import { DropwiseError } from '../errors.js';
import type { Connection } from './entries.js';

export function resolveConnection(connections: Readonly<Record<string, Connection>>, type: Connection['type'], name?: string): string {
  if (name !== undefined) {
    const conn = connections[name];
    if (!conn) {
      throw new DropwiseError('DW_CONNECTION_UNKNOWN', `There is no connection named "${name}"`, {
        hint: `Add it under "connections" in the config, or use one of: ${Object.keys(connections).join(', ') || '(none configured)'}`,
      });
    }
    if (conn.type !== type) {
      throw new DropwiseError('DW_CONNECTION_UNKNOWN', `Connection "${name}" is a ${conn.type} connection, but this task needs ${type}`);
    }
    return name;
  }
  const ofType = Object.entries(connections).filter(([, c]) => c.type === type);
  const chosen = ofType.find(([, c]) => c.default === true) ?? (ofType.length === 1 ? ofType[0] : undefined);
  if (!chosen) {
    throw new DropwiseError(
      'DW_CONNECTION_UNKNOWN',
      ofType.length === 0 ? `No ${type} connection is configured` : `Several ${type} connections are configured and none is marked "default": true`,
      { hint: 'Name the connection in the task (connection setting) or mark one connection as default' },
    );
  }
  return chosen[0];
}
