import { describe, expect, it } from '@jest/globals';
import { zauiActivityStart, zauiTimeToMs } from '../../../src/providers/zaui/time';

describe('Zaui times', () => {
  it.each([
    ['2025-02-08T21:42:21-08:00', Date.UTC(2025, 1, 9, 5, 42, 21)],
    ['2024-04-29T12:00:14-0700', Date.UTC(2024, 3, 29, 19, 0, 14)],
    ['2021-02-08 21:42:21', Date.UTC(2021, 1, 8, 21, 42, 21)],
    ['2022-08-06T09:31:09.659', Date.UTC(2022, 7, 6, 9, 31, 9, 659)],
    ['2017-11-19 8:54:38', Date.UTC(2017, 10, 19, 8, 54, 38)],
    ['2025-01-01T00:00:00Z', Date.UTC(2025, 0, 1)],
    ['0000-00-00 00:00:00', undefined],
    ['2025-02-30 10:00:00', undefined],
    ['2025-02-10 24:00:00', undefined],
    ['2025-02-10T10:00:00+25:00', undefined],
    ['N/A', undefined],
  ])('%s reads as %s', (value, expected) => {
    expect(zauiTimeToMs(value)).toBe(expected);
  });

  it.each([
    ['Monday February 10 2025', '00:00:00', '2025-02-10T00:00:00.000Z'],
    ['Friday March 21 2025', '8:30 am', '2025-03-21T08:30:00.000Z'],
    ['Saturday August 13 2022', '2:15 PM', '2022-08-13T14:15:00.000Z'],
    ['Tuesday April 26 2016', '12:05 am', '2016-04-26T00:05:00.000Z'],
    ['2025-02-10', '10:00', '2025-02-10T10:00:00.000Z'],
    ['Monday Febtober 10 2025', '10:00', undefined],
    ['Monday February 30 2025', '10:00', undefined],
    ['Monday February 10 2025', '13:00 pm', undefined],
    ['Sun, Sept 7 2025', '9:00', '2025-09-07T09:00:00.000Z'],
    ['Monday February 10 2025', 'morning', undefined],
  ])('%s %s starts at %s', (date, time, expected) => {
    expect(zauiActivityStart(date, time)).toBe(expected);
  });
});
