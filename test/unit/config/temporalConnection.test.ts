// Where Hookline finds Temporal: the SDK's TEMPORAL_* variables and profile file, Hookline's own
// variables beside them, and the start-up sentence when two of them disagree.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../../src/config';
import { connectionOptions } from '../../../src/temporal/connection';

const dir = mkdtempSync(path.join(tmpdir(), 'hookline-envconfig-'));
const write = (name: string, text: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};
const ca = write('ca.pem', 'CA PEM');
const cert = write('client.pem', 'CERT PEM');
const key = write('client.key', 'KEY PEM');
const cloud = write(
  'temporal.toml',
  [
    '[profile.default]',
    'address = "127.0.0.1:7233"',
    '[profile.cloud]',
    'address = "hookline.a1b2c.tmprl.cloud:7233"',
    'namespace = "hookline.a1b2c"',
    'api_key = "key-from-profile"',
    '[profile.mtls]',
    'address = "temporal.internal:7233"',
    'namespace = "bookings"',
    '[profile.mtls.tls]',
    `server_ca_cert_path = "${ca}"`,
    `client_cert_path = "${cert}"`,
    `client_key_path = "${key}"`,
    'server_name = "temporal.internal"',
  ].join('\n'),
);

const fails = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('loadConfig accepted it');
};

