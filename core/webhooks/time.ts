/**
 * Timestamps from webhook payloads → UTC instants (`YYYY-MM-DDTHH:MM:SS.sssZ`).
 *
 * Accepted shapes (all require an explicit zone; a local time without one is ambiguous and rejected):
 *   2011-12-12T14:27:31+02:00     ISO 8601 / RFC 3339 (GitHub, GitLab push and MR hooks, CircleCI)
 *   2013-12-03T17:23:34.123Z      fractional seconds (any digits; truncated to milliseconds)
 *   2021-04-28 21:50:00 +0200     GitLab deployment hooks (space separator, ±HHMM offset)
 *   2016-08-12 15:23:28 UTC       GitLab pipeline / job hooks (`UTC` or `GMT` designator)
 * Offsets may be written ±HH:MM, ±HHMM or ±HH, up to ±18:00. Calendar fields are range-checked
 * (no 30 February, no hour 24, no leap second 60). Returns undefined instead of throwing.
 */
const PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?\s?(?:([Zz]|UTC|GMT)|([+-])(\d{2})(?::?(\d{2}))?)$/;

const MAX_OFFSET_MINUTES = 18 * 60;

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
}

/** Milliseconds since the epoch for a payload timestamp, or undefined when it is not a valid instant. */
export function parseInstantMs(input: string): number | undefined {
  const m = PATTERN.exec(input.trim());
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const millis = m[7] ? Number(m[7].padEnd(3, '0').slice(0, 3)) : 0;

  let offsetMinutes = 0;
  if (!m[8]) {
    const oh = Number(m[10]);
    const om = m[11] === undefined ? 0 : Number(m[11]);
    if (om > 59) return undefined;
    offsetMinutes = (oh * 60 + om) * (m[9] === '-' ? -1 : 1);
    if (Math.abs(offsetMinutes) > MAX_OFFSET_MINUTES) return undefined;
  }

  // setUTCFullYear keeps years 0–99 literal (Date.UTC would map them to 1900–1999).
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, millis);
  // Local wall time = UTC + offset, so UTC = local − offset.
  const ms = d.getTime() - offsetMinutes * 60_000;
  return Number.isFinite(ms) ? ms : undefined;
}

/** A payload timestamp as a UTC ISO string, or undefined when it is not a valid instant. */
export function toUtcIso(input: string): string | undefined {
  const ms = parseInstantMs(input);
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

/** Unix seconds (GitHub push `repository.pushed_at`) → UTC ISO string. */
export function fromUnixSeconds(seconds: number): string | undefined {
  return fromUnixMillis(seconds * 1000);
}

/** Unix milliseconds (Jenkins `build.timestamp`) → UTC ISO string. */
export function fromUnixMillis(millis: number): string | undefined {
  if (!Number.isFinite(millis) || Math.abs(millis) > 8.64e15) return undefined;
  return new Date(Math.trunc(millis)).toISOString();
}

/** The earliest of several ISO instants, or undefined for none. */
export function earliest(instants: readonly string[]): string | undefined {
  return instants.reduce<string | undefined>((min, t) => (min === undefined || Date.parse(t) < Date.parse(min) ? t : min), undefined);
}
