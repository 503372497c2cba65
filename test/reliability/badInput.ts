// Scenario 6: generated garbage per platform (fast-check): random bytes, truncated JSON, wrong
// types, huge and deeply nested bodies, odd content types, missing or forged signatures.
import fc from 'fast-check';
import { PROVIDER_IDS, type ProviderId } from '../../src/events/canonical';
import { signBookingExperts } from '../../src/simulator/sign/bookingexperts';
import { signMeetergo } from '../../src/simulator/sign/meetergo';
import { signMeetingPackage } from '../../src/simulator/sign/meetingpackage';
import { signMeeva } from '../../src/simulator/sign/meeva';
import { signStandardWebhook } from '../../src/simulator/sign/standardwebhooks';
import type { Delivery } from '../../src/simulator/sign/types';
import { signZaui } from '../../src/simulator/sign/zaui';
import type { Harness } from './harness';

function sign(platform: ProviderId, body: Buffer, secret: string): Delivery {
  switch (platform) {
    case 'meeva':
      return signMeeva(body, secret);
    case 'bookingexperts':
      return signBookingExperts(body, secret);
    case 'meetingpackage':
      return signMeetingPackage(body, secret);
    case 'meetergo':
      return signMeetergo(body, secret);
    case 'zaui':
      return signZaui(body, secret);
    case 'standardwebhooks':
      return signStandardWebhook(body, secret, { id: `msg_bad_${body.length}` });
  }
}

const bodyArb: fc.Arbitrary<Buffer> = fc.oneof(
  fc.uint8Array({ maxLength: 2048 }).map((b) => Buffer.from(b)),
  fc.json().map((j) => Buffer.from(j)),
  fc
    .tuple(fc.json({ maxDepth: 4 }), fc.nat())
    .map(([j, n]) => Buffer.from(j.slice(0, n % Math.max(1, j.length)))), // truncated
  fc
    .record({
      id: fc.anything(),
      type: fc.oneof(fc.integer(), fc.string(), fc.constant('booking.created')),
      event: fc.oneof(fc.constant('reservation:created'), fc.integer()),
      order_id: fc.anything(),
      webhookType: fc.anything(),
      eventNotificationGroupId: fc.oneof(fc.constant('100'), fc.integer(), fc.string()),
      data: fc.anything(),
      eventData: fc.anything(),
    })
    .map((o) => Buffer.from(JSON.stringify(o))), // the right keys with wrong types
  fc.integer({ min: 1000, max: 20000 }).map((n) => Buffer.from(`${'['.repeat(n)}${']'.repeat(n)}`)),
  fc.constant(Buffer.alloc(1024 * 1024 + 10, 'a')), // over BODY_LIMIT_BYTES
  fc
    .string({ minLength: 10_000, maxLength: 50_000 })
    .map((s) => Buffer.from(JSON.stringify({ s }))),
);

const contentTypeArb = fc.constantFrom(
  'application/json',
  'text/plain',
  'application/xml',
  'application/octet-stream',
  'multipart/form-data; boundary=x',
  '',
);

const authArb = fc.constantFrom('missing', 'forged', 'valid' as const);
/** Mostly none; else an encoding the plain body is not in (400), or one nobody decodes (415). */
const encodingArb = fc.constantFrom('', '', '', '', 'gzip', 'deflate', 'br', 'compress');

export interface BadInputResult {
  requests: number;
  statuses: Record<string, number>;
  fiveHundreds: string[];
  wrongClass: string[];
  /** Workflows the unauthenticated requests started (must be none). */
  newWorkflows: string[];
}

async function post(
  h: Harness,
  platform: ProviderId,
  d: Delivery,
  contentType: string,
  encoding: string,
) {
  const query = new URLSearchParams(d.query).toString();
  const headers = { ...d.headers };
  if (contentType === '') delete headers['content-type'];
  else headers['content-type'] = contentType;
  if (encoding !== '') headers['content-encoding'] = encoding;
  const res = await fetch(
    `${h.receiverUrl}/webhooks/${platform}${query === '' ? '' : `?${query}`}`,
    { method: 'POST', headers, body: d.body },
  );
  await res.arrayBuffer();
  return res.status;
}

export async function runBadInput(h: Harness, runsPerPlatform: number): Promise<BadInputResult> {
  const result: BadInputResult = {
    requests: 0,
    statuses: {},
    fiveHundreds: [],
    wrongClass: [],
    newWorkflows: [],
  };
  // Unauthenticated first, alone, so any workflow that appears meanwhile came from them.
  for (const phase of ['unauthenticated', 'authentic'] as const) {
    const phaseStart = new Date().toISOString();
    for (const platform of PROVIDER_IDS) {
      const secret = h.secrets[platform]?.secret ?? 'none';
      const runs = phase === 'authentic' ? Math.ceil(runsPerPlatform / 5) : runsPerPlatform;
      const samples = fc.sample(fc.tuple(bodyArb, contentTypeArb, authArb, encodingArb), {
        numRuns: runs,
        seed: 42 + PROVIDER_IDS.indexOf(platform),
      });
      for (const [body, contentType, authMode, encoding] of samples) {
        const auth = phase === 'authentic' ? 'valid' : authMode === 'valid' ? 'forged' : authMode;
        // A Standard Webhooks key is base64 after `whsec_`: appending text may decode to the same key.
        const forged =
          platform === 'standardwebhooks'
            ? `whsec_${Buffer.from(`forged-${secret}`).toString('base64')}`
            : `${secret}_forged`;
        let d = sign(platform, body, auth === 'forged' ? forged : secret);
        if (auth === 'missing') d = { body, headers: {}, query: {} };
        const status = await post(h, platform, d, contentType, encoding);
        result.requests += 1;
        result.statuses[status] = (result.statuses[status] ?? 0) + 1;
        const what = `${platform} ${auth} ${contentType || '(none)'} ${encoding || 'identity'} ${body.length} bytes -> ${status}`;
        // 503 (+ Retry-After) is the documented "try again" when Temporal is slow: allowed for
        // an authentic delivery, never for an unauthenticated one.
        if (status >= 500 && !(status === 503 && auth === 'valid')) result.fiveHundreds.push(what);
        // Unauthenticated: refused (401), or 413 when too big to even read, 400 when it is not in
        // its Content-Encoding, 415 for an encoding nobody decodes. Authentic: accepted or
        // quarantined (200), or a 4xx for a body the route cannot take.
        const allowed =
          auth === 'valid'
            ? status === 200 || (status >= 400 && status < 500)
            : status === 401 ||
              status === 413 ||
              status === 415 ||
              (status === 400 && encoding !== '');
        if (!allowed) result.wrongClass.push(what);
      }
    }
    if (phase === 'unauthenticated') {
      await new Promise((r) => setTimeout(r, 1500)); // visibility is eventually consistent
      // Started meanwhile by anything else (a late customer sync, a reconcile): not theirs.
      const known = new Set([
        ...[...h.truth.bookings.values()].flatMap((b) => [b.id, b.customer.id, b.customer.email]),
        ...[...h.truth.entities.values()].map((e) => e.id),
      ]);
      for await (const w of h.client.workflow.list({
        query: `StartTime >= "${phaseStart}" AND WorkflowType != 'reconcileWorkflow'`,
      })) {
        const id = w.workflowId.split('/').at(-1) ?? '';
        if (!known.has(id)) result.newWorkflows.push(`${w.type} ${w.workflowId}`);
      }
    }
  }
  return result;
}
