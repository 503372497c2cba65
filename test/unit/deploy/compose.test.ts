import { describe, expect, it } from '@jest/globals';
import path from 'node:path';
import { loadConfig } from '../../../src/config';
import { PROVIDER_IDS } from '../../../src/events/canonical';
import { SEARCH_ATTRIBUTES } from '../../../workflows/shared';
import {
  ROOT,
  environmentOf,
  interpolate,
  interpolatedNames,
  knownVariables,
  parseDotenv,
  readCompose,
  readRootFile,
  type ComposeService,
} from './deployFiles';

const compose = readCompose();
const services = Object.entries(compose.services);
const envExampleText = readRootFile('.env.example');
const envExample = parseDotenv(envExampleText);
const known = knownVariables();
/** Variables that only docker-compose.yml substitutes (Postgres passwords), never Hookline. */
const COMPOSE_ONLY = ['POSTGRES_PASSWORD', 'POSTGRES_HOOKLINE_PASSWORD'];
const HOOKLINE_NAME =
  /^(PORT|HOST|BODY_LIMIT_BYTES|HANDOFF_TIMEOUT_MS|MAX_INFLIGHT_HANDOFFS|EDGE_DEDUP_SIZE|HTTP_\w+_TIMEOUT_MS|RECEIVER_METRICS_PORT|PROVIDER_API_TIMEOUT_MS|LOG_LEVEL|HOOKLINE_\w+|TEMPORAL_\w+|BOOKING_\w+|RECONCILE_INTERVAL|WORKER_\w+|OTEL_EXPORTER_OTLP_ENDPOINT|DATABASE_URL|DOWNSTREAM_WEBHOOK_URL|(MEEVA|BOOKINGEXPERTS|MEETINGPACKAGE|MEETERGO|ZAUI|STANDARDWEBHOOKS)_\w+)$/;

const text = (value: string | string[] | undefined) =>
  Array.isArray(value) ? value.join(' ') : (value ?? '');
const runs = (script: string) => (s: ComposeService) => text(s.command).includes(script);
const hookline = services.filter(([, s]) => s.build !== undefined);
const receivers = hookline.filter(([, s]) => s.command === undefined || runs('receiver.js')(s));
const workers = hookline.filter(([, s]) => runs('worker.js')(s));
/** What the service's process would see, with .env.example standing in for .env. */
const resolvedEnv = (s: ComposeService) =>
  Object.fromEntries(
    Object.entries(environmentOf(s)).map(([k, v]) => [k, interpolate(v, envExample)]),
  );
const conditionOn = (s: ComposeService, name: string) =>
  Array.isArray(s.depends_on) ? undefined : s.depends_on?.[name]?.condition;

describe('docker-compose.yml', () => {
  it('runs Postgres, Temporal, the Web UI, a receiver and at least two workers', () => {
    for (const name of ['postgres', 'temporal', 'temporal-ui'])
      expect(compose.services).toHaveProperty(name);
    expect(compose.services['postgres']?.image).toMatch(/^postgres:16\b/);
    expect(compose.services['temporal']?.image).toMatch(/^temporalio\/server:\d+\.\d+\.\d+$/);
    expect(compose.services['temporal-ui']?.image).toMatch(/^temporalio\/ui:/);
    expect(receivers).toHaveLength(1);
    const replicas = workers.reduce((n, [, s]) => n + (s.deploy?.replicas ?? 1), 0);
    expect(replicas).toBeGreaterThanOrEqual(2);
  });

  it('uses only maintained Temporal images, the retired auto-setup nowhere', () => {
    for (const [, s] of services) expect(s.image ?? '').not.toMatch(/auto-setup/);
    const temporalImages = services
      .map(([, s]) => s.image ?? '')
      .filter((image) => image.startsWith('temporalio/'));
    for (const image of temporalImages)
      expect(image).toMatch(/^temporalio\/(server|admin-tools|ui):\d+\.\d+\.\d+$/);
  });

  it('sets up both Temporal schemas on Postgres before the server starts', () => {
    const schema = services.filter(([, s]) => text(s.command).includes('temporal-sql-tool'));
    expect(schema).toHaveLength(1);
    const [schemaName, schemaService] = schema[0]!;
    expect(schemaService.image).toMatch(/^temporalio\/admin-tools:/);
    const script = text(schemaService.command);
    for (const step of ['create', 'setup-schema -v 0.0', 'update-schema -d'])
      expect(script).toContain(step);
    expect(script).toMatch(/for db in temporal temporal_visibility/);
    expect(script).toContain('/etc/temporal/schema/postgresql/v12');
    expect(environmentOf(schemaService)['SQL_PLUGIN']).toBe('postgres12');
    expect(conditionOn(schemaService, 'postgres')).toBe('service_healthy');
    expect(conditionOn(compose.services['temporal']!, schemaName)).toBe(
      'service_completed_successfully',
    );
    expect(environmentOf(compose.services['temporal']!)['DB']).toBe('postgres12');
  });

  it('publishes the receiver port and checks /healthz on it', () => {
    const [, receiver] = receivers[0]!;
    const port = resolvedEnv(receiver)['PORT'] ?? '3000';
    expect((receiver.ports ?? []).map(String)).toContainEqual(expect.stringMatching(`:${port}$`));
    expect(text(receiver.healthcheck?.test)).toContain(`:${port}/healthz`);
  });

  it('points hookline services at the compose Temporal and the hookline database', () => {
    for (const [, s] of hookline) {
      expect(resolvedEnv(s)['TEMPORAL_ADDRESS']).toBe('temporal:7233');
      expect(conditionOn(s, 'temporal')).toBe('service_healthy');
    }
    for (const [, s] of workers) {
      const url = new URL(resolvedEnv(s)['DATABASE_URL'] ?? '');
      expect([url.hostname, url.pathname]).toEqual(['postgres', '/hookline']);
      expect(conditionOn(s, 'postgres')).toBe('service_healthy');
    }
  });

  it('sets only variables Hookline reads, each documented in .env.example', () => {
    for (const [name, s] of hookline) {
      for (const key of Object.keys(environmentOf(s))) {
        expect({ service: name, key, ok: HOOKLINE_NAME.test(key) && known.all.has(key) }).toEqual({
          service: name,
          key,
          ok: true,
        });
        expect(envExample).toHaveProperty([key]);
      }
      expect(() => loadConfig(resolvedEnv(s))).not.toThrow();
    }
  });

  it('documents every variable it substitutes in .env.example', () => {
    for (const name of interpolatedNames(readRootFile('docker-compose.yml')))
      expect(envExample).toHaveProperty([name]);
  });

  it('creates the namespace and registers the four search attributes as Keyword before hookline services start', () => {
    const setup = services.filter(([, s]) => text(s.command).includes('search-attribute create'));
    expect(setup).toHaveLength(1);
    const [setupName, setupService] = setup[0]!;
    expect(setupService.image).toMatch(/^temporalio\/admin-tools:/);
    const script = text(setupService.command);
    expect(script).toContain('--type Keyword');
    expect(script).toContain('temporal operator namespace create');
    for (const { name } of SEARCH_ATTRIBUTES) expect(script).toContain(name);
    for (const [, s] of hookline)
      expect(conditionOn(s, setupName)).toBe('service_completed_successfully');
  });
});

