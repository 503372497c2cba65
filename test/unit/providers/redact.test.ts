// Issue 12, item 6: a quarantined body goes into a Temporal history, so nothing that could be a
// credential may survive its redaction. Each hole found (below the depth cap, inside XML CDATA,
// as a number, under an escaped key name in broken JSON) has a test, and a property test plants
// a secret anywhere in generated bodies, whole, truncated or broken.
import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { MAX_DEPTH, redactSensitive } from '../../../src/providers/redact';

const SECRET = 'hunter2hunter2';

/** The body as a reader would see it: JSON escapes decoded, so an escaped secret counts too. */
function decoded(body: Buffer): string {
  return body
    .toString('utf8')
    .replace(/\\u([0-9a-fA-F]{4})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

function expectClean(body: Buffer, secret = SECRET): string {
  const out = decoded(redactSensitive(body));
  expect(out).not.toContain(secret);
  return out;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('quarantine redaction: the holes', () => {
  it('a secret nested below the depth the walk goes is dropped with its subtree', () => {
    let doc = `{"password":"${SECRET}","keep":1}`;
    for (let i = 0; i < MAX_DEPTH + 6; i++) doc = `{"a":${doc}}`;
    const out = expectClean(Buffer.from(doc));
    expect(out).toContain('nested too deep');
  });

  it('a secret inside XML CDATA is dropped, the rest of the XML kept', () => {
    const xml =
      '<booking><id>B-1</id><customer><password><![CDATA[' +
      SECRET +
      ']]></password><name>Jane</name></customer></booking>';
    const out = expectClean(Buffer.from(xml));
    expect(out).toContain('<id>B-1</id>');
    expect(out).toContain('<name>Jane</name>');
  });

  it('a credential inside the CDATA of an innocent element is dropped too', () => {
    const xml = `<booking><note><![CDATA[{"apiKey": "${SECRET}"}]]></note><id>B-2</id></booking>`;
    expect(expectClean(Buffer.from(xml))).toContain('<id>B-2</id>');
  });

  it('a numeric secret in broken JSON is dropped', () => {
    const out = expectClean(
      Buffer.from('{"webhookType":"x","pin":987654321,"password":123456789,"a":'),
      '123456789',
    );
    expect(out).not.toContain('987654321');
    expect(out).toContain('"webhookType":"x"');
  });

  it('an escaped key name in broken JSON is recognised', () => {
    expectClean(Buffer.from(`{"a":1,"pass\\u0077ord":"${SECRET}","b":[1,2`));
    expectClean(Buffer.from(`{"a":1,"\\u0073ecret":{"v":"${SECRET}"}},,,`));
  });

  it('what follows the point where broken JSON stops making sense is dropped, hash kept', () => {
    const body = Buffer.from(`{"a":1,, "password": "${SECRET}", "b": 2}`);
    const out = redactSensitive(body);
    expect(decoded(out)).not.toContain(SECRET);
    expect(JSON.parse(out.toString())).toEqual({
      hooklineQuarantine: expect.stringContaining('only the part read before it broke'),
      sha256: sha256(body),
      bytes: body.length,
      kept: { a: 1 },
    });
  });

  it('bodies that are neither JSON nor XML, or broken XML, are not kept', () => {
    for (const text of [`password=${SECRET}&a=1`, `<a><password>${SECRET}</password><b>1</b>`]) {
      const body = Buffer.from(text);
      expect(JSON.parse(expectClean(body))).toMatchObject({ sha256: sha256(body) });
    }
  });

  it('credentials under innocent keys: bearer tokens, JWTs, embedded pairs', () => {
    expectClean(Buffer.from(`{"note":"Authorization: Bearer ${SECRET}"}`));
    expectClean(Buffer.from(`{"url":"https://x.test/cb?token=${SECRET}"}`));
    expectClean(
      Buffer.from(`{"x":"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.${SECRET}"}`),
      SECRET,
    );
  });

  it('keeps a body without credentials byte for byte: JSON, truncated JSON and XML', () => {
    for (const text of [
      '{ "a" :1, "name": "Jane" }',
      '{"webhookType":"booking_created","start":"2025-01',
      '<?xml version="1.0"?>\n<booking><id>B-1</id><name><![CDATA[Jane & co]]></name></booking>',
    ]) {
      const body = Buffer.from(text);
      expect(redactSensitive(body)).toBe(body);
    }
  });
});

// ---- property: a secret planted anywhere ----

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const sensitiveKey = fc.constantFrom(
  'password',
  'secret',
  'apiKey',
  'api_key',
  'access_token',
  'managementToken',
  'clientSecret',
  'Authorization',
  'signature',
  'webhookSecret',
  'pin',
);
const secretValue: fc.Arbitrary<{ json: Json; needle: string }> = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9]{6,20}$/).map((s) => ({ json: `S3cr${s}`, needle: `S3cr${s}` })),
  fc
    .bigInt({ min: 10n ** 11n, max: 10n ** 14n })
    .map((n) => ({ json: Number(n), needle: String(n) })),
  fc
    .stringMatching(/^[A-Za-z0-9]{6,20}$/)
    .map((s) => ({ json: { value: `S3cr${s}` }, needle: `S3cr${s}` })),
);

