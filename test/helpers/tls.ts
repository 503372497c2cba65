// What a TLS test needs on loopback: a certificate authority, certificates it signs (made here with
// node-forge on keys from node:crypto), a TLS-terminating proxy that requires a client certificate
// (a few lines of node:tls piping into node:net, as stunnel or an ingress would), and an HTTP/2
// proxy that terminates TLS, reads each gRPC call's headers and checks an API key the way a hosted
// Temporal frontend does before forwarding the call.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import {
  connect as h2connect,
  constants as h2,
  createSecureServer,
  type ClientHttp2Session,
  type IncomingHttpHeaders,
} from 'node:http2';
import { connect as netConnect, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import forge from 'node-forge';

export interface Pem {
  cert: string;
  key: string;
}

function keyPair() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  return {
    keyPem,
    privateKey: forge.pki.privateKeyFromPem(keyPem),
    publicKey: forge.pki.publicKeyFromPem(
      publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    ),
  };
}

function certificate(
  subject: string,
  publicKey: forge.pki.PublicKey,
  extensions: object[],
  issuer: { name: string; key: forge.pki.rsa.PrivateKey } | undefined,
  signingKey: forge.pki.rsa.PrivateKey,
): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 24 * 3600_000);
  cert.setSubject([{ name: 'commonName', value: subject }]);
  cert.setIssuer([{ name: 'commonName', value: issuer?.name ?? subject }]);
  cert.setExtensions(extensions);
  cert.sign(issuer?.key ?? signingKey, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

export interface Authority extends Pem {
  name: string;
  /** A leaf certificate this authority signs: a server's (DNS names) or a client's. */
  issue(commonName: string, use: { serverNames: string[] } | 'client'): Pem;
}

export function createAuthority(name: string): Authority {
  const ca = keyPair();
  const cert = certificate(
    name,
    ca.publicKey,
    [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
      { name: 'subjectKeyIdentifier' },
    ],
    undefined,
    ca.privateKey,
  );
  return {
    name,
    cert,
    key: ca.keyPem,
    issue(commonName, use) {
      const leaf = keyPair();
      const extensions: object[] = [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      ];
      if (use === 'client') {
        extensions.push({ name: 'extKeyUsage', clientAuth: true });
      } else {
        extensions.push(
          { name: 'extKeyUsage', serverAuth: true },
          {
            name: 'subjectAltName',
            altNames: use.serverNames.map((value) => ({ type: 2, value })),
          },
        );
      }
      return {
        cert: certificate(
          commonName,
          leaf.publicKey,
          extensions,
          { name, key: ca.privateKey },
          ca.privateKey,
        ),
        key: leaf.keyPem,
      };
    },
  };
}

export interface Proxy {
  address: string;
  close(): Promise<void>;
}

function listening(server: Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve(`127.0.0.1:${String((server.address() as { port: number }).port)}`);
    });
  });
}

/**
 * mTLS in front of a plaintext Temporal frontend: the handshake requires a client certificate
 * signed by `clientCa`; the decrypted bytes go to `upstream` unchanged.
 */
export async function startMtlsProxy(options: {
  upstream: string;
  server: Pem;
  clientCa: string;
}): Promise<Proxy> {
  const [host = '127.0.0.1', port = '0'] = options.upstream.split(':');
  const sockets = new Set<Socket>();
  const server = createTlsServer(
    {
      ...options.server,
      ca: options.clientCa,
      requestCert: true,
      rejectUnauthorized: true,
      ALPNProtocols: ['h2'],
    },
    (tls) => {
      const plain = netConnect(Number(port), host);
      for (const s of [tls, plain]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => undefined);
      }
      tls.pipe(plain).pipe(tls);
    },
  );
  server.on('tlsClientError', () => undefined); // a refused certificate is the point of the test
  const address = await listening(server);
  return {
    address,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * TLS with a server certificate only, like Temporal Cloud's API-key endpoints: each gRPC call's
 * request headers are recorded; a call without `authorization: Bearer <apiKey>` is answered
 * UNAUTHENTICATED, the others are forwarded to `upstream` (plaintext HTTP/2) with their trailers.
 */
export async function startApiKeyProxy(options: {
  upstream: string;
  server: Pem;
  apiKey: string;
}): Promise<Proxy & { headers: IncomingHttpHeaders[] }> {
  const headers: IncomingHttpHeaders[] = [];
  let upstream: ClientHttp2Session | undefined;
  const session = () => {
    if (upstream === undefined || upstream.closed || upstream.destroyed) {
      upstream = h2connect(`http://${options.upstream}`);
      upstream.on('error', () => undefined);
    }
    return upstream;
  };
  const server = createSecureServer({ ...options.server, allowHTTP1: false });
  server.on('stream', (stream, requestHeaders) => {
    stream.on('error', () => undefined);
    headers.push(requestHeaders);
    if (requestHeaders.authorization !== `Bearer ${options.apiKey}`) {
      stream.respond(
        {
          ':status': 200,
          'content-type': 'application/grpc',
          'grpc-status': '16',
          'grpc-message': 'Request unauthorized.',
        },
        { endStream: true },
      );
      return;
    }
    const forwarded: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(requestHeaders)) {
      if (value !== undefined && name !== h2.HTTP2_HEADER_AUTHORITY) forwarded[name] = value;
    }
    const call = session().request(forwarded);
    call.on('error', () => stream.close(h2.NGHTTP2_CANCEL));
    stream.on('close', () => {
      if (!call.closed) call.close(h2.NGHTTP2_CANCEL);
    });
    stream.pipe(call);
    call.on('response', (responseHeaders) => {
      const { [h2.HTTP2_HEADER_STATUS]: status, ...rest } = responseHeaders;
      const endsNow = responseHeaders['grpc-status'] !== undefined; // trailers-only answer
      stream.respond({ ':status': status ?? 200, ...rest }, { waitForTrailers: !endsNow });
      call.pipe(stream);
    });
    let trailers: Record<string, string | string[]> = { 'grpc-status': '14' }; // if none come
    call.on('trailers', (received: IncomingHttpHeaders) => {
      trailers = {};
      for (const [name, value] of Object.entries(received)) {
        if (typeof value === 'string' || Array.isArray(value)) {
          if (!name.startsWith(':')) trailers[name] = value;
        }
      }
    });
    stream.on('wantTrailers', () => {
      stream.sendTrailers(trailers);
    });
  });
  const address = await listening(server);
  return {
    address,
    headers,
    close: () =>
      new Promise((resolve) => {
        upstream?.destroy();
        server.close(() => resolve());
        // open client sessions would hold close() forever
        setTimeout(resolve, 1000).unref();
      }),
  };
}
