// Requests the client got wrong (issue 12, item 4): each body-parser and Express error over real
// HTTP, answered with its 4xx and a sentence naming the fix, logged once at info without a stack,
// never 503 (which would make the platform redeliver and let anyone fill the error log).
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from '@jest/globals';
import pino from 'pino';
import { clientError } from '../../../src/http/errorHandler';
import type { Dispatcher } from '../../../src/temporal/dispatcherTypes';
import { eventually } from '../../helpers/eventually';
import { listenMeevaReceiver } from '../../helpers/meevaReceiver';

const dispatcher: Dispatcher = {
  dispatch: () => Promise.resolve(),
  quarantine: () => Promise.resolve(),
  ready: () => Promise.resolve(true),
};

interface LogLine {
  level: number;
  msg: string;
  code?: string;
  err?: { stack?: string };
}

let close: (() => void) | undefined;
afterEach(() => close?.());

async function start() {
  const lines: LogLine[] = [];
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => lines.push(JSON.parse(line) as LogLine) },
  );
  const receiver = await listenMeevaReceiver(dispatcher, { logger, bodyLimitBytes: 1024 });
  close = receiver.close;
  const send = (path: string, headers: Record<string, string>, body: Buffer | string = '') =>
    new Promise<{ status: number; json: { error: string; message: string } }>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port: receiver.port, path, method: 'POST', headers },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              json: JSON.parse(text) as { error: string; message: string },
            }),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  return { send, lines, port: receiver.port };
}

/** Nothing logged above info, and no stack anywhere: a client's mistake is not our error. */
function expectQuietLogs(lines: LogLine[], code: string) {
  expect(lines.filter((l) => l.level > 30)).toEqual([]);
  expect(JSON.stringify(lines)).not.toContain('stack');
  expect(lines).toEqual([expect.objectContaining({ level: 30, msg: 'request refused', code })]);
}

describe('request errors', () => {
  it('an unsigned body that claims gzip but is not: 400 with a sentence, one info line', async () => {
    const { send, lines } = await start();
    const answer = await send(
      '/webhooks/meeva',
      { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      '{"not":"gzip"}',
    );
    expect(answer).toEqual({
      status: 400,
      json: { error: 'MALFORMED_REQUEST', message: expect.stringContaining('Content-Encoding') },
    });
    expectQuietLogs(lines, 'MALFORMED_REQUEST');
  });

  it('a gzip stream cut short: 400', async () => {
    const { send, lines } = await start();
    const truncated = gzipSync(Buffer.from('{"id":"evt_1"}'.repeat(20))).subarray(0, 20);
    const answer = await send('/webhooks/meeva', { 'content-encoding': 'gzip' }, truncated);
    expect(answer.status).toBe(400);
    expect(answer.json.error).toBe('MALFORMED_REQUEST');
    expectQuietLogs(lines, 'MALFORMED_REQUEST');
  });

  it('an encoding the receiver does not decode: 415 naming the ones it does', async () => {
    const { send, lines } = await start();
    const answer = await send('/webhooks/meeva', { 'content-encoding': 'compress' }, 'x');
    expect(answer).toEqual({
      status: 415,
      json: {
        error: 'UNSUPPORTED_ENCODING',
        message: expect.stringContaining('gzip, deflate or br'),
      },
    });
    expectQuietLogs(lines, 'UNSUPPORTED_ENCODING');
  });

  it('a body over the limit, sent plain or as a small gzip that inflates past it: 413', async () => {
    const { send, lines } = await start();
    const plain = await send('/webhooks/meeva', {}, Buffer.alloc(2048, 'a'));
    const bomb = await send(
      '/webhooks/meeva',
      { 'content-encoding': 'gzip' },
      gzipSync(Buffer.alloc(100_000, 'a')),
    );
    expect([plain.status, bomb.status]).toEqual([413, 413]);
    expect(bomb.json.error).toBe('PAYLOAD_TOO_LARGE');
    expect(lines.filter((l) => l.level > 30)).toEqual([]);
  });

  it('a path with a broken percent-escape: 400, the path not echoed', async () => {
    const { send, lines } = await start();
    const answer = await send('/webhooks/%E0%A4%A', {}, '{}');
    expect(answer).toEqual({
      status: 400,
      json: { error: 'MALFORMED_REQUEST', message: 'The request could not be read.' },
    });
    expectQuietLogs(lines, 'MALFORMED_REQUEST');
  });

  it('a body the client abandons half-way: logged at info as incomplete, no error', async () => {
    const { lines, port } = await start();
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write('POST /webhooks/meeva HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n{"id":');
    await new Promise((r) => setTimeout(r, 100));
    socket.destroy();
    await eventually(() => expect(lines).toHaveLength(1), 5000, 20);
    expectQuietLogs(lines, 'INCOMPLETE_BODY');
  });

  it('an unknown route answers 404 echoing at most 200 characters of the URL', async () => {
    const { send } = await start();
    const long = 'x'.repeat(15_000);
    const provider = await send(`/webhooks/${long}`, {}, '{}');
    const sourceName = await send(`/webhooks/meeva/${long}`, {}, '{}');
    expect([provider.status, sourceName.status]).toEqual([404, 404]);
    expect(provider.json.error).toBe('UNKNOWN_PROVIDER');
    expect(sourceName.json.error).toBe('UNKNOWN_SOURCE');
    for (const { json } of [provider, sourceName]) {
      expect(json.message.length).toBeLessThan(300);
      expect(json.message).toContain('(15000 characters)');
    }
  });
});

describe('clientError: every body-parser error type', () => {
  it.each([
    ['entity.too.large', 'PAYLOAD_TOO_LARGE'],
    ['encoding.unsupported', 'UNSUPPORTED_ENCODING'],
    ['charset.unsupported', 'UNSUPPORTED_CHARSET'],
    ['request.aborted', 'INCOMPLETE_BODY'],
    ['request.size.invalid', 'INCOMPLETE_BODY'],
    ['entity.parse.failed', 'MALFORMED_REQUEST'],
    ['entity.verify.failed', 'MALFORMED_REQUEST'],
  ])('%s is the client’s: %s', (type, code) => {
    expect(clientError(Object.assign(new Error('x'), { type, status: 400 }))?.code).toBe(code);
  });

  it.each(['stream.encoding.set', 'stream.not.readable'])(
    '%s is ours (a misconfigured middleware): answered 503 and logged',
    (type) => {
      expect(clientError(Object.assign(new Error('x'), { type, status: 500 }))).toBeUndefined();
    },
  );

  it('a Temporal or other failure is not a client error', () => {
    expect(clientError(new Error('connection refused'))).toBeUndefined();
  });
});
