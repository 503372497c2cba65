// What a quarantined body may keep. Quarantine stores the delivery in a Temporal history for
// replay, but never anything that could be a credential: meetergo's booking-management `secret`,
// Zaui's customer `password`, tokens, keys, signatures, at any depth, whatever the value's type.
//
// Only what has been walked is kept:
// - JSON that parses: kept byte for byte when nothing is sensitive, else re-serialised without
//   the sensitive keys and values; a subtree nested deeper than the walk goes is dropped.
// - XML that is well-formed (CDATA included): the same, re-built without sensitive elements,
//   attributes and text.
// - JSON that does not parse (truncated, broken): read token by token (@streamparser/json, which
//   decodes escaped key names like "pass\u0077ord"), as far as it makes sense. Kept byte for byte
//   only when the whole body was read and nothing in it is sensitive; otherwise only the redacted
//   part that was read is kept, in a note no adapter reads (so a replay cannot mistake it for the
//   delivery), with the original's sha256 (which the quarantine workflow id carries too).
// - Anything else (broken XML, bytes that are neither): nothing of the body is kept, only the note.
import { createHash } from 'node:crypto';
import { Tokenizer, TokenType } from '@streamparser/json';
import XMLBuilder from 'fast-xml-builder';
import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** A key (or an XML element or attribute name) whose value is never kept. */
const SENSITIVE_NAME =
  /secret|token|passw|pwd|passcode|api[-_]?key|authori[sz]ation|signature|credential|private[-_]?key|cookie|session[-_]?id|^(pin|cvv|cvc|otp|bearer|auth)$/i;

/** A value that looks like a credential whatever its key: embedded key-value pairs, schemes, JWTs. */
const SENSITIVE_TEXT = [
  /(secret|token|passw|pwd|api[-_]?key|authori[sz]ation|credential|signature)\w*["']?\s*[:=]/i,
  /<[\w:.-]*(secret|token|passw|api[-_]?key|credential)/i,
  /\b(bearer|basic)\s+[\w.~+/=-]{8,}/i,
  /\beyJ[\w-]{8,}\.[\w-]{8,}/,
  /\b(whsec_|sk_live_|sk_test_|rk_live_|ghp_|github_pat_|xox[abpr]-|AKIA[0-9A-Z]{12})/,
];

export const MAX_DEPTH = 64;
const REDACTED = '[redacted]';
const TOO_DEEP = '[dropped: nested too deep to check]';

function isSensitiveName(name: string): boolean {
  const local = name.slice(name.lastIndexOf(':') + 1);
  return SENSITIVE_NAME.test(local) || isSensitiveText(name);
}

function isSensitiveText(text: string): boolean {
  return SENSITIVE_TEXT.some((re) => re.test(text));
}

// ---- JSON values ----

function strip(value: unknown, depth: number): { value: unknown; changed: boolean } {
  if (typeof value === 'string')
    return isSensitiveText(value) ? { value: REDACTED, changed: true } : { value, changed: false };
  if (value === null || typeof value !== 'object') return { value, changed: false };
  if (depth >= MAX_DEPTH) return { value: TOO_DEEP, changed: true };
  if (Array.isArray(value)) {
    let changed = false;
    const items = value.map((item: unknown) => {
      const r = strip(item, depth + 1);
      if (r.changed) changed = true;
      return r.value;
    });
    return { value: items, changed };
  }
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (isSensitiveName(key)) {
      changed = true;
      continue;
    }
    const r = strip(item, depth + 1);
    if (r.changed) changed = true;
    out[key] = r.value;
  }
  return { value: out, changed };
}

// ---- JSON that does not parse ----

interface Partial {
  /** The value read so far, containers closed where the body stopped making sense. */
  value: unknown;
  /** The whole body was read as one JSON document, maybe cut off at the end, and nothing else. */
  wholeBody: boolean;
  /** A token cut off by the end of the body looked sensitive. */
  sensitiveTail: boolean;
}

