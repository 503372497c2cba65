// Booking ids in API paths stay one segment (issue 12, item 8): `..` or `.` after
// encodeURIComponent is a dot segment the URL parser resolves away, so GET /bookings/.. went to
// the API's root with our key. Every platform's path, for any id: one segment that decodes to the
// id, or refused (and the fetch step fails for good, so the booking pauses with the reason).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApplicationFailure } from '@temporalio/common';
import fc from 'fast-check';
import { BOOKING_APIS } from '../../../activities';
import { joinUrl } from '../../../activities/clients/http';
import { createProviderActivities, UNSAFE_PATH_SEGMENT } from '../../../activities/providerApi';
import { PROVIDER_IDS } from '../../../src/events/canonical';
import { pathSegment, UnsafePathSegmentError } from '../../../src/providers/pathSegment';
import { startFakeApi, type FakeApi } from '../../helpers/fakeApi';

const BASE = 'https://api.example.com/v1';
const platforms = PROVIDER_IDS.flatMap((p) => {
  const spec = BOOKING_APIS[p];
  return spec === undefined ? [] : [[p, spec] as const];
});

describe('pathSegment', () => {
  it.each(['', '.', '..'])('refuses %j: it would name another resource', (id) => {
    expect(() => pathSegment(id)).toThrow(UnsafePathSegmentError);
  });

  it('refuses a lone surrogate, which has no UTF-8 form', () => {
    expect(() => pathSegment('x\ud800y')).toThrow(UnsafePathSegmentError);
  });

  it('encodes what would split or end the segment', () => {
    expect(pathSegment('a/b?c#d')).toBe('a%2Fb%3Fc%23d');
    expect(pathSegment('...')).toBe('...'); // not a dot segment: stays itself
    expect(pathSegment('%2e%2e')).toBe('%252e%252e');
  });
});

describe.each(platforms)('%s booking path', (_provider, spec) => {
  const api = { url: BASE, key: 'k', options: {} };
  const prefix = new URL(joinUrl(BASE, spec.path('probe', api))).pathname.replace(/probe$/, '');

  it('is, for any id, one segment that decodes to the id, or refused', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary' }),
          fc.constantFrom('.', '..', '', './x', '../..', '%2e%2e', '.%2E', 'a/../b'),
        ),
        (id) => {
          let path: string;
          try {
            path = spec.path(id, api);
          } catch (err) {
            expect(err).toBeInstanceOf(UnsafePathSegmentError);
            return;
          }
          const pathname = new URL(joinUrl(BASE, path)).pathname;
          expect(pathname.startsWith(prefix)).toBe(true);
          const segment = pathname.slice(prefix.length);
          expect(segment).not.toContain('/');
          expect(decodeURIComponent(segment)).toBe(id);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('fetchBooking with a booking id of ..', () => {
  let fake: FakeApi;
  beforeAll(async () => {
    fake = await startFakeApi();
  });
  afterAll(() => fake.close());

  it('fails for good without sending the API key anywhere', async () => {
    const activities = createProviderActivities({
      apis: new Map([['meeva/default', { url: `${fake.url}/v1`, key: 'mk_secret' }]]),
      specs: BOOKING_APIS,
    });
    fake.routes.set('/v1/', { id: 'the API root, not a booking', status: 'confirmed' });
    const failure = await activities
      .fetchBooking({ provider: 'meeva', source: 'default', bookingId: '..' })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ nonRetryable: true, type: UNSAFE_PATH_SEGMENT });
    expect(fake.requests).toEqual([]);
  });
});
