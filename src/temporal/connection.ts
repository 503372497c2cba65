// The one way Hookline connects to Temporal: the receiver's and the CLI's Client (lazy), the
// worker's NativeConnection, and the schedules' client all take their options from here, built
// from the settings loadConfig resolved (./connectionConfig.ts). A connection that fails for a
// reason only the operator can fix (a certificate, a CA, an API key) says which setting to change.
import { isIP } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { Client, Connection, type ClientPlugin, type ConnectionOptions } from '@temporalio/client';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import type { TemporalConnectionSettings } from './connectionConfig';

export interface TemporalTarget {
  namespace: string;
  connection: TemporalConnectionSettings;
}

/** The options both connection kinds accept; `address` wins (a dev server npm start runs). */
export function connectionOptions(
  settings: TemporalConnectionSettings,
  address = settings.address,
): Pick<ConnectionOptions & NativeConnectionOptions, 'address' | 'tls' | 'apiKey' | 'metadata'> {
  return {
    ...(address === undefined ? {} : { address }),
    ...(settings.tls === undefined ? {} : { tls: settings.tls }),
    ...(settings.apiKey === undefined ? {} : { apiKey: settings.apiKey }),
    ...(settings.metadata === undefined ? {} : { metadata: settings.metadata }),
  };
}

/** Lazy: the receiver starts (and answers 503) even while Temporal is down. */
export function createClient(
  target: TemporalTarget,
  options: { address?: string | undefined; plugins?: ClientPlugin[] } = {},
): Client {
  const connection = Connection.lazy(
    connectionOptions(target.connection, options.address ?? target.connection.address),
  );
  return new Client({
    connection,
    namespace: target.namespace,
    plugins: options.plugins ?? [],
  });
}

export async function connectNative(
  target: TemporalTarget,
  address?: string,
): Promise<NativeConnection> {
  const options = connectionOptions(target.connection, address ?? target.connection.address);
  try {
    return await NativeConnection.connect(options);
  } catch (err) {
    throw (await explainWithProbe(err, target.connection, options.address)) ?? err;
  }
}

/**
 * The SDK's error, explained; when it is only "transport error" (with TLS 1.3 a refused client
 * certificate often reaches the worker's Rust transport as a broken pipe), a TLS handshake of our
 * own with the same settings tells what the server refused.
 */
async function explainWithProbe(
  err: unknown,
  settings: TemporalConnectionSettings,
  address: string | undefined,
): Promise<Error | undefined> {
  const direct = explainConnectionError(err, settings, address);
  if (direct !== undefined || settings.tls === undefined || address === undefined) return direct;
  const probed = await probeTls(address, settings.tls);
  return probed === undefined ? undefined : explainConnectionError(probed, settings, address);
}

/**
 * One TLS handshake to `address` as the SDK would make it, then the HTTP/2 preface: resolves
 * undefined when the server answers, or the error the handshake or the server's alert gave.
 * Bounded by `timeoutMs`; a silent server counts as answering (not a TLS problem).
 */
export function probeTls(
  address: string,
  tls: NonNullable<TemporalConnectionSettings['tls']>,
  timeoutMs = 3000,
): Promise<Error | undefined> {
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(address);
  const host = match?.[1] ?? address;
  const port = Number(match?.[2] ?? 7233);
  const options = tls === true ? {} : tls;
  const servername = options.serverNameOverride ?? (isIP(host) === 0 ? host : undefined);
  return new Promise((resolve) => {
    const socket = tlsConnect({
      host,
      port,
      ...(servername === undefined ? {} : { servername }),
      ...(options.serverRootCACertificate === undefined
        ? {}
        : { ca: options.serverRootCACertificate }),
      ...(options.clientCertPair === undefined
        ? {}
        : { cert: options.clientCertPair.crt, key: options.clientCertPair.key }),
      ALPNProtocols: ['h2'],
    });
    const done = (result: Error | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    let secure = false;
    socket.once('error', (e: Error) => done(e));
    socket.once('data', () => done(undefined));
    socket.once('close', () => {
      // Handshake done, then hung up without a word: how a server that verifies the client's
      // certificate after the handshake (Node, some proxies) refuses it; others send an alert.
      if (secure) done(new Error('the server closed the connection after the TLS handshake'));
    });
    socket.once('secureConnect', () => {
      secure = true;
      // the client preface and an empty SETTINGS frame: a server that accepted us answers
      socket.write(
        Buffer.concat([
          Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'),
          Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]),
        ]),
      );
    });
  });
}