type Frame =
  | {
      kind: 'object';
      value: Record<string, unknown>;
      key: string | undefined;
      expect: 'key' | 'colon' | 'value' | 'comma';
    }
  | { kind: 'array'; value: unknown[]; expect: 'value' | 'comma' };

/** Reads JSON tokens into a value as far as they form one; stops at the first thing that does not. */
function readPartialJson(text: string): Partial {
  const tokenizer = new Tokenizer({ emitPartialTokens: true });
  const stack: Frame[] = [];
  let root: unknown;
  let hasRoot = false;
  let stopped = false;
  let sensitiveTail = false;

  const place = (v: unknown): boolean => {
    const top = stack[stack.length - 1];
    if (top === undefined) {
      if (hasRoot) return false;
      root = v;
      hasRoot = true;
      return true;
    }
    if (top.kind === 'array') {
      if (top.expect !== 'value') return false;
      top.value.push(v);
      top.expect = 'comma';
      return true;
    }
    if (top.expect !== 'value' || top.key === undefined) return false;
    top.value[top.key] = v;
    top.key = undefined;
    top.expect = 'comma';
    return true;
  };

  const accept = (token: TokenType, value: unknown): boolean => {
    const top = stack[stack.length - 1];
    switch (token) {
      case TokenType.LEFT_BRACE: {
        const obj: Record<string, unknown> = {};
        if (!place(obj)) return false;
        stack.push({ kind: 'object', value: obj, key: undefined, expect: 'key' });
        return true;
      }
      case TokenType.LEFT_BRACKET: {
        const arr: unknown[] = [];
        if (!place(arr)) return false;
        stack.push({ kind: 'array', value: arr, expect: 'value' });
        return true;
      }
      case TokenType.RIGHT_BRACE:
        if (top?.kind !== 'object' || top.expect === 'colon' || top.expect === 'value')
          return false;
        stack.pop();
        return true;
      case TokenType.RIGHT_BRACKET:
        if (top?.kind !== 'array') return false;
        stack.pop();
        return true;
      case TokenType.COLON:
        if (top?.kind !== 'object' || top.expect !== 'colon') return false;
        top.expect = 'value';
        return true;
      case TokenType.COMMA:
        if (top === undefined || top.expect !== 'comma') return false;
        top.expect = top.kind === 'object' ? 'key' : 'value';
        return true;
      case TokenType.STRING:
        if (top?.kind === 'object' && top.expect === 'key') {
          top.key = String(value);
          top.expect = 'colon';
          return true;
        }
        return place(value);
      case TokenType.NUMBER:
      case TokenType.TRUE:
      case TokenType.FALSE:
      case TokenType.NULL:
        return place(value);
      case TokenType.SEPARATOR:
        return false;
    }
  };

  tokenizer.onToken = ({ token, value, partial }) => {
    if (stopped) return;
    if (partial === true) {
      // Cut off by the end of the body: never kept, but a sign of what was there.
      const top = stack[stack.length - 1];
      const afterSensitiveKey =
        top?.kind === 'object' && top.key !== undefined && isSensitiveName(top.key);
      if (afterSensitiveKey || (typeof value === 'string' && isSensitiveName(value)))
        sensitiveTail = true;
      return;
    }
    if (!accept(token, value)) stopped = true;
  };
  let ending = false;
  tokenizer.onError = () => {
    // At the end, an error only says the body was cut off inside a token (a truncated body).
    if (!ending) stopped = true;
  };
  tokenizer.onEnd = () => undefined;
  try {
    tokenizer.write(text);
    ending = true;
    // onToken and onError may have stopped it during write()
    if (!(stopped as boolean)) tokenizer.end();
  } catch {
    if (!ending) stopped = true;
  }
  return { value: root, wholeBody: !stopped && hasRoot, sensitiveTail };
}

// ---- XML ----

const XML_OPTIONS = {
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  cdataPropName: '#cdata',
  commentPropName: '#comment',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: false,
} as const;
const xmlParser = new XMLParser(XML_OPTIONS);
const xmlBuilder = new XMLBuilder({ ...XML_OPTIONS, suppressEmptyNode: false });

