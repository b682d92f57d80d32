/**
 * util.time for the local APPSYNC_JS runtime. AppSync documents its datetime patterns as Java's
 * DateTimeFormatter (with SimpleDateFormat habits such as `Z`), so patterns are tokenised the Java way
 * and time zones are resolved through Intl (IANA ids) or as fixed offsets (`+08:00`, `UTC`).
 */

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

type Token = { kind: 'field'; letter: string; count: number } | { kind: 'literal'; text: string };

/** Raised for a pattern, zone or timestamp that Java's formatter would reject. */
export class TimeFormatError extends Error {
  override name = 'DateTimeException';
}

const tokenCache = new Map<string, Token[]>();

function tokenize(pattern: string): Token[] {
  const cached = tokenCache.get(pattern);
  if (cached) return cached;
  const tokens: Token[] = [];
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern.charAt(i);
    if (ch === "'") {
      // '' is a literal quote; 'text' is quoted literal text
      if (pattern.charAt(i + 1) === "'") {
        tokens.push({ kind: 'literal', text: "'" });
        i += 2;
        continue;
      }
      let text = '';
      i += 1;
      while (i < pattern.length) {
        if (pattern.charAt(i) === "'") {
          if (pattern.charAt(i + 1) === "'") {
            text += "'";
            i += 2;
            continue;
          }
          break;
        }
        text += pattern.charAt(i);
        i += 1;
      }
      if (i >= pattern.length)
        throw new TimeFormatError(`Pattern ends with an incomplete string literal: ${pattern}`);
      tokens.push({ kind: 'literal', text });
      i += 1;
      continue;
    }
    if (/[A-Za-z]/.test(ch)) {
      let count = 1;
      while (pattern.charAt(i + count) === ch) count += 1;
      if (!/[GyuMLdDEaHkKhmsSZXxzVOQ]/.test(ch)) throw new TimeFormatError(`Unknown pattern letter: ${ch}`);
      tokens.push({ kind: 'field', letter: ch, count });
      i += count;
      continue;
    }
    tokens.push({ kind: 'literal', text: ch });
    i += 1;
  }
  tokenCache.set(pattern, tokens);
  return tokens;
}

const FIXED_OFFSET = /^(?:UTC|GMT|UT)?([+-])(\d{1,2})(?::?(\d{2}))?$/;

/** Offset in minutes east of UTC of `zone` at the instant `ms`. */
export function zoneOffsetMinutes(zone: string, ms: number): number {
  if (zone === 'Z' || zone === 'UTC' || zone === 'GMT' || zone === 'UT') return 0;
  const fixed = FIXED_OFFSET.exec(zone);
  if (fixed) {
    const minutes = Number(fixed[2]) * 60 + Number(fixed[3] ?? '0');
    return fixed[1] === '-' ? -minutes : minutes;
  }
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    }).formatToParts(new Date(ms));
  } catch {
    throw new TimeFormatError(`Unknown time-zone ID: ${zone}`);
  }
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? '0');
  const era = parts.find((p) => p.type === 'era')?.value;
  const year = era === 'BC' || era === 'B' ? 1 - get('year') : get('year');
  const asUtc = Date.UTC(year, get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  const whole = Math.floor(ms / 1000) * 1000;
  return Math.round((asUtc - whole) / 60000);
}

function pad(value: number, width: number): string {
  const sign = value < 0 ? '-' : '';
  return sign + String(Math.abs(value)).padStart(width, '0');
}

function formatOffset(minutes: number, withColon: boolean, minutesOptional: boolean): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  const hh = pad(Math.floor(abs / 60), 2);
  const mm = pad(abs % 60, 2);
  if (minutesOptional && abs % 60 === 0) return sign + hh;
  return sign + hh + (withColon ? ':' : '') + mm;
}

function zoneShortName(zone: string, ms: number): string {
  if (FIXED_OFFSET.test(zone) || zone === 'Z') return zone === 'Z' ? 'Z' : zone;
  const part = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'short' })
    .formatToParts(new Date(ms))
    .find((p) => p.type === 'timeZoneName');
  return part?.value ?? zone;
}

