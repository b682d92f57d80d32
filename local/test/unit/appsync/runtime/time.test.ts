import { describe, expect, it } from 'vitest';
import { evaluate, evaluateRaw, fieldInput } from './helpers.js';

// The instant of the examples in AppSync's "Time helpers in $util.time": 2018-02-06T19:01:35.758Z
const NOW = 1517943695758;
const at = (expression: string): Promise<unknown> => evaluate(expression, fieldInput(), () => NOW);

describe('util.time', () => {
  it('reads the clock as ISO 8601, epoch seconds and epoch milliseconds', async () => {
    // AppSync "Time helpers in util.time": nowISO8601, nowEpochSeconds, nowEpochMilliSeconds
    // Act
    const values = await at(
      '[util.time.nowISO8601(), util.time.nowEpochSeconds(), util.time.nowEpochMilliSeconds()]',
    );
    // Assess
    expect(values).toEqual(['2018-02-06T19:01:35.758Z', 1517943695, NOW]);
  });

  it('formats now with a Java pattern in UTC, in a fixed offset and in an IANA zone', async () => {
    // AppSync "Time helpers in $util.time" examples: nowFormatted("yyyy-MM-dd HH:mm:ssZ", "Australia/Perth") is 2018-02-07 03:01:35+0800
    // Act
    const values = await at(
      "[util.time.nowFormatted('yyyy-MM-dd HH:mm:ssZ'), util.time.nowFormatted('yyyy-MM-dd HH:mm:ssZ', '+08:00'), util.time.nowFormatted('yyyy-MM-dd HH:mm:ssZ', 'Australia/Perth')]",
    );
    // Assess
    expect(values).toEqual([
      '2018-02-06 19:01:35+0000',
      '2018-02-07 03:01:35+0800',
      '2018-02-07 03:01:35+0800',
    ]);
  });

  it('formats names, 12-hour clocks, fractions and quoted literals the way DateTimeFormatter does', async () => {
    // AppSync "Time helpers in util.time": the format syntax is Java's DateTimeFormatter
    // Act
    const value = await at(
      "util.time.epochMilliSecondsToFormatted(1517943695758, \"EEE, dd MMM yyyy hh:mm:ss.SSS a XXX 'at' z\", 'America/New_York')",
    );
    // Assess
    expect(value).toBe('Tue, 06 Feb 2018 02:01:35.758 PM -05:00 at EST');
  });

  it('parses a formatted timestamp whose pattern carries the offset, or with an explicit zone', async () => {
    // AppSync "Time helpers in $util.time" example: parseFormattedToEpochMilliSeconds("2018-02-01 17:21:05.180+08:00", "yyyy-MM-dd HH:mm:ss.SSSXXX") is 1517476865180
    // Act
    const values = await at(
      "[util.time.parseFormattedToEpochMilliSeconds('2018-02-01 17:21:05.180+08:00', 'yyyy-MM-dd HH:mm:ss.SSSXXX'), util.time.parseFormattedToEpochMilliSeconds('2018-02-01 09:21:05.180', 'yyyy-MM-dd HH:mm:ss.SSS', 'UTC'), util.time.parseFormattedToEpochMilliSeconds('2018-07-01 12:00', 'yyyy-MM-dd HH:mm', 'America/New_York')]",
    );
    // Assess
    expect(values).toEqual([1517476865180, 1517476865180, Date.UTC(2018, 6, 1, 16, 0)]);
  });

  it('parses ISO 8601 and converts epoch milliseconds to seconds, ISO 8601 and formatted text', async () => {
    // AppSync "Time helpers in $util.time" examples: parseISO8601ToEpochMilliSeconds, epochMilliSecondsToSeconds, epochMilliSecondsToISO8601, epochMilliSecondsToFormatted
    // Act
    const values = await at(
      "[util.time.parseISO8601ToEpochMilliSeconds('2018-02-01T17:21:05.180+08:00'), util.time.epochMilliSecondsToSeconds(1517943695758), util.time.epochMilliSecondsToISO8601(1517943695758), util.time.epochMilliSecondsToFormatted(1517943695758, 'yyyy-MM-dd HH:mm:ssZ', '+08:00')]",
    );
    // Assess
    expect(values).toEqual([
      1517476865180,
      1517943695,
      '2018-02-06T19:01:35.758Z',
      '2018-02-07 03:01:35+0800',
    ]);
  });

  it('fails when a timestamp does not fit its pattern', async () => {
    // AppSync "Time helpers in util.time": parsing follows DateTimeFormatter, which rejects text that does not match
    // Act
    const result = await evaluateRaw(
      "util.time.parseFormattedToEpochMilliSeconds('01/02/2018', 'yyyy-MM-dd', 'UTC')",
    );
    // Assess
    expect(result.data).toBeNull();
    expect(result.errors[0]).toMatchObject({
      errorType: 'Code',
      message: expect.stringContaining('could not be parsed'),
    });
  });
});
