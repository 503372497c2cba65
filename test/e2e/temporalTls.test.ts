// Hookline against a Temporal that requires TLS, the way teams run it: a TLS-terminating proxy in
// front of the real dev server that demands a client certificate (mTLS), and an HTTP/2 proxy that
// checks an API key the way Temporal Cloud does. Certificates are made here, per run. The worker
// and the receiver start exactly as `hookline worker` / `hookline receiver` do (startWorker,
// startReceiver with a config from loadConfig), one configured by variables, one by a profile file.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startReceiver, startWorker, type Running } from '../../src/bootstrap';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { connectNative, createClient } from '../../src/temporal/connection';
import { bookingStateQuery, bookingWorkflowId } from '../../workflows/shared';
import { createTestSchema, testDatabaseUrl } from '../helpers/db';
import { eventually } from '../helpers/eventually';
import { loadFixture } from '../helpers/raw';
import { signStandardWebhook } from '../helpers/sign/standardwebhooks';
import { createLocalEnv } from '../helpers/temporal';
import {
  createAuthority,
  startApiKeyProxy,
  startMtlsProxy,
  type Pem,
  type Proxy,
} from '../helpers/tls';

const SERVER_NAME = 'temporal.hookline.test';
const SECRET = `whsec_${Buffer.from('tls-test-standardwebhooks-key-32b!').toString('base64')}`;
const API_KEY = 'hookline-test-api-key';
const logger = createLogger({ level: 'silent' });
const dir = mkdtempSync(path.join(tmpdir(), 'hookline-tls-'));
const file = (name: string, content: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
};

let env: TestWorkflowEnvironment;
let mtls: Proxy;
let apiKeyProxy: Awaited<ReturnType<typeof startApiKeyProxy>>;
let readModel: Awaited<ReturnType<typeof createTestSchema>> | undefined;
const paths = {} as Record<
  'ca' | 'strangerCa' | 'cert' | 'key' | 'strangerCert' | 'strangerKey',
  string
>;

/** Only what the test sets: no variable or profile file of the machine leaks in (HOME). */
function config(vars: Record<string, string>) {
  return loadConfig({
    HOME: dir,
    HOST: '127.0.0.1',
    PORT: '0',
    WORKER_METRICS_PORT: '0',
    LOG_LEVEL: 'silent',
    HOOKLINE_DATA_DIR: path.join(dir, 'data'),
    TEMPORAL_TASK_QUEUE: 'hookline-tls',
    DATABASE_URL: readModel?.url ?? '',
    STANDARDWEBHOOKS_WEBHOOK_SECRET: SECRET,
    ...vars,
  });
}

const mtlsVars = (over: Record<string, string> = {}) => ({
  TEMPORAL_ADDRESS: mtls.address,
  TEMPORAL_TLS_SERVER_NAME: SERVER_NAME,
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: paths.ca,
  TEMPORAL_TLS_CLIENT_CERT_PATH: paths.cert,
  TEMPORAL_TLS_CLIENT_KEY_PATH: paths.key,
  ...over,
});

beforeAll(async () => {
  const baseUrl = testDatabaseUrl();
  [env, readModel] = await Promise.all([
    createLocalEnv(),
    baseUrl === undefined ? undefined : createTestSchema(baseUrl),
  ]);
  const ca = createAuthority('Hookline test CA');
  const stranger = createAuthority('Some other CA');
  const server: Pem = ca.issue(SERVER_NAME, { serverNames: [SERVER_NAME] });
  const client = ca.issue('hookline-worker', 'client');
  const strangerClient = stranger.issue('hookline-worker', 'client');
  Object.assign(paths, {
    ca: file('ca.pem', ca.cert),
    strangerCa: file('stranger-ca.pem', stranger.cert),
    cert: file('client.pem', client.cert),
    key: file('client.key', client.key),
    strangerCert: file('stranger-client.pem', strangerClient.cert),
    strangerKey: file('stranger-client.key', strangerClient.key),
  });
  [mtls, apiKeyProxy] = await Promise.all([
    startMtlsProxy({ upstream: env.address, server, clientCa: ca.cert }),
    startApiKeyProxy({ upstream: env.address, server, apiKey: API_KEY }),
  ]);
}, 60_000);

