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
  const [, ys, mos, ds, h = '00', mi = '00', s = '00', frac = '', zone = 'Z'] = m;
  const [y, mo, d] = [Number(ys), Number(mos), Number(ds)];
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth) return undefined;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined;
  // Milliseconds: the first three digits of the fraction, the rest cut off (as Date.parse does).
  const millis = frac === '' ? 0 : Number(frac.slice(1, 4).padEnd(3, '0'));
  const [zoneH, zoneM] = zone === 'Z' ? [0, 0] : [Number(zone.slice(1, 3)), Number(zone.slice(-2))];
  if (zoneH > 23 || zoneM > 59) return undefined;
  const zoneMinutes = (zone[0] === '-' ? -1 : 1) * (zoneH * 60 + zoneM);
  // Date.UTC reads the years 0–99 as 1900–1999: those get their own year back.
  const local = Date.UTC(y, mo - 1, d, Number(h), Number(mi), Number(s), millis);
  const instant = (y < 100 ? new Date(local).setUTCFullYear(y) : local) - zoneMinutes * 60_000;
  return Number.isNaN(instant) ? undefined : instant;
}

/** An instant as `YYYY-MM-DDTHH:MM:SSZ` in UTC, to the whole second, as ConnectWise stamps them. */
export function isoSeconds(ms: number): string {
  const text = new Date(Math.floor(ms / 1000) * 1000).toISOString();
  return `${text.slice(0, -5)}Z`;
}

/** An ISO 8601 date or date-time as `YYYY-MM-DDTHH:MM:SSZ` in UTC (see isoInstant); undefined when it is not one. */
export function isoDateTime(text: string): string | undefined {
  const ms = isoInstant(text);
  return ms === undefined ? undefined : isoSeconds(ms);
}
