// One attempt at the GL export: POST /finance/accounting/export read as a stream, converted record by
// record into a temp output that is committed only when the whole body was read. Whatever goes wrong
// mid-stream (dropped connection, cut-off body, full disk) drops the temp output, so nothing ever
// appears at the final name half-written, and the error says what happened and whether a new
// attempt from the start may succeed.
import type { Writable } from 'node:stream';
import { countedBody, type BodyProgress } from '../../../connectors/api-call.js';
import type { ConnectWiseClient } from '../../../connectors/connectwise/client.js';
import { DropwiseError, toDropwiseError } from '../../../errors.js';
import { readRawTopLevelRecords } from '../../../json/record-stream.js';
import type { OutputFile } from '../../types.js';
import { XmlDocumentWriter } from '../../../xml/writer.js';
import { convertGlExport, type ConvertOptions, type ConvertResult } from './convert.js';
import { glExportStopped } from './stopped.js';

export const GL_EXPORT_PATH = '/finance/accounting/export';

/** How far an attempt got, for the log and the error message. */
export interface StreamProgress extends BodyProgress {
  records: number;
}

/** An error reading the body means the connection dropped: worth an attempt from the start. */
function dropped(err: unknown): DropwiseError {
  const code = (err as { code?: string }).code ?? (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
  return new DropwiseError('DW_CW_UNAVAILABLE', `the connection to ConnectWise dropped (${code})`, { retryable: true, cause: err });
}

/** Rejects as soon as the output stream fails (a full disk), whatever the writer is waiting for. */
function outputFailure(stream: Writable): { failed: Promise<never>; dispose(): void } {
  let onError: (err: Error) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => {
    onError = (err) => reject(new DropwiseError('DW_OUTPUT_WRITE', `The GL export file could not be written: ${(err as NodeJS.ErrnoException).code ?? err.message}`, {
      hint: 'Check the free space and permissions of the work and outbox folders',
      cause: err,
    }));
    stream.once('error', onError);
  });
  failed.catch(() => undefined);
  return { failed, dispose: () => stream.off('error', onError) };
}

export interface AttemptResult extends ConvertResult {
  /** The committed output's path, or undefined when the export held no records (nothing written). */
  path: string | undefined;
}

/** Where the GLExport comes from (default the GL export) and whether to keep the converted file. */
export interface AttemptSource {
  /** A path answering with a GLExport: the GL export, a batch's creation or a batch's re-export. */
  resource?: string;
  /** False for a request that must not be repeated blindly (creating a batch). Default true. */
  idempotent?: boolean;
  /** Asked once the whole body was converted: false drops the output (path undefined). */
  accept?(): boolean;
}

export async function exportAttempt(
  client: ConnectWiseClient,
  body: Record<string, unknown>,
  output: OutputFile,
  options: ConvertOptions & { progress: StreamProgress } & AttemptSource,
): Promise<AttemptResult> {
  const watch = outputFailure(output.stream);
  let res: Awaited<ReturnType<ConnectWiseClient['stream']>> | undefined;
  try {
    res = await client.stream('POST', options.resource ?? GL_EXPORT_PATH, { body, idempotent: options.idempotent ?? true, signal: options.signal });
    const events = readRawTopLevelRecords(countedBody(res.body, options.progress, dropped));
    const result = await Promise.race([
      convertGlExport(events, new XmlDocumentWriter(output.stream), {
        ...options,
        onProgress: (records) => {
          options.progress.records = records;
          options.onProgress?.(records);
        },
      }),
      watch.failed,
    ]);
    if (result.records === 0 || options.accept?.() === false) {
      await output.abort();
      return { ...result, path: undefined };
    }
    return { ...result, path: await output.commit() };
  } catch (err) {
    // A write error may surface first as whatever the writer was doing; the output's own error says it best.
    const failure: unknown = output.stream.errored ? await watch.failed.catch((e: unknown) => e) : err;
    res?.body.destroy();
    await output.abort();
    if (options.signal?.aborted) throw glExportStopped(err);
    throw toDropwiseError(failure);
  } finally {
    watch.dispose();
  }
}