afterAll(async () => {
  await mtls.close();
  await apiKeyProxy.close();
  await env.teardown();
  await readModel?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('mTLS: a proxy that requires a client certificate in front of Temporal', () => {
  it('the worker (profile file) and the receiver (variables) complete a booking through it', async () => {
    const profile = file(
      'temporal.toml',
      [
        '[profile.mtls]',
        `address = "${mtls.address}"`,
        '[profile.mtls.tls]',
        `server_name = "${SERVER_NAME}"`,
        `server_ca_cert_path = "${paths.ca}"`,
        `client_cert_path = "${paths.cert}"`,
        `client_key_path = "${paths.key}"`,
      ].join('\n'),
    );
    const workerConfig = config({ TEMPORAL_CONFIG_FILE: profile, TEMPORAL_PROFILE: 'mtls' });
    const receiverConfig = config(mtlsVars());
    expect(workerConfig.temporal.address).toBe(mtls.address);
    const running: Running[] = [];
    try {
      running.push(await startWorker(workerConfig, mtls.address, logger));
      const receiver = await startReceiver(receiverConfig, mtls.address, logger);
      running.push(receiver);
      const body = loadFixture('standardwebhooks', 'booking.created.json')
        .toString()
        .replaceAll('2025-03-10', '2030-03-10');
      const delivery = signStandardWebhook(body, SECRET);
      await eventually(async () => {
        const answer = await fetch(`${receiver.url}/webhooks/standardwebhooks`, {
          method: 'POST',
          headers: delivery.headers,
          body: delivery.body,
        });
        expect(answer.status).toBe(200);
      }, 20_000);
      // read back through the proxy too, with the operator CLI's client
      const client = createClient(receiverConfig.temporal);
      try {
        const handle = client.workflow.getHandle(
          bookingWorkflowId('standardwebhooks', 'default', 'bk_1001'),
        );
        await eventually(async () => {
          const state = await handle.query(bookingStateQuery);
          expect(state.status).toBe('confirmed');
          expect(state.counts.writes).toBeGreaterThanOrEqual(1);
        }, 30_000);
      } finally {
        await client.connection.close();
      }
    } finally {
      for (const part of running.reverse()) await part.stop();
    }
  });

  it('a client certificate from another CA fails the worker and the receiver, naming the fix', async () => {
    const wrong = config(
      mtlsVars({
        TEMPORAL_TLS_CLIENT_CERT_PATH: paths.strangerCert,
        TEMPORAL_TLS_CLIENT_KEY_PATH: paths.strangerKey,
      }),
    );
    const sentence = new RegExp(
      `^Temporal at ${mtls.address} refused the client certificate \\(TEMPORAL_TLS_CLIENT_CERT_PATH\\): set TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH to a pair issued by the CA the server trusts for clients\\.$`,
    );
    await expect(connectNative(wrong.temporal)).rejects.toThrow(sentence);
    await expect(startReceiver(wrong, mtls.address, logger)).rejects.toThrow(sentence);
  });

  it('no client certificate at all is refused the same way', async () => {
    const none = config(
      mtlsVars({ TEMPORAL_TLS_CLIENT_CERT_PATH: '', TEMPORAL_TLS_CLIENT_KEY_PATH: '' }),
    );
    await expect(connectNative(none.temporal)).rejects.toThrow(
      /refused the connection without a client certificate: set TEMPORAL_TLS_CLIENT_CERT_PATH/,
    );
  });

  it('a server CA that did not sign the server certificate fails both, naming the fix', async () => {
    const wrong = config(mtlsVars({ TEMPORAL_TLS_SERVER_CA_CERT_PATH: paths.strangerCa }));
    const sentence = new RegExp(
      `^Temporal at ${mtls.address} presented a certificate that TEMPORAL_TLS_SERVER_CA_CERT_PATH does not vouch for: set TEMPORAL_TLS_SERVER_CA_CERT_PATH to the CA that signed the server's certificate`,
    );
    await expect(connectNative(wrong.temporal)).rejects.toThrow(sentence);
    await expect(startReceiver(wrong, mtls.address, logger)).rejects.toThrow(sentence);
  });
});

describe('API key: TLS with a server certificate, the key checked by the server', () => {
  const apiKeyVars = (key: string) => ({
    TEMPORAL_ADDRESS: apiKeyProxy.address,
    TEMPORAL_API_KEY: key,
    TEMPORAL_TLS_SERVER_NAME: SERVER_NAME,
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: paths.ca,
  });

  it('is sent as `authorization: Bearer <key>` by the worker connection and the client', async () => {
    const { temporal } = config(apiKeyVars(API_KEY));
    apiKeyProxy.headers.length = 0;
    const native = await connectNative(temporal);
    await native.close();
    const workerCalls = apiKeyProxy.headers.splice(0);
    const client = createClient(temporal);
    try {
      await client.workflowService.getSystemInfo({});
    } finally {
      await client.connection.close();
    }
    const clientCalls = apiKeyProxy.headers.splice(0);
    for (const calls of [workerCalls, clientCalls]) {
      expect(calls.length).toBeGreaterThan(0);
      for (const headers of calls) expect(headers.authorization).toBe(`Bearer ${API_KEY}`);
    }
    // two different transports: the worker's Rust core and the client's grpc-js
    expect(workerCalls[0]?.['user-agent']).not.toEqual(clientCalls[0]?.['user-agent']);
  });

  it('a key the server refuses fails both, naming TEMPORAL_API_KEY', async () => {
    const wrong = config(apiKeyVars('not-the-key'));
    const sentence = new RegExp(
      `^Temporal at ${apiKeyProxy.address} refused the API key \\(TEMPORAL_API_KEY\\): set TEMPORAL_API_KEY to a key that is valid`,
    );
    await expect(connectNative(wrong.temporal)).rejects.toThrow(sentence);
    await expect(startReceiver(wrong, apiKeyProxy.address, logger)).rejects.toThrow(sentence);
  });
});