describe('Temporal connection settings', () => {
  it('Hookline’s TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE keep working, plaintext', () => {
    const { temporal } = loadConfig({ TEMPORAL_ADDRESS: 'temporal:7233', TEMPORAL_NAMESPACE: 'x' });
    expect(temporal).toMatchObject({ address: 'temporal:7233', namespace: 'x' });
    expect(connectionOptions(temporal.connection)).toEqual({ address: 'temporal:7233' });
  });

  it('an API key means TLS with the system CAs (Temporal Cloud), as in the SDK', () => {
    const { temporal } = loadConfig({
      TEMPORAL_ADDRESS: 'hookline.a1b2c.tmprl.cloud:7233',
      TEMPORAL_NAMESPACE: 'hookline.a1b2c',
      TEMPORAL_API_KEY: 'secret-key',
    });
    expect(connectionOptions(temporal.connection)).toEqual({
      address: 'hookline.a1b2c.tmprl.cloud:7233',
      apiKey: 'secret-key',
      tls: true,
    });
  });

  it('reads mTLS files from variables, paths or inline data, and extra gRPC headers', () => {
    const fromPaths = loadConfig({
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: ca,
      TEMPORAL_TLS_CLIENT_CERT_PATH: cert,
      TEMPORAL_TLS_CLIENT_KEY_PATH: key,
      TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
      TEMPORAL_GRPC_META_X_TEAM: 'bookings',
    }).temporal.connection;
    const inline = loadConfig({
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      TEMPORAL_TLS_SERVER_CA_CERT_DATA: 'CA PEM',
      TEMPORAL_TLS_CLIENT_CERT_DATA: 'CERT PEM',
      TEMPORAL_TLS_CLIENT_KEY_DATA: 'KEY PEM',
      TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
      TEMPORAL_GRPC_META_X_TEAM: 'bookings',
    }).temporal.connection;
    for (const settings of [fromPaths, inline]) {
      expect(connectionOptions(settings)).toEqual({
        address: 'temporal.internal:7233',
        tls: {
          serverNameOverride: 'temporal.internal',
          serverRootCACertificate: Buffer.from('CA PEM'),
          clientCertPair: { crt: Buffer.from('CERT PEM'), key: Buffer.from('KEY PEM') },
        },
        metadata: { 'x-team': 'bookings' },
      });
    }
  });

  it('takes address, namespace and TLS from a profile (TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE)', () => {
    const { temporal } = loadConfig({ TEMPORAL_CONFIG_FILE: cloud, TEMPORAL_PROFILE: 'mtls' });
    expect(temporal).toMatchObject({ address: 'temporal.internal:7233', namespace: 'bookings' });
    expect(connectionOptions(temporal.connection)).toMatchObject({
      tls: { clientCertPair: { crt: Buffer.from('CERT PEM') } },
    });
    // the profile file at its default place, as the temporal CLI writes it
    const home = mkdtempSync(path.join(tmpdir(), 'hookline-home-'));
    const configDir = path.join(home, '.config', 'temporalio');
    mkdirSync(configDir, { recursive: true });
    writeFileSync(path.join(configDir, 'temporal.toml'), '[profile.default]\naddress = "a:1"\n');
    expect(loadConfig({ HOME: home }).temporal.address).toBe('a:1');
  });

  it('empty variables are unset, as for every Hookline variable', () => {
    const { temporal } = loadConfig({
      TEMPORAL_CONFIG_FILE: cloud,
      TEMPORAL_PROFILE: 'cloud',
      TEMPORAL_ADDRESS: '',
      TEMPORAL_API_KEY: '',
    });
    expect(temporal.address).toBe('hookline.a1b2c.tmprl.cloud:7233');
    expect(temporal.connection.apiKey).toBe('key-from-profile');
  });

  it('a variable that disagrees with the profile fails start-up naming both', () => {
    expect(
      fails({ TEMPORAL_CONFIG_FILE: cloud, TEMPORAL_PROFILE: 'cloud', TEMPORAL_ADDRESS: 'x:7233' }),
    ).toBe(
      `TEMPORAL_ADDRESS (x:7233) and address (hookline.a1b2c.tmprl.cloud:7233) in profile "cloud" of ${cloud} disagree: unset one of them.`,
    );
    expect(
      fails({
        TEMPORAL_CONFIG_FILE: cloud,
        TEMPORAL_PROFILE: 'cloud',
        TEMPORAL_NAMESPACE: 'other',
      }),
    ).toMatch(/^TEMPORAL_NAMESPACE \(other\) and namespace \(hookline\.a1b2c\) in profile "cloud"/);
    // a secret is named, never printed
    const apiKey = fails({
      TEMPORAL_CONFIG_FILE: cloud,
      TEMPORAL_PROFILE: 'cloud',
      TEMPORAL_API_KEY: 'other-key',
    });
    expect(apiKey).toBe(
      `TEMPORAL_API_KEY and api_key in profile "cloud" of ${cloud} disagree: unset one of them.`,
    );
    expect(
      fails({
        TEMPORAL_CONFIG_FILE: cloud,
        TEMPORAL_PROFILE: 'mtls',
        TEMPORAL_TLS_CLIENT_CERT_DATA: 'OTHER',
      }),
    ).toMatch(/^TEMPORAL_TLS_CLIENT_CERT_DATA and tls\.client_cert_path in profile "mtls"/);
    // the same value twice is no conflict
    expect(
      loadConfig({
        TEMPORAL_CONFIG_FILE: cloud,
        TEMPORAL_PROFILE: 'cloud',
        TEMPORAL_ADDRESS: 'hookline.a1b2c.tmprl.cloud:7233',
      }).temporal.address,
    ).toBe('hookline.a1b2c.tmprl.cloud:7233');
  });

  it('settings that contradict each other fail with the fix', () => {
    expect(
      fails({
        TEMPORAL_TLS: 'false',
        TEMPORAL_ADDRESS: 'a:1',
        TEMPORAL_TLS_CLIENT_CERT_PATH: cert,
        TEMPORAL_TLS_CLIENT_KEY_PATH: key,
      }),
    ).toBe(
      'TEMPORAL_TLS (false) turns TLS off, but TEMPORAL_TLS_CLIENT_CERT_PATH is set: remove one of them.',
    );
    expect(fails({ TEMPORAL_ADDRESS: 'a:1', TEMPORAL_TLS_CLIENT_CERT_PATH: cert })).toBe(
      'TEMPORAL_TLS_CLIENT_CERT_PATH is set without its key: set TEMPORAL_TLS_CLIENT_KEY_PATH (or _DATA) too.',
    );
    expect(fails({ TEMPORAL_API_KEY: 'k' })).toBe(
      'TEMPORAL_API_KEY is set but no Temporal address: set TEMPORAL_ADDRESS (the local dev server takes neither TLS nor an API key).',
    );
    expect(fails({ TEMPORAL_CONFIG_FILE: path.join(dir, 'nope.toml') })).toBe(
      `TEMPORAL_CONFIG_FILE points at ${path.join(dir, 'nope.toml')}, which does not exist.`,
    );
    expect(fails({ TEMPORAL_CONFIG_FILE: cloud, TEMPORAL_PROFILE: 'prod' })).toBe(
      `TEMPORAL_PROFILE=prod names no profile in ${cloud}: add [profile.prod] there or unset TEMPORAL_PROFILE.`,
    );
    expect(fails({ TEMPORAL_ADDRESS: 'a:1', TEMPORAL_TLS: 'yes' })).toBe(
      'Invalid environment: TEMPORAL_TLS (true or false).',
    );
    expect(
      fails({
        TEMPORAL_ADDRESS: 'a:1',
        TEMPORAL_TLS_CLIENT_CERT_PATH: '/no/cert.pem',
        TEMPORAL_TLS_CLIENT_KEY_PATH: key,
      }),
    ).toBe('TEMPORAL_TLS_CLIENT_CERT_PATH points at /no/cert.pem, which cannot be read (ENOENT).');
  });

  it('a versioned worker needs both its deployment name and build id', () => {
    expect(loadConfig({}).temporal.deployment).toBeUndefined();
    expect(
      loadConfig({ HOOKLINE_DEPLOYMENT_NAME: 'hookline', HOOKLINE_BUILD_ID: '2026-12-05.1' })
        .temporal.deployment,
    ).toEqual({ deploymentName: 'hookline', buildId: '2026-12-05.1' });
    expect(fails({ HOOKLINE_BUILD_ID: 'b1' })).toBe(
      'HOOKLINE_BUILD_ID is set without HOOKLINE_DEPLOYMENT_NAME: set both (a versioned worker) or neither.',
    );
  });
});
