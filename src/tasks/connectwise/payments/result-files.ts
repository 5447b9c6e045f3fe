// The success and fail files of an import: each record exactly as it came in, plus its result or its
// <errors>. A file is opened at its first record, so a run with no failures leaves no empty fail file.
import type { DropwiseError } from '../../../errors.js';
import { errorEntry, errorsToXml } from '../../../xml/errors-xml.js';
import { toUtf8Xml, valueToXml } from '../../../xml/json-to-xml.js';
import { elementToXml, type XmlElement } from '../../../xml/reader.js';
import { XmlDocumentWriter } from '../../../xml/writer.js';
import type { Outbox, OutboxFolder, OutputFile } from '../../types.js';

interface OpenOutput {
  file: OutputFile;
  writer: XmlDocumentWriter;
}

export class ResultFiles {
  private readonly open = new Map<OutboxFolder, OpenOutput>();

  constructor(
    private readonly outbox: Outbox,
    private readonly names: Record<OutboxFolder, string>,
    private readonly root: string,
  ) {}

  /** The record plus `<result>` (whatever `result` holds, as elements) into the success file. */
  async success(element: XmlElement, result: Record<string, unknown>): Promise<void> {
    await this.write('success', element, valueToXml('result', result, 2));
  }

  /** The record plus `<errors>` into the fail file. */
  async fail(element: XmlElement, errors: DropwiseError[]): Promise<void> {
    await this.write('fail', element, errorsToXml(errors.map(errorEntry), 2));
  }

  /** Finishes and commits every file written to; returns their final paths (success first). */
  async commit(): Promise<string[]> {
    const paths: string[] = [];
    for (const folder of ['success', 'fail'] as const) {
      const output = this.open.get(folder);
      if (!output) continue;
      await output.writer.end();
      paths.push(await output.file.commit());
      this.open.delete(folder);
    }
    return paths;
  }

  /** Drops whatever is not committed. */
  async abort(): Promise<void> {
    await Promise.all([...this.open.values()].map((o) => o.file.abort()));
    this.open.clear();
  }

  private async write(folder: OutboxFolder, element: XmlElement, extra: string): Promise<void> {
    let output = this.open.get(folder);
    if (!output) {
      const file = await this.outbox.create(folder, this.names[folder]);
      output = { file, writer: new XmlDocumentWriter(file.stream) };
      this.open.set(folder, output);
      await output.writer.start(this.root);
    }
    await output.writer.raw(toUtf8Xml(elementToXml(element, 1, [extra])));
  }
}
