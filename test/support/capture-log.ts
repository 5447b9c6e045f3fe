// A logger that keeps its lines in memory, for tests that check what an operator would read.
import { Writable } from 'node:stream';
import winston from 'winston';
import type { Logger } from '../../src/log.js';

export function captureLogger(): { log: Logger; lines: { level: string; message: string }[] } {
  const lines: { level: string; message: string }[] = [];
  const stream = new Writable({
    objectMode: true,
    write(info: { level: string; message: string }, _enc, done) {
      lines.push({ level: info.level, message: info.message });
      done();
    },
  });
  return { log: winston.createLogger({ level: 'debug', transports: [new winston.transports.Stream({ stream })] }), lines };
}
