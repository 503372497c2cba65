// Where Hookline finds its Temporal server: the SDK's own loader (@temporalio/envconfig), so the
// standard TEMPORAL_* variables and the TOML profile file (TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE,
// default ~/.config/temporalio/temporal.toml) mean what they mean for the temporal CLI and every
// other SDK. Read once by loadConfig; the receiver, worker, CLI and schedules connect with it
// (./connection.ts).
//
// One rule on top of the SDK's: a setting comes from one place. The SDK lets a variable override
// the profile field by field, so TEMPORAL_ADDRESS=localhost:7233 beside a Cloud profile would send
// that profile's API key and certificates to localhost; Hookline refuses to start instead.
import { existsSync, readFileSync } from 'node:fs';
import {
  loadClientConfigProfile,
  type ClientConfigProfile,
  type ConfigDataSource,
} from '@temporalio/envconfig';
import { ConfigError } from '../configFields';

export interface TemporalTls {
  serverNameOverride?: string;
  serverRootCACertificate?: Buffer;
  clientCertPair?: { crt: Buffer; key: Buffer };
}

/** How to reach Temporal, resolved from the environment and the profile file. */
export interface TemporalConnectionSettings {
  /** undefined: nothing configured (npm start runs a local dev server). */
  address: string | undefined;
  namespace: string | undefined;
  /** true: TLS with the system's CAs; an object: the configured CA, name, client pair. */
  tls: TemporalTls | true | undefined;
  apiKey: string | undefined;
  /** Extra gRPC headers (TEMPORAL_GRPC_META_<NAME>, grpc_meta in a profile). */
  metadata: Record<string, string> | undefined;
  /** Where each TLS/auth setting came from, to name it in an error. */
  origin: { serverCa: string; clientCert: string; apiKey: string; serverName: string };
  /** `profile "x" of <file>` when a profile file contributed anything. */
  profile: string | undefined;
}

type Field = 'address' | 'namespace' | 'apiKey' | 'disabled' | 'serverName' | 'cert' | 'key' | 'ca';

/** Per setting: its variable(s) and its profile key(s), in the words of the SDK's docs. */
const NAMES: Record<Field, { env: string; file: string; secret?: boolean }> = {
  address: { env: 'TEMPORAL_ADDRESS', file: 'address' },
  namespace: { env: 'TEMPORAL_NAMESPACE', file: 'namespace' },
  apiKey: { env: 'TEMPORAL_API_KEY', file: 'api_key', secret: true },
  disabled: { env: 'TEMPORAL_TLS', file: 'tls.disabled' },
  serverName: { env: 'TEMPORAL_TLS_SERVER_NAME', file: 'tls.server_name' },
  cert: { env: 'TEMPORAL_TLS_CLIENT_CERT_PATH', file: 'tls.client_cert_path', secret: true },
  key: { env: 'TEMPORAL_TLS_CLIENT_KEY_PATH', file: 'tls.client_key_path', secret: true },
  ca: { env: 'TEMPORAL_TLS_SERVER_CA_CERT_PATH', file: 'tls.server_ca_cert_path', secret: true },
};

function pick(profile: ClientConfigProfile, field: Field): unknown {
  const tls = profile.tls;
  switch (field) {
    case 'address':
    case 'namespace':
    case 'apiKey':
      return profile[field];
    case 'disabled':
      return tls?.disabled;
    case 'serverName':
      return tls?.serverName;
    case 'cert':
      return tls?.clientCert;
    case 'key':
      return tls?.clientKey;
    case 'ca':
      return tls?.serverCACert;
  }
}

/** The variable or profile key that actually holds a data source: `_PATH` or `_DATA`. */
function sourceName(name: string, source: unknown, file: boolean): string {
  if (typeof source !== 'object' || source === null || !('data' in source)) return name;
  return file ? name.replace(/_path$/, '_data') : name.replace(/_PATH$/, '_DATA');
}

