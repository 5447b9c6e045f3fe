// Instants shown in a named IANA time zone (a schedule's `timezone`), so that a person reads a
// schedule's next run as the wall-clock time it was written for, with the offset that makes it exact.

/** Whether the runtime knows this IANA time zone name (Europe/Copenhagen, UTC...). */
export function isTimeZone(name: string): boolean {
  if (name.trim() === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** The instant as `YYYY-MM-DDTHH:MM:SS+HH:MM` in the zone (ISO 8601 with the zone's offset then). */
export function zonedIso(date: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    timeZoneName: 'longOffset',
  }).formatToParts(date);
  const part = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? '';
  // longOffset reads "GMT+01:00", or "GMT" alone when the offset is zero.
  const offset = part('timeZoneName').replace(/^GMT/, '') || '+00:00';
  return `${part('year')}-${part('month')}-${part('day')}T${part('hour')}:${part('minute')}:${part('second')}${offset}`;
}
