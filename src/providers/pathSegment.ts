// Ids that become one segment of a platform's API path. encodeURIComponent leaves `.` alone, so
// an id `..` (or `.`) is a dot segment that every URL parser resolves away: GET /bookings/..
// becomes GET / with our API key. Percent-encoding the dots does not help either: the WHATWG URL
// parser that fetch uses treats %2e and %2E as dots too. So those ids (and the empty one, which
// names the collection) are refused, never sent: no API has a booking called `..`, and a
// refusal is visible (the booking pauses with the reason) where a request to another path would
// apply another resource's answer.

/** An id that cannot be sent as one path segment; the fetch step fails for good on it. */
export class UnsafePathSegmentError extends Error {
  override readonly name = 'UnsafePathSegmentError';
}

/** `id` as exactly one path segment, percent-encoded; throws UnsafePathSegmentError if it cannot be. */
export function pathSegment(id: string): string {
  if (id === '' || id === '.' || id === '..') {
    throw new UnsafePathSegmentError(
      `the id ${JSON.stringify(id)} cannot be one segment of an API path (it would name another resource)`,
    );
  }
  try {
    return encodeURIComponent(id);
  } catch {
    // URIError: a lone UTF-16 surrogate has no UTF-8 form.
    throw new UnsafePathSegmentError(
      'the id holds a lone UTF-16 surrogate, which has no form in a URL path',
    );
  }
}