/** `where`: 'env', or the profile and file a value came from. */
function describe(field: Field, value: unknown, where: string): string {
  const names = NAMES[field];
  const name = sourceName(where === 'env' ? names.env : names.file, value, where !== 'env');
  if (field === 'disabled' && where === 'env') value = value !== true; // TEMPORAL_TLS=false
  const shown =
    names.secret === true || typeof value === 'object'
      ? ''
      : ` (${typeof value === 'string' ? value : JSON.stringify(value)})`;
  return where === 'env' ? `${name}${shown}` : `${name}${shown} in ${where}`;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Hookline's convention: an empty variable is unset (the SDK would take '' as a value). */
function setVariables(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (value.trim() === '' && !name.startsWith('TEMPORAL_GRPC_META_')) continue;
    out[name] = value;
  }
  return out;
}

function configFile(env: Record<string, string>): string {
  const explicit = env['TEMPORAL_CONFIG_FILE'];
  if (explicit !== undefined) return explicit;
  const base =
    env['XDG_CONFIG_HOME'] ?? (env['HOME'] === undefined ? '~' : `${env['HOME']}/.config`);
  return `${base}/temporalio/temporal.toml`;
}

function load(options: Parameters<typeof loadClientConfigProfile>[0]): ClientConfigProfile {
  try {
    return loadClientConfigProfile(options);
  } catch (err) {
    throw new ConfigError(`Temporal connection settings: ${(err as Error).message}.`);
  }
}

function read(source: ConfigDataSource | undefined, name: string): Buffer | undefined {
  if (source === undefined) return undefined;
  if ('data' in source) return Buffer.from(source.data);
  try {
    return readFileSync(source.path);
  } catch (err) {
    throw new ConfigError(
      `${name} points at ${source.path}, which cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}).`,
    );
  }
}

