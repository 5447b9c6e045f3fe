// The one registry of secret values to scrub, and the scrubbing: used by the logger for every line and
// by DropwiseError for every message, so it sits below both and imports nothing of the project.

export const REDACTED = '[redacted]';

const SECRET_KEY = /(authorization|password|passwd|secret|token|private.?key|public.?key|app.?key|api.?key|cookie)/i;
// "Basic abc==" / "Bearer xyz" in free text, e.g. an error message that quotes a header.
const AUTH_SCHEME = /\b(Basic|Bearer)\s+[A-Za-z0-9._~+/=-]{6,}/g;

/** Holds the secret values to scrub. Values are registered at start-up from the config. */
export class SecretRedactor {
  private values: string[] = [];

  add(...secrets: (string | undefined)[]): void {
    for (const s of secrets) {
      if (!s || s.length < 4 || this.values.includes(s)) continue;
      this.values.push(s);
      // A secret also travels base64-encoded inside Basic auth headers.
      const b64 = Buffer.from(s).toString('base64').replace(/=+$/, '');
      if (b64.length >= 8) this.values.push(b64);
    }
    this.values.sort((a, b) => b.length - a.length);
  }

  redactString(text: string): string {
    let out = text.replace(AUTH_SCHEME, `$1 ${REDACTED}`);
    for (const v of this.values) if (out.includes(v)) out = out.split(v).join(REDACTED);
    return out;
  }

  /** A copy of `value` with secret-named fields and secret values replaced. */
  redact(value: unknown, seen = new WeakSet<object>()): unknown {
    if (typeof value === 'string') return this.redactString(value);
    if (typeof value !== 'object' || value === null) return value;
    if (seen.has(value)) return '[circular]';
    seen.add(value);
    if (Array.isArray(value)) return value.map((v) => this.redact(v, seen));
    if (value instanceof Error) {
      return { name: value.name, message: this.redactString(value.message), code: (value as { code?: unknown }).code };
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = SECRET_KEY.test(k) && v !== undefined && v !== null && v !== '' ? REDACTED : this.redact(v, seen);
    }
    return out;
  }
}

/** The process-wide redactor; the config's secrets are added to it at start-up. */
export const redactor = new SecretRedactor();
