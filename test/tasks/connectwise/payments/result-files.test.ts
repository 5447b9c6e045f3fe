import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { RunOutbox } from '../../../../src/agent/pipeline/outbox.js';
import { DropwiseError } from '../../../../src/errors.js';
import { ResultFiles } from '../../../../src/tasks/connectwise/payments/result-files.js';
import { readRecords, type XmlElement } from '../../../../src/xml/reader.js';
import { makeTempDirSync } from '../../../support/temp-dir.js';

async function elements(xml: string): Promise<XmlElement[]> {
  const out: XmlElement[] = [];
  for await (const { element } of readRecords(Readable.from([xml]))) out.push(element);
  return out;
}

function outbox() {
  const dir = makeTempDirSync('dw-results-');
  const dirs = { tmp: path.join(dir, 'tmp'), success: path.join(dir, 'success'), fail: path.join(dir, 'fail') };
  for (const d of Object.values(dirs)) fs.mkdirSync(d);
  return { dirs, outbox: new RunOutbox(dirs, 'run') };
}

describe('ResultFiles', () => {
  it('writes each record as given plus its result or errors, in the seed format', async () => {
    const [a, b] = await elements(
      '<InvoicePayments><InvoicePayment><id>2</id><invoice><id>206</id></invoice><memo a="1">x &amp; y</memo></InvoicePayment><InvoicePayment><invoice><id>9</id></invoice></InvoicePayment></InvoicePayments>',
    );
    const { outbox: box } = outbox();
    const files = new ResultFiles(box, { success: 'p_success.xml', fail: 'p_fail.xml' }, 'InvoicePayments');
    await files.success(a as XmlElement, { paymentId: 123, action: 'created' });
    await files.fail(b as XmlElement, [new DropwiseError('DW_CW_NOT_FOUND', 'ConnectWise: Invoice recId 9 not found', { field: 'invoice/id', httpStatus: 404 })]);
    const [success, fail] = await files.commit();
    expect(fs.readFileSync(success as string, 'utf8')).toBe(`<?xml version="1.0" encoding="utf-8"?>
<InvoicePayments xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">
  <InvoicePayment>
    <id>2</id>
    <invoice>
      <id>206</id>
    </invoice>
    <memo a="1">x &amp; y</memo>
    <result>
      <paymentId>123</paymentId>
      <action>created</action>
    </result>
  </InvoicePayment>
</InvoicePayments>
`);
    expect(fs.readFileSync(fail as string, 'utf8')).toContain(`  <InvoicePayment>
    <invoice>
      <id>9</id>
    </invoice>
    <errors>
      <error>
        <code>DW_CW_NOT_FOUND</code>
        <message>ConnectWise: Invoice recId 9 not found</message>
        <field>invoice/id</field>
        <httpStatus>404</httpStatus>
      </error>
    </errors>
  </InvoicePayment>
</InvoicePayments>
`);
    expect(path.basename(fail as string)).toBe('p_fail.xml');
  });

  it('writes no file for a side without records, and leaves nothing behind on abort', async () => {
    const [a] = await elements('<InvoicePayments><InvoicePayment><invoice><id>1</id></invoice></InvoicePayment></InvoicePayments>');
    const { outbox: box, dirs } = outbox();
    const files = new ResultFiles(box, { success: 's.xml', fail: 'f.xml' }, 'InvoicePayments');
    await files.success(a as XmlElement, { paymentId: 1, action: 'updated' });
    expect((await files.commit()).map((p) => path.basename(p))).toEqual(['s.xml']);
    expect(fs.readdirSync(dirs.fail)).toEqual([]);

    const aborted = new ResultFiles(box, { success: 's.xml', fail: 'f.xml' }, 'InvoicePayments');
    await aborted.fail(a as XmlElement, [new DropwiseError('DW_RECORD_INVALID', 'x')]);
    await aborted.abort();
    expect(fs.readdirSync(dirs.fail)).toEqual([]);
    expect(fs.readdirSync(dirs.tmp)).toEqual([]);
  });
});