export function resolveTemporalConnection(
  rawEnv: NodeJS.ProcessEnv = process.env,
): TemporalConnectionSettings {
  const env = setVariables(rawEnv);
  const file = configFile(env);
  if (env['TEMPORAL_CONFIG_FILE'] !== undefined && !existsSync(file)) {
    // The SDK treats a missing file as no file: a typo would silently mean "no profile".
    throw new ConfigError(`TEMPORAL_CONFIG_FILE points at ${file}, which does not exist.`);
  }
  const tlsFlag = env['TEMPORAL_TLS'];
  if (tlsFlag !== undefined && !['true', 'false', '1', '0'].includes(tlsFlag)) {
    throw new ConfigError(`TEMPORAL_TLS must be true or false (got ${tlsFlag}).`);
  }
  if (['true', '1'].includes(env['TEMPORAL_TLS_DISABLE_HOST_VERIFICATION'] ?? '')) {
    throw new ConfigError(
      "TEMPORAL_TLS_DISABLE_HOST_VERIFICATION is not supported by Temporal's TypeScript SDK: set TEMPORAL_TLS_SERVER_NAME to a name in the server's certificate instead.",
    );
  }
  const profileName = env['TEMPORAL_PROFILE'] ?? 'default';
  const where = `profile "${profileName}" of ${file}`;
  let fromFile: ClientConfigProfile;
  try {
    fromFile = loadClientConfigProfile({ overrideEnvVars: env, disableEnv: true });
  } catch (err) {
    const message = (err as Error).message;
    if (/Profile '.*' not found/.test(message)) {
      throw new ConfigError(
        `TEMPORAL_PROFILE=${profileName} names no profile in ${file}: add [profile.${profileName}] there or unset TEMPORAL_PROFILE.`,
      );
    }
    throw new ConfigError(`${file}: ${message}.`);
  }
  const fromEnv = load({ overrideEnvVars: env, disableFile: true });
  const fields = Object.keys(NAMES) as Field[];
  for (const field of fields) {
    const a = pick(fromEnv, field);
    const b = pick(fromFile, field);
    if (a !== undefined && b !== undefined && !same(a, b)) {
      throw new ConfigError(
        `${describe(field, a, 'env')} and ${describe(field, b, where)} disagree: unset one of them.`,
      );
    }
  }
  const merged = load({ overrideEnvVars: env });
  const fileUsed = fields.some((f) => pick(fromFile, f) !== undefined);
  const origin = (field: Field) => {
    const value = pick(fromEnv, field) ?? pick(fromFile, field);
    return pick(fromEnv, field) !== undefined
      ? describe(field, value, 'env')
      : describe(field, value, where);
  };

  const tlsSettings = merged.tls;
  const disabled = tlsSettings?.disabled === true;
  const material = (['cert', 'key', 'ca'] as const).filter((f) => pick(merged, f) !== undefined);
  if (disabled && material.length > 0) {
    throw new ConfigError(
      `${origin('disabled')} turns TLS off, but ${origin(material[0] ?? 'cert')} is set: remove one of them.`,
    );
  }
  const hasCert = tlsSettings?.clientCert !== undefined;
  const hasKey = tlsSettings?.clientKey !== undefined;
  if (hasCert !== hasKey) {
    throw new ConfigError(
      hasCert
        ? `${origin('cert')} is set without its key: set TEMPORAL_TLS_CLIENT_KEY_PATH (or _DATA) too.`
        : `${origin('key')} is set without its certificate: set TEMPORAL_TLS_CLIENT_CERT_PATH (or _DATA) too.`,
    );
  }
  const wantsTls = (tlsSettings !== undefined && !disabled) || merged.apiKey !== undefined;
  if (merged.address === undefined && (wantsTls || merged.apiKey !== undefined)) {
    throw new ConfigError(
      `${merged.apiKey !== undefined ? origin('apiKey') : 'TLS'} is set but no Temporal address: set TEMPORAL_ADDRESS (the local dev server takes neither TLS nor an API key).`,
    );
  }

  let tls: TemporalConnectionSettings['tls'];
  if (tlsSettings !== undefined && !disabled) {
    const crt = read(tlsSettings.clientCert, origin('cert'));
    const key = read(tlsSettings.clientKey, origin('key'));
    const ca = read(tlsSettings.serverCACert, origin('ca'));
    tls = {
      ...(tlsSettings.serverName === undefined
        ? {}
        : { serverNameOverride: tlsSettings.serverName }),
      ...(ca === undefined ? {} : { serverRootCACertificate: ca }),
      ...(crt === undefined || key === undefined ? {} : { clientCertPair: { crt, key } }),
    };
  } else if (!disabled && merged.apiKey !== undefined) {
    tls = true; // the SDK's rule: an API key means TLS unless TLS is turned off explicitly
  }
  return {
    address: merged.address,
    namespace: merged.namespace,
    tls,
    apiKey: merged.apiKey,
    metadata:
      merged.grpcMeta === undefined || Object.keys(merged.grpcMeta).length === 0
        ? undefined
        : merged.grpcMeta,
    origin: {
      serverCa: pick(merged, 'ca') === undefined ? "the system's trusted CAs" : origin('ca'),
      clientCert: pick(merged, 'cert') === undefined ? 'no client certificate' : origin('cert'),
      apiKey: origin('apiKey'),
      serverName: origin('serverName'),
    },
    profile: fileUsed ? where : undefined,
  };
}

/** An address and nothing else: the dev server npm start runs, or a test's. */
export function plainConnection(address: string): TemporalConnectionSettings {
  return {
    address,
    namespace: undefined,
    tls: undefined,
    apiKey: undefined,
    metadata: undefined,
    origin: {
      serverCa: "the system's trusted CAs",
      clientCert: 'no client certificate',
      apiKey: 'TEMPORAL_API_KEY',
      serverName: 'TEMPORAL_TLS_SERVER_NAME',
    },
    profile: undefined,
  };
}