/** Escapes each letter of a key the way a sender may: "pass\u0077ord" is "password". */
function escapeSome(key: string, mask: number): string {
  return Array.from(key)
    .map((c, i) => ((mask >> i) & 1 ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : c))
    .join('');
}

function plant(doc: Json, path: number[], pair: string): string {
  // Serialises `doc` with `pair` inserted as the first member of an object on the way down.
  let node: Json = doc;
  let depthLeft = path.length;
  let text = '';
  const open: string[] = [];
  while (depthLeft > 0 && node !== null && typeof node === 'object' && !Array.isArray(node)) {
    const keys = Object.keys(node);
    const key = keys[(path[path.length - depthLeft] ?? 0) % Math.max(keys.length, 1)];
    if (key === undefined) break;
    const rest = Object.fromEntries(Object.entries(node).filter(([k]) => k !== key));
    const restText = JSON.stringify(rest).slice(1, -1);
    text += `{${restText}${restText === '' ? '' : ','}${JSON.stringify(key)}:`;
    open.push('}');
    node = node[key] ?? null;
    depthLeft -= 1;
  }
  const inner =
    node !== null && typeof node === 'object' && !Array.isArray(node)
      ? `{${pair}${Object.keys(node).length > 0 ? ',' : ''}${JSON.stringify(node).slice(1)}`
      : `{${pair},"v":${JSON.stringify(node)}}`;
  return text + inner + open.join('');
}

describe('quarantine redaction: property', () => {
  it('a secret under a sensitive key never survives, in whole, truncated or broken JSON', () => {
    fc.assert(
      fc.property(
        fc.jsonValue({ maxDepth: 4 }) as fc.Arbitrary<Json>,
        fc.array(fc.nat(), { maxLength: 4 }),
        sensitiveKey,
        fc.nat(0xffff),
        secretValue,
        fc.nat(70),
        fc.constantFrom('whole', 'truncated', 'broken'),
        fc.nat(),
        (doc, path, key, mask, secret, wrap, shape, cut) => {
          const pair = `"${escapeSome(key, mask)}":${JSON.stringify(secret.json)}`;
          let text = plant(doc, path, pair);
          for (let i = 0; i < wrap; i++) text = `{"w":${text}}`;
          if (shape === 'truncated') {
            // Cut somewhere after the secret's first character.
            const at = text.indexOf(secret.needle) + 1;
            text = text.slice(0, at + (cut % Math.max(text.length - at, 1)));
          } else if (shape === 'broken') {
            // Garbage anywhere but inside the planted pair (inside it, it is another key).
            const start = text.indexOf(pair);
            let at = cut % (text.length + 1);
            if (at > start && at < start + pair.length) at = start + pair.length;
            text = `${text.slice(0, at)},,}{${text.slice(at)}`;
          }
          const out = decoded(redactSensitive(Buffer.from(text)));
          // A truncated secret is cut: its first 4 characters (S3cr / digits) may not leak either.
          expect(out).not.toContain(secret.needle.slice(0, Math.min(secret.needle.length, 8)));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('a secret in an XML element, attribute or CDATA never survives', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('password', 'apiKey', 'token', 'ns:secret', 'Signature'),
        fc.stringMatching(/^[A-Za-z0-9]{6,20}$/).map((s) => `S3cr${s}`),
        fc.constantFrom('element', 'cdata', 'attribute'),
        fc.nat(70),
        (name, secret, where, depth) => {
          const inner =
            where === 'element'
              ? `<${name}>${secret}</${name}>`
              : where === 'cdata'
                ? `<${name}><![CDATA[${secret}]]></${name}>`
                : `<item ${name.replace(':', '_')}="${secret}">x</item>`;
          let xml = `<id>1</id>${inner}`;
          for (let i = 0; i < depth; i++) xml = `<n>${xml}</n>`;
          const out = redactSensitive(Buffer.from(`<root>${xml}</root>`)).toString('utf8');
          expect(out).not.toContain(secret);
        },
      ),
      { numRuns: 300 },
    );
  });
});