function formatField(
  letter: string,
  count: number,
  d: Date,
  offset: number,
  zone: string,
  ms: number,
): string {
  const year = d.getUTCFullYear();
  const hour = d.getUTCHours();
  switch (letter) {
    case 'G':
      return count === 4 ? (year > 0 ? 'Anno Domini' : 'Before Christ') : year > 0 ? 'AD' : 'BC';
    case 'y':
    case 'u':
      return count === 2 ? pad(((year % 100) + 100) % 100, 2) : pad(year, count);
    case 'M':
    case 'L': {
      const month = d.getUTCMonth();
      if (count >= 4) return MONTHS[month] ?? '';
      if (count === 3) return (MONTHS[month] ?? '').slice(0, 3);
      return pad(month + 1, count);
    }
    case 'd':
      return pad(d.getUTCDate(), count);
    case 'D': {
      const start = Date.UTC(year, 0, 1);
      return pad(Math.floor((d.getTime() - start) / 86_400_000) + 1, count);
    }
    case 'E': {
      const day = DAYS[d.getUTCDay()] ?? '';
      return count >= 4 ? day : day.slice(0, 3);
    }
    case 'Q':
      return pad(Math.floor(d.getUTCMonth() / 3) + 1, count);
    case 'a':
      return hour < 12 ? 'AM' : 'PM';
    case 'H':
      return pad(hour, count);
    case 'k':
      return pad(hour === 0 ? 24 : hour, count);
    case 'K':
      return pad(hour % 12, count);
    case 'h':
      return pad(hour % 12 === 0 ? 12 : hour % 12, count);
    case 'm':
      return pad(d.getUTCMinutes(), count);
    case 's':
      return pad(d.getUTCSeconds(), count);
    case 'S':
      // a fraction of a second: the leading digits of the nanosecond value
      return pad(d.getUTCMilliseconds(), 3).padEnd(count, '0').slice(0, count);
    case 'Z':
      if (count <= 3) return formatOffset(offset, false, false);
      if (count === 4) return offset === 0 ? 'GMT' : `GMT${formatOffset(offset, true, false)}`;
      return offset === 0 ? 'Z' : formatOffset(offset, true, false);
    case 'X':
    case 'x': {
      if (letter === 'X' && offset === 0) return 'Z';
      if (count === 1) return formatOffset(offset, false, true);
      return formatOffset(offset, count >= 3, false);
    }
    case 'O': {
      if (offset === 0) return 'GMT';
      if (count === 4) return `GMT${formatOffset(offset, true, false)}`;
      const sign = offset < 0 ? '-' : '+';
      const abs = Math.abs(offset);
      return `GMT${sign}${Math.floor(abs / 60)}${abs % 60 ? `:${pad(abs % 60, 2)}` : ''}`;
    }
    case 'z':
      return count >= 4 ? zone : zoneShortName(zone, ms);
    case 'V':
      return zone;
    default:
      throw new TimeFormatError(`Unknown pattern letter: ${letter}`);
  }
}

/** Formats epoch milliseconds with a Java DateTimeFormatter pattern in `zone` (default UTC). */
export function formatEpochMillis(ms: number, pattern: string, zone = 'UTC'): string {
  if (!Number.isFinite(ms)) throw new TimeFormatError(`Not an epoch milliseconds value: ${String(ms)}`);
  const offset = zoneOffsetMinutes(zone, ms);
  const local = new Date(ms + offset * 60_000);
  return tokenize(pattern)
    .map((t) => (t.kind === 'literal' ? t.text : formatField(t.letter, t.count, local, offset, zone, ms)))
    .join('');
}

const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function fieldRegex(letter: string, count: number): string {
  switch (letter) {
    case 'y':
    case 'u':
      return count === 2 ? '(\\d{2})' : '([+-]?\\d{' + String(Math.max(count, 1)) + ',9})';
    case 'M':
    case 'L':
      if (count >= 4) return `(${MONTHS.join('|')})`;
      if (count === 3) return `(${MONTHS.map((m) => m.slice(0, 3)).join('|')})`;
      return count === 1 ? '(\\d{1,2})' : `(\\d{${count}})`;
    case 'E':
      return count >= 4 ? `(${DAYS.join('|')})` : `(${DAYS.map((m) => m.slice(0, 3)).join('|')})`;
    case 'a':
      return '(AM|PM|am|pm)';
    case 'G':
      return '(AD|BC|Anno Domini|Before Christ)';
    case 'S':
      return `(\\d{${count}})`;
    case 'Z':
    case 'X':
    case 'x':
      return '(Z|[+-]\\d{2}(?::?\\d{2})?)';
    case 'O':
      return '(GMT(?:[+-]\\d{1,2}(?::\\d{2})?)?)';
    case 'z':
    case 'V':
      return '([A-Za-z_/+\\-:0-9]+)';
    default:
      return count === 1 ? '(\\d{1,3})' : `(\\d{${count}})`;
  }
}

function parseOffset(text: string): number {
  if (text === 'Z' || text === 'GMT') return 0;
  const m = /^(?:GMT)?([+-])(\d{1,2}):?(\d{2})?$/.exec(text);
  if (!m) throw new TimeFormatError(`Invalid offset: ${text}`);
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? '0');
  return m[1] === '-' ? -minutes : minutes;
}

