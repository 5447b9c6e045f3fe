// The <errors> annotation of ARCHITECTURE §3, used in fail files and in <name>.error.xml files.
import { DropwiseError } from '../errors.js';
import { valueToXml } from './json-to-xml.js';

export interface ErrorEntry {
  code: string;
  message: string;
  field?: string;
  httpStatus?: number;
}

export function errorEntry(err: DropwiseError): ErrorEntry {
  return {
    code: err.code,
    message: err.fullMessage,
    ...(err.field !== undefined ? { field: err.field } : {}),
    ...(err.httpStatus !== undefined ? { httpStatus: err.httpStatus } : {}),
  };
}

/** `<errors><error>…</error></errors>` indented at `depth`. */
export function errorsToXml(errors: ErrorEntry[], depth: number): string {
  return valueToXml('errors', errors.map((e) => ({ code: e.code, message: e.message, field: e.field, httpStatus: e.httpStatus })), depth);
}