describe('.env.example', () => {
  it('documents every variable the config reads, one comment line each', () => {
    expect(known.schema).toEqual(expect.arrayContaining(['PORT', 'DATABASE_URL']));
    expect(known.providerSuffixes).toEqual(expect.arrayContaining(['WEBHOOK_SECRET', 'API_URL']));
    expect(known.options['bookingexperts']).toContain('SIGNATURE_ALGORITHM');
    expect(Object.keys(envExample).sort()).toEqual([...known.all, ...COMPOSE_ONLY].sort());
    const lines = envExampleText.split('\n');
    lines.forEach((line, i) => {
      if (/^[A-Z]/.test(line)) expect([line, lines[i - 1]?.startsWith('# ')]).toEqual([line, true]);
    });
  });

  it('loads with loadConfig and holds no secrets', () => {
    expect(() => loadConfig(envExample)).not.toThrow();
    for (const [key, value] of Object.entries(envExample)) {
      if (/(SECRET|API_KEY|PASSWORD)$/.test(key)) expect([key, value]).toEqual([key, '']);
    }
  });

  it('yields a default source per platform once secrets are filled in', () => {
    const filled = { ...envExample };
    for (const p of PROVIDER_IDS) filled[`${p.toUpperCase()}_WEBHOOK_SECRET`] = `whsec_${p}`;
    const config = loadConfig(filled);
    expect(config.sources.map((s) => `${s.provider}/${s.name}`)).toEqual(
      PROVIDER_IDS.map((p) => `${p}/default`),
    );
    const options = Object.fromEntries(config.sources.map((s) => [s.provider, s.options]));
    expect(options['bookingexperts']).toMatchObject({ signature_algorithm: 'sha1' });
    expect(options['meetingpackage']).toEqual({ header: 'x-api-key' });
  });
});

describe('hookline.example.yaml', () => {
  it('is a valid HOOKLINE_CONFIG with several named sources per platform', () => {
    const config = loadConfig({ HOOKLINE_CONFIG: path.join(ROOT, 'hookline.example.yaml') });
    const perProvider = new Map<string, number>();
    for (const s of config.sources)
      perProvider.set(s.provider, (perProvider.get(s.provider) ?? 0) + 1);
    expect([...perProvider.values()].filter((n) => n >= 2).length).toBeGreaterThanOrEqual(2);
    expect(config.sources.every((s) => s.secrets.length > 0 && s.auth === 'secret')).toBe(true);
  });
});

describe('Dockerfile', () => {
  const dockerfile = readRootFile('Dockerfile');

  it('builds on Debian node 20, prunes dev dependencies and runs as a non-root user', () => {
    const bases = [...dockerfile.matchAll(/^ARG NODE_IMAGE=(\S+)$/gm)].map((m) => m[1]);
    expect(bases).toEqual(['node:20-bookworm-slim']);
    const froms = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
    expect(new Set(froms)).toEqual(new Set(['${NODE_IMAGE}']));
    expect(dockerfile).toMatch(/RUN npm ci\b/);
    expect(dockerfile).toMatch(/RUN npm run build\b/);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(dockerfile).toMatch(/^USER (?!root|0\b)\S+/m);
  });

  it('points HOOKLINE_WORKFLOW_BUNDLE at the bundle npm run build writes, CMD the receiver', () => {
    expect(dockerfile).toContain('HOOKLINE_WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js');
    expect(readRootFile('scripts/bundleWorkflows.ts')).toContain("'dist', 'workflow-bundle.js'");
    expect(dockerfile).toMatch(/^CMD \["node", "dist\/src\/receiver\.js"\]$/m);
  });
});