/**
 * With TLS on, one handshake of our own before the SDK's: grpc-js retries a failed handshake
 * until its deadline, so its error would come late and vague. Throws the sentence naming the
 * setting to fix; returns quietly when the handshake passed or the server is only unreachable.
 */
export async function checkTls(
  settings: TemporalConnectionSettings,
  address = settings.address,
): Promise<void> {
  if (settings.tls === undefined || address === undefined) return;
  const probed = await probeTls(address, settings.tls);
  const explained = explainConnectionError(probed, settings, address);
  if (explained !== undefined) throw explained;
}

/**
 * Connects a lazy client once: a setting the operator must fix (an API key, say) fails with its
 * sentence; a server that is only unreachable is left to the caller (the receiver starts anyway).
 */
export async function checkClient(
  client: Client,
  settings: TemporalConnectionSettings,
  address = settings.address,
): Promise<{ reachable: boolean; error?: unknown }> {
  try {
    await client.connection.ensureConnected();
    return { reachable: true };
  } catch (err) {
    const explained = explainConnectionError(err, settings, address);
    if (explained !== undefined) throw explained;
    return { reachable: false, error: err };
  }
}

/** Errors from Node's TLS layer may come from another realm (test sandboxes): no instanceof. */
function isErrorLike(e: unknown): e is { message: string; cause?: unknown; details?: unknown } {
  return typeof e === 'object' && e !== null && 'message' in e && typeof e.message === 'string';
}

function messages(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 6; depth++) {
    if (isErrorLike(e)) {
      parts.push(e.message);
      if (typeof e.details === 'string') parts.push(e.details);
      e = e.cause;
    } else {
      parts.push(typeof e === 'string' ? e : JSON.stringify(e));
      break;
    }
  }
  return parts.join(' | ');
}

function grpcCode(err: unknown): number | undefined {
  for (let e: unknown = err, depth = 0; isErrorLike(e) && depth < 6; depth++) {
    if ('code' in e && typeof e.code === 'number') return e.code;
    e = e.cause;
  }
  return undefined;
}

/**
 * The sentence for a connection failure the operator must fix, or undefined for anything else.
 * Patterns cover both transports: grpc-js/OpenSSL (Client) and tonic/rustls (NativeConnection).
 */
export function explainConnectionError(
  err: unknown,
  settings: TemporalConnectionSettings,
  address = settings.address ?? 'the Temporal server',
): Error | undefined {
  const text = messages(err);
  const at = `Temporal at ${address}`;
  const fail = (sentence: string) => new Error(sentence, { cause: err });
  if (
    /UnknownIssuer|unable to (verify|get local issuer)|self[- ]signed certificate|certificate verify failed|invalid peer certificate(?!: NotValidForName)/i.test(
      text,
    )
  ) {
    return fail(
      `${at} presented a certificate that ${settings.origin.serverCa} does not vouch for: set TEMPORAL_TLS_SERVER_CA_CERT_PATH to the CA that signed the server's certificate (unset it for a server with a public certificate, such as Temporal Cloud).`,
    );
  }
  if (
    /NotValidForName|altname|does not match certificate|Hostname\/IP does not match/i.test(text)
  ) {
    return fail(
      `${at} presented a certificate for another name: set TEMPORAL_TLS_SERVER_NAME to a name the server's certificate carries.`,
    );
  }
  if (
    /certificate required|CertificateRequired|closed the connection after the TLS handshake|bad certificate|BadCertificate|unknown ca|UnknownCA|handshake failure|HandshakeFailure|peer sent no certificates/i.test(
      text,
    )
  ) {
    return fail(
      `${at} refused ${settings.origin.clientCert === 'no client certificate' ? 'the connection without a client certificate' : `the client certificate (${settings.origin.clientCert})`}: set TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH to a pair issued by the CA the server trusts for clients.`,
    );
  }
  const code = grpcCode(err);
  if (
    code === 16 ||
    code === 7 ||
    /unauthori[sz]ed|UNAUTHENTICATED|PERMISSION_DENIED/i.test(text)
  ) {
    return fail(
      settings.apiKey === undefined
        ? `${at} refused the call as unauthenticated: set TEMPORAL_API_KEY, or a client certificate (TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH).`
        : `${at} refused the API key (${settings.origin.apiKey}): set TEMPORAL_API_KEY to a key that is valid and allowed on this namespace.`,
    );
  }
  if (
    settings.tls !== undefined &&
    /wrong version number|packet length too long|InvalidContentType|CorruptMessage|http\/1/i.test(
      text,
    )
  ) {
    return fail(
      `${at} does not speak TLS: set TEMPORAL_TLS=false, or point TEMPORAL_ADDRESS at the TLS endpoint.`,
    );
  }
  return undefined;
}
