// Zaui delivers JSON or XML, chosen per webhook ("Delivery type can be XML or JSON", S5.5/S5.7),
// and shows no XML sample. The first non-space byte decides (`<` is XML, `{`/`[` JSON, whatever
// the content-type claims); the content-type only breaks the tie for anything else. The XML root
// element's name is undocumented, so any single root is accepted and unwrapped to the envelope.
// Zaui abandons the call after 2 s (S5.6): one parser instance, no per-request setup.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { RawWebhook } from '../types';

const xmlParser = new XMLParser({
  ignoreAttributes: true,
  // Ids like "0704" and booleans like "true" stay strings, exactly as in the JSON deliveries.
  parseTagValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: {
    enabled: true,
    maxEntityCount: 20,
    maxTotalExpansions: 1000,
    maxExpandedLength: 100_000,
  },
});

function firstSignificantChar(text: string): string | undefined {
  return /\S/.exec(text)?.[0];
}

function isXml(text: string, contentType: string | undefined): boolean {
  const first = firstSignificantChar(text);
  if (first === '<') return true;
  if (first === '{' || first === '[') return false;
  return contentType !== undefined && /[/+]xml\b/i.test(contentType);
}

function decodeXml(text: string): unknown {
  // The parser accepts unclosed and mismatched tags; a truncated body must not pass as a
  // complete booking, so well-formedness is checked first.
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new Error(`XML is not well-formed: ${valid.err.msg}`);
  const doc: unknown = xmlParser.parse(text);
  if (typeof doc !== 'object' || doc === null) throw new Error('XML has no root element');
  const roots = Object.values(doc);
  if (roots.length !== 1) throw new Error('XML must have exactly one root element');
  return roots[0];
}

export function decodeZaui(raw: RawWebhook): unknown {
  const text = raw.body.toString('utf8').replace(/^\uFEFF/, '');
  // Whitespace before `<?xml` is invalid XML but harmless; it is not worth a quarantine.
  if (isXml(text, raw.headers['content-type'])) return decodeXml(text.trimStart());
  return JSON.parse(text) as unknown;
}
