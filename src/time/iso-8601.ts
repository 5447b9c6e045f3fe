// The one ISO 8601 reader of dropwise: task settings (dateModified, thruDate, notExportedSince…), record
// fields (paymentDate), ConnectWise [datetime] condition values and Traede filter values all accept the
// same forms, checked the same way (a day or time that does not exist is refused, not rolled over).
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * The instant an ISO 8601 date or date-time names, in ms since the epoch (no zone means UTC; a date
 * alone is its midnight); undefined when the text is not one or names a day or time that does not exist.
 */
export function isoInstant(text: string): number | undefined {
  const m = ISO_8601.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone = 'Z'] = m;
  const daysInMonth = new Date(Date.UTC(Number(y), Number(mo), 0)).getUTCDate();
  if (Number(mo) < 1 || Number(mo) > 12 || Number(d) < 1 || Number(d) > daysInMonth) return undefined;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined;
  const offset = zone === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  const ms = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}${frac}${offset}`);
  return Number.isNaN(ms) ? undefined : ms;
}

/** An instant as `YYYY-MM-DDTHH:MM:SSZ` in UTC, to the whole second, as ConnectWise stamps them. */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.000Z$/, 'Z');
}

/** An ISO 8601 date or date-time as `YYYY-MM-DDTHH:MM:SSZ` in UTC (see isoInstant); undefined when it is not one. */
export function isoDateTime(text: string): string | undefined {
  const ms = isoInstant(text);
  return ms === undefined ? undefined : isoSeconds(ms);
}
