import { describe, expect, it } from 'vitest';
import { earliest, fromUnixMillis, fromUnixSeconds, toUtcIso } from '../../core/webhooks/time.js';

describe('webhook timestamps keep their timezone offsets when converted to UTC', () => {
  it.each([
    ['GitLab deployment style with +HHMM', '2021-04-28 21:50:00 +0200', '2021-04-28T19:50:00.000Z'],
    ['GitLab pipeline style with UTC designator', '2016-08-12 15:23:28 UTC', '2016-08-12T15:23:28.000Z'],
    ['ISO 8601 with +HH:MM', '2011-12-12T14:27:31+02:00', '2011-12-12T12:27:31.000Z'],
    ['ISO 8601 with Z', '2013-12-03T17:23:34Z', '2013-12-03T17:23:34.000Z'],
    ['a negative offset moves the instant later', '2026-02-27T19:05:00-05:00', '2026-02-28T00:05:00.000Z'],
    ['a positive offset can cross back over midnight', '2012-01-03T00:30:00+02:00', '2012-01-02T22:30:00.000Z'],
    ['a negative offset can cross into the next year', '2021-12-31 20:00:00 -0500', '2022-01-01T01:00:00.000Z'],
    ['crossing back into a leap day', '2020-03-01 01:00:00 +0300', '2020-02-29T22:00:00.000Z'],
    ['half-hour offsets', '2026-01-01 05:30:00 +0530', '2026-01-01T00:00:00.000Z'],
    ['quarter-hour offsets with a colon', '2026-01-01T05:45:00+05:45', '2026-01-01T00:00:00.000Z'],
    ['hour-only offsets', '2026-01-01T03:00:00+03', '2026-01-01T00:00:00.000Z'],
    ['GMT designator', '2026-01-01 00:00:00 GMT', '2026-01-01T00:00:00.000Z'],
    ['fractional seconds are kept to the millisecond', '2026-01-01T00:00:00.123456789Z', '2026-01-01T00:00:00.123Z'],
    ['a single fractional digit means tenths', '2026-01-01T00:00:00.5+01:00', '2025-12-31T23:00:00.500Z'],
    ['a lowercase t and z', '2026-01-01t00:00:00z', '2026-01-01T00:00:00.000Z'],
    ['surrounding whitespace', '  2026-01-01 00:00:00 +0000 ', '2026-01-01T00:00:00.000Z'],
    ['-0000 is UTC', '2026-01-01 00:00:00 -0000', '2026-01-01T00:00:00.000Z'],
  ])('%s: %s → %s', (_case, input, expected) => {
    expect(toUtcIso(input)).toBe(expected);
  });

  it.each([
    ['a local time without zone is ambiguous', '2021-04-28 21:50:00'],
    ['an ISO local time without zone is ambiguous', '2021-04-28T21:50:00'],
    ['30 February does not exist', '2021-02-30 10:00:00 +0000'],
    ['29 February outside a leap year', '2021-02-29T10:00:00Z'],
    ['hour 24', '2021-04-28 24:00:00 +0000'],
    ['minute 60', '2021-04-28T10:60:00Z'],
    ['leap second 60', '2016-12-31T23:59:60Z'],
    ['month 13', '2021-13-01T00:00:00Z'],
    ['day 0', '2021-01-00T00:00:00Z'],
    ['offset beyond ±18:00', '2021-04-28 10:00:00 +1900'],
    ['offset minutes beyond 59', '2021-04-28T10:00:00+01:75'],
    ['a date without time', '2021-04-28'],
    ['an unknown zone name', '2021-04-28 10:00:00 CEST'],
    ['garbage', 'yesterday at noon'],
    ['empty', ''],
  ])('rejects %s (%s)', (_case, input) => {
    expect(toUtcIso(input)).toBeUndefined();
  });

  it('keeps years below 100 literal instead of mapping them to the 1900s', () => {
    expect(toUtcIso('0050-06-01T00:00:00Z')).toBe('0050-06-01T00:00:00.000Z');
  });

  it('converts unix seconds and milliseconds, rejecting non-finite and out-of-range values', () => {
    expect(fromUnixSeconds(1557933657)).toBe('2019-05-15T15:20:57.000Z');
    expect(fromUnixMillis(1772269200000)).toBe('2026-02-28T09:00:00.000Z');
    expect(fromUnixMillis(Number.NaN)).toBeUndefined();
    expect(fromUnixSeconds(Number.POSITIVE_INFINITY)).toBeUndefined();
    expect(fromUnixMillis(9e15)).toBeUndefined();
  });

  it('finds the earliest instant by time, not by text', () => {
    // Text order would pick 20:00Z; 23:00+05:00 is 18:00Z.
    expect(earliest(['2026-01-01T20:00:00.000Z', '2026-01-01T23:00:00+05:00'])).toBe('2026-01-01T23:00:00+05:00');
    expect(earliest([])).toBeUndefined();
  });
});
