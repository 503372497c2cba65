import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig, openSources } from '../../../src/config';

describe('configuration', () => {
  it('has working defaults and no sources when nothing is set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 3000, bodyLimitBytes: 1048576, sources: [] });
    expect(config.temporal).toMatchObject({
      namespace: 'default',
      taskQueue: 'hookline',
      address: undefined,
    });
  });

  it('builds the default source from environment variables, secrets newest first', () => {
    const config = loadConfig({
      MEEVA_WEBHOOK_SECRET: 'whsec_new, whsec_old',
      MEEVA_API_URL: 'https://meeva.app/v1',
      MEEVA_API_KEY: 'mk_live_1',
    });
    expect(config.sources).toEqual([
      expect.objectContaining({
        provider: 'meeva',
        name: 'default',
        secrets: ['whsec_new', 'whsec_old'],
        api: { url: 'https://meeva.app/v1', key: 'mk_live_1' },
      }),
    ]);
  });

  it('sheds and bounds by default: 1.5 s hand-off deadline, 64 in flight, 1,000 cached workflows', () => {
    expect(loadConfig({})).toMatchObject({
      handoffTimeoutMs: 1500,
      maxInflightHandoffs: 64,
      edgeDedupSize: 10_000,
      workerMaxCachedWorkflows: 1000,
    });
    expect(loadConfig({ MAX_INFLIGHT_HANDOFFS: '0' }).maxInflightHandoffs).toBe(0); // no cap
    expect(() => loadConfig({ MAX_INFLIGHT_HANDOFFS: '-1' })).toThrow(/MAX_INFLIGHT_HANDOFFS/);
    expect(() => loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: 'lots' })).toThrow(
      /WORKER_MAX_CACHED_WORKFLOWS/,
    );
  });

  it('cuts off slow clients (10 s for headers, 30 s for the request) and serves metrics off the webhook port', () => {
    expect(loadConfig({}).http).toEqual({
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      keepAliveTimeoutMs: 65_000,
    });
    expect(loadConfig({}).observability.receiverMetricsPort).toBe(9466);
    expect(loadConfig({ RECEIVER_METRICS_PORT: '0' }).observability.receiverMetricsPort).toBe(0);
    expect(
      loadConfig({ HTTP_REQUEST_TIMEOUT_MS: '5000', HTTP_HEADERS_TIMEOUT_MS: '2000' }).http,
    ).toMatchObject({ headersTimeoutMs: 2000, requestTimeoutMs: 5000 });
    expect(() => loadConfig({ HTTP_HEADERS_TIMEOUT_MS: '0' })).toThrow(/HTTP_HEADERS_TIMEOUT_MS/);
    expect(() => loadConfig({ HTTP_REQUEST_TIMEOUT_MS: '5000' })).toThrow(
      /HTTP_HEADERS_TIMEOUT_MS \(10000\) must not exceed HTTP_REQUEST_TIMEOUT_MS \(5000\)/,
    );
  });

  it('gives up on a platform API after 10 s by default, and keeps the deadline under the fetch step', () => {
    expect(loadConfig({}).providerApiTimeoutMs).toBe(10_000);
    expect(loadConfig({ PROVIDER_API_TIMEOUT_MS: '2500' }).providerApiTimeoutMs).toBe(2500);
    // Past the step's own 30 s limit a hung API would fail the step instead of being retried.
    expect(() => loadConfig({ PROVIDER_API_TIMEOUT_MS: '60000' })).toThrow(
      /PROVIDER_API_TIMEOUT_MS \(at most 25000/,
    );
  });

  it('bounds Postgres: 5 s to connect, 30 s per statement by default; 0 turns the statement limit off', () => {
    expect(loadConfig({})).toMatchObject({
      databaseConnectTimeoutMs: 5000,
      databaseStatementTimeoutMs: 30_000,
    });
    expect(
      loadConfig({ DATABASE_CONNECT_TIMEOUT_MS: '2000', DATABASE_STATEMENT_TIMEOUT_MS: '0' }),
    ).toMatchObject({ databaseConnectTimeoutMs: 2000, databaseStatementTimeoutMs: 0 });
    expect(() => loadConfig({ DATABASE_CONNECT_TIMEOUT_MS: '0' })).toThrow(
      /DATABASE_CONNECT_TIMEOUT_MS/,
    );
    expect(() => loadConfig({ DATABASE_STATEMENT_TIMEOUT_MS: 'soon' })).toThrow(
      /DATABASE_STATEMENT_TIMEOUT_MS/,
    );
  });

  it('names the bad variable in one sentence', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ MEEVA_API_URL: 'not a url', MEEVA_WEBHOOK_SECRET: 'x' })).toThrow(
      /MEEVA_API_URL/,
    );
    expect(() => loadConfig({ DATABASE_URL: 'nope' })).toThrow(/DATABASE_URL/);
  });

  it('treats an empty variable as missing', () => {
    expect(loadConfig({ PORT: '', MEEVA_WEBHOOK_SECRET: '' })).toMatchObject({
      port: 3000,
      sources: [],
    });
  });

  it('reads named sources from a YAML file, and lists the ones with auth none', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hookline-config-'));
    const file = path.join(dir, 'hookline.yaml');
    writeFileSync(
      file,
      [
        'sources:',
        '  meeva:',
        '    - name: acme',
        '      secrets: [whsec_acme]',
        '    - name: open',
        '      auth: none',
      ].join('\n'),
    );
    const config = loadConfig({ HOOKLINE_CONFIG: file });
    expect(config.sources.map((s) => `${s.provider}/${s.name}`)).toEqual([
      'meeva/acme',
      'meeva/open',
    ]);
    expect(openSources(config).map((s) => s.name)).toEqual(['open']);
  });

  it('refuses a config file that does not validate, naming it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hookline-config-'));
    const file = path.join(dir, 'hookline.json');
    writeFileSync(file, JSON.stringify({ sources: { meeva: [{ name: 'Bad Name!' }] } }));
    expect(() => loadConfig({ HOOKLINE_CONFIG: file })).toThrow(
      /HOOKLINE_CONFIG file .*hookline\.json is invalid/,
    );
  });
});
