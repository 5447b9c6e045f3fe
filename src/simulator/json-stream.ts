// Writes a JSON object whose members are long arrays record by record, honouring back-pressure:
// nothing but the current chunk is ever held, so a million records stream at flat memory.
import type { ServerResponse } from 'node:http';
import type { Json } from './query/list-query.js';

const CHUNK = 64 * 1024;

export type Section = [name: string, records: Iterable<Json | undefined>];

export async function streamJsonObject(res: ServerResponse, sections: Section[]): Promise<void> {
  let buffer = '{';
  let closed = false;
  res.once('close', () => (closed = true));
  const flush = async (): Promise<void> => {
    if (buffer === '') return;
    const ok = res.write(buffer);
    buffer = '';
    if (!ok && !closed) await new Promise<void>((resolve) => {
      const done = (): void => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.on('drain', done);
      res.on('close', done);
    });
  };
  for (const [index, [name, records]] of sections.entries()) {
    buffer += `${index > 0 ? ',' : ''}${JSON.stringify(name)}:[`;
    let first = true;
    for (const record of records) {
      if (closed) return;
      if (record === undefined) continue;
      buffer += (first ? '' : ',') + JSON.stringify(record);
      first = false;
      if (buffer.length >= CHUNK) await flush();
    }
    buffer += ']';
  }
  buffer += '}';
  await flush();
  if (!closed) res.end();
}
