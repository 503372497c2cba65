// The environment a running Hookline needs to accept the simulator's webhooks and fetch from its
// fake APIs: the same variables a user sets for real platforms (README "Configuration").
import type { ProviderId } from '../events/canonical';
import type { PlatformSecrets } from './platforms';

/** Fixed per prefix, so `--print-env` and a later `simulate` agree without sharing state. */
export function simulatorSecrets(
  platforms: readonly ProviderId[],
  prefix = 'sim',
): Partial<Record<ProviderId, PlatformSecrets>> {
  const out: Partial<Record<ProviderId, PlatformSecrets>> = {};
  for (const p of platforms) {
    const secret =
      p === 'standardwebhooks'
        ? `whsec_${Buffer.from(`${prefix}-standardwebhooks-key-32-bytes!!`).toString('base64')}`
        : p === 'meeva'
          ? `whsec_${prefix}_meeva_signing`
          : `${prefix}_${p}_webhook_token`;
    out[p] = { secret, apiKey: `${prefix}_${p}_api_key` };
  }
  return out;
}

export function simulatorEnv(
  secrets: Partial<Record<ProviderId, PlatformSecrets>>,
  apiUrl: string,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [platform, s] of Object.entries(secrets) as [ProviderId, PlatformSecrets][]) {
    const name = platform.toUpperCase();
    env[`${name}_WEBHOOK_SECRET`] = s.secret;
    if (platform === 'zaui' || platform === 'standardwebhooks') continue; // no retrieval API
    env[`${name}_API_URL`] = `${apiUrl}/${platform}`;
    env[`${name}_API_KEY`] = s.apiKey;
  }
  env['DOWNSTREAM_WEBHOOK_URL'] = `${apiUrl}/downstream`;
  return env;
}

export function formatEnv(env: Record<string, string>): string {
  return Object.entries(env)
    .map(([k, v]) => `export ${k}=${v}`)
    .join('\n');
}
