// Readers for the deployment files (docker-compose.yml, .env.example, Dockerfile) and the list of
// variables Hookline reads, taken from src/config.ts's and src/configSources.ts's text so the
// tests follow the schema.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { PROVIDER_IDS } from '../../../src/events/canonical';

export const ROOT = path.resolve(__dirname, '..', '..', '..');

export function readRootFile(name: string): string {
  return readFileSync(path.join(ROOT, name), 'utf8');
}

export type EnvValue = string | number | boolean | null;
export interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, EnvValue> | string[];
  ports?: (string | number | { target?: number; published?: string | number })[];
  healthcheck?: { test?: string | string[] };
  deploy?: { replicas?: number };
  depends_on?: Record<string, { condition?: string }> | string[];
  volumes?: unknown[];
}
export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

export function readCompose(): ComposeFile {
  return parse(readRootFile('docker-compose.yml')) as ComposeFile;
}

/** A service's environment as KEY -> raw value (before ${...} interpolation). */
export function environmentOf(service: ComposeService): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const eq = entry.indexOf('=');
        return eq < 0 ? [entry, ''] : [entry.slice(0, eq), entry.slice(eq + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

const INTERPOLATION = /\$\{(\w+)(?:(:?[-?])([^}]*))?\}/g;

/** Names compose substitutes from .env / the shell, e.g. `${MEEVA_WEBHOOK_SECRET:-}`. */
export function interpolatedNames(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.replace(/\$\$/g, '').matchAll(INTERPOLATION)) names.add(match[1] ?? '');
  return [...names];
}

/** Compose's substitution, with `vars` standing in for .env; `${X:?msg}` gets a placeholder. */
export function interpolate(value: string, vars: Record<string, string>): string {
  return value
    .split('$$')
    .map((part) =>
      part.replace(INTERPOLATION, (_all, name: string, op?: string, arg?: string) => {
        const given = vars[name];
        if (given !== undefined && given !== '') return given;
        if (op?.endsWith('?') === true) return 'placeholder';
        return op?.endsWith('-') === true ? (arg ?? '') : '';
      }),
    )
    .join('$');
}

/** `KEY=VALUE` lines of a dotenv file; comments and blank lines skipped, no quoting rules. */
export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (match?.[1] !== undefined) out[match[1]] = match[2] ?? '';
  }
  return out;
}

/** From `opening` to the next line that starts with `}` (top-level declarations only). */
function block(source: string, opening: RegExp): string {
  const start = source.search(opening);
  const end = source.indexOf('\n}', start);
  if (start < 0 || end < 0) throw new Error(`src/config*.ts no longer have ${String(opening)}`);
  return source.slice(start, end);
}

/** Every variable src/config.ts and its sources read, plus HOOKLINE_WORKFLOW_BUNDLE (read by the bootstrap). */
export function knownVariables(): {
  schema: string[];
  providerSuffixes: string[];
  options: Record<string, string[]>;
  all: Set<string>;
} {
  const source = ['src/config.ts', 'src/configSources.ts'].map(readRootFile).join('\n');
  const schema = [...block(source, /const envSchema = z\.object\(\{/).matchAll(/^ {2}(\w+):/gm)]
    .map((m) => m[1] ?? '')
    .filter((k) => /^[A-Z]/.test(k));
  const sourceFn = block(source, /function defaultSourceFromEnv\(/);
  const providerSuffixes = [
    ...new Set([...sourceFn.matchAll(/get\('(\w+)'\)/g)].map((m) => m[1] ?? '')),
  ];
  const optionBlock = block(source, /const PROVIDER_OPTION_ENV\b/);
  const options: Record<string, string[]> = {};
  for (const m of optionBlock.matchAll(/^ {2}(\w+): \[([^\]]*)\]/gm)) {
    options[m[1] ?? ''] = [...(m[2] ?? '').matchAll(/'(\w+)'/g)].map((o) => o[1] ?? '');
  }
  const all = new Set([...schema, 'HOOKLINE_WORKFLOW_BUNDLE']);
  for (const provider of PROVIDER_IDS) {
    const prefix = provider.toUpperCase();
    for (const suffix of [...providerSuffixes, ...(options[provider] ?? [])])
      all.add(`${prefix}_${suffix}`);
  }
  return { schema, providerSuffixes, options, all };
}