/** Parses `text` with a Java pattern; the zone comes from the text, else `zone`, else UTC. */
export function parseFormatted(text: string, pattern: string, zone?: string): number {
  const tokens = tokenize(pattern);
  const fields = tokens.filter((t): t is Extract<Token, { kind: 'field' }> => t.kind === 'field');
  const regex = new RegExp(
    '^' +
      tokens
        .map((t) => (t.kind === 'literal' ? escapeRegex(t.text) : fieldRegex(t.letter, t.count)))
        .join('') +
      '$',
  );
  const match = regex.exec(text);
  if (!match) throw new TimeFormatError(`Text '${text}' could not be parsed with pattern '${pattern}'`);
  let year = 1970;
  let month = 1;
  let day = 1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let millis = 0;
  let pm: boolean | undefined;
  let hour12: number | undefined;
  let offset: number | undefined;
  let zoneId = zone;
  fields.forEach((f, index) => {
    const value = match[index + 1] ?? '';
    switch (f.letter) {
      case 'y':
      case 'u':
        year = f.count === 2 ? 2000 + Number(value) : Number(value);
        break;
      case 'M':
      case 'L':
        month = f.count >= 3 ? MONTHS.findIndex((m) => m.startsWith(value)) + 1 : Number(value);
        break;
      case 'd':
        day = Number(value);
        break;
      case 'H':
        hour = Number(value);
        break;
      case 'k':
        hour = Number(value) % 24;
        break;
      case 'h':
      case 'K':
        hour12 = Number(value) % 12;
        break;
      case 'a':
        pm = value.toUpperCase() === 'PM';
        break;
      case 'm':
        minute = Number(value);
        break;
      case 's':
        second = Number(value);
        break;
      case 'S':
        millis = Number(value.padEnd(3, '0').slice(0, 3));
        break;
      case 'Z':
      case 'X':
      case 'x':
      case 'O':
        offset = parseOffset(value);
        break;
      case 'z':
      case 'V':
        zoneId = value;
        break;
      default:
        break;
    }
  });
  if (hour12 !== undefined) hour = hour12 + (pm ? 12 : 0);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) {
    throw new TimeFormatError(`Text '${text}' could not be parsed: a field is out of range`);
  }
  const wallClock = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  if (offset !== undefined) return wallClock - offset * 60_000;
  const id = zoneId ?? 'UTC';
  // resolve the wall clock in an IANA zone: guess with the offset at the wall clock, then correct once
  const first = zoneOffsetMinutes(id, wallClock);
  const guess = wallClock - first * 60_000;
  const second_ = zoneOffsetMinutes(id, guess);
  return wallClock - second_ * 60_000;
}

const ISO_8601 =
  /^([+-]?\d{4,9})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)(?:\[[^\]]+\])?$/;

/** Parses an ISO 8601 date-time with an offset (Java's ZonedDateTime/OffsetDateTime form). */
export function parseIso8601(text: string): number {
  const m = ISO_8601.exec(text);
  if (!m) throw new TimeFormatError(`Text '${text}' could not be parsed as an ISO 8601 date-time`);
  const [, y, mo, d, h, mi, s, frac, off] = m;
  const wallClock = Date.UTC(
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(h),
    Number(mi),
    Number(s ?? '0'),
    Number((frac ?? '').padEnd(3, '0').slice(0, 3)),
  );
  return wallClock - parseOffset(off ?? 'Z') * 60_000;
}

/** The `util.time` object, with `now` injectable so tests can pin the clock. */
export function createTimeUtil(now: () => number = Date.now) {
  return {
    nowISO8601: (): string => new Date(now()).toISOString(),
    nowEpochSeconds: (): number => Math.floor(now() / 1000),
    nowEpochMilliSeconds: (): number => now(),
    nowFormatted: (format: string, timezone?: string): string =>
      formatEpochMillis(now(), format, timezone ?? 'UTC'),
    parseFormattedToEpochMilliSeconds: (timestamp: string, format: string, timezone?: string): number =>
      parseFormatted(timestamp, format, timezone ?? undefined),
    parseISO8601ToEpochMilliSeconds: (timestamp: string): number => parseIso8601(timestamp),
    epochMilliSecondsToSeconds: (milliseconds: number): number => Math.trunc(milliseconds / 1000),
    epochMilliSecondsToISO8601: (milliseconds: number): string => new Date(milliseconds).toISOString(),
    epochMilliSecondsToFormatted: (milliseconds: number, format: string, timezone?: string): string =>
      formatEpochMillis(milliseconds, format, timezone ?? 'UTC'),
  };
}