type XmlNode = Record<string, unknown>;

function stripXml(nodes: unknown, depth: number): { nodes: unknown[]; changed: boolean } {
  if (!Array.isArray(nodes)) return { nodes: [], changed: true };
  if (depth >= MAX_DEPTH) return { nodes: [{ '#text': TOO_DEEP }], changed: true };
  let changed = false;
  const out: XmlNode[] = [];
  for (const node of nodes as XmlNode[]) {
    const kept: XmlNode = {};
    let drop = false;
    for (const [name, content] of Object.entries(node)) {
      if (name === ':@') {
        const attrs: Record<string, unknown> = {};
        for (const [attr, v] of Object.entries(content as Record<string, unknown>)) {
          if (isSensitiveName(attr) || (typeof v === 'string' && isSensitiveText(v)))
            changed = true;
          else attrs[attr] = v;
        }
        kept[name] = attrs;
      } else if (name === '#text') {
        const text = typeof content === 'string' ? content : JSON.stringify(content);
        if (isSensitiveText(text)) {
          changed = true;
          drop = true;
        } else kept[name] = content;
      } else if (name === '#cdata' || name === '#comment') {
        // Inside CDATA or a comment is text too: checked whole, dropped whole.
        const r = stripXml(content, depth + 1);
        if (r.changed || isSensitiveText(JSON.stringify(r.nodes))) {
          changed = true;
          drop = true;
        } else kept[name] = content;
      } else if (name.startsWith('?')) {
        kept[name] = content; // the declaration or a processing instruction: no data
      } else if (isSensitiveName(name)) {
        changed = true;
        drop = true;
      } else {
        const r = stripXml(content, depth + 1);
        if (r.changed) changed = true;
        kept[name] = r.nodes;
      }
    }
    if (!drop) out.push(kept);
  }
  return { nodes: out, changed };
}

// ---- the body ----

function note(body: Buffer, what: string, kept: unknown): Buffer {
  return Buffer.from(
    JSON.stringify({
      hooklineQuarantine: what,
      sha256: createHash('sha256').update(body).digest('hex'),
      bytes: body.length,
      ...(kept === undefined ? {} : { kept }),
    }),
  );
}

function redactXml(body: Buffer, text: string): Buffer {
  if (XMLValidator.validate(text) !== true)
    return note(body, 'not well-formed XML: dropped, it could hold a credential', undefined);
  let nodes: unknown;
  try {
    nodes = xmlParser.parse(text);
  } catch {
    return note(body, 'XML that could not be read: dropped, it could hold a credential', undefined);
  }
  const { nodes: kept, changed } = stripXml(nodes, 0);
  return changed ? Buffer.from(xmlBuilder.build(kept)) : body;
}

function redactBrokenJson(body: Buffer, text: string): Buffer {
  const read = readPartialJson(text);
  const { value, changed } = strip(read.value, 0);
  if (read.wholeBody && !changed && !read.sensitiveTail) return body;
  return note(
    body,
    read.wholeBody
      ? 'JSON cut off at the end: credentials removed from what was read'
      : 'JSON that does not parse: only the part read before it broke is kept, credentials removed',
    value,
  );
}

export function redactSensitive(body: Buffer): Buffer {
  const text = body.toString('utf8').replace(/^\uFEFF/, '');
  if (text.trim() === '') return body;
  let parsed: unknown;
  let parses = true;
  try {
    parsed = JSON.parse(text);
  } catch {
    parses = false;
  }
  if (parses) {
    const { value, changed } = strip(parsed, 0);
    return changed ? Buffer.from(JSON.stringify(value)) : body;
  }
  const first = /\S/.exec(text)?.[0];
  if (first === '<') return redactXml(body, text.trimStart());
  if (first === '{' || first === '[') return redactBrokenJson(body, text);
  return note(body, 'neither JSON nor XML: dropped, it could hold a credential', undefined);
}
