import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../../src/config';

const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

function configFile(content: unknown): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'hookline-dest-')), 'hookline.json');
  writeFileSync(file, JSON.stringify(content));
  return file;
}

describe('destinations', () => {
  it('has none without DOWNSTREAM_WEBHOOK_URL or a destinations list', () => {
    expect(loadConfig({}).destinations).toEqual([]);
  });

  it('takes DOWNSTREAM_WEBHOOK_URL (and its secret) as the destination named default', () => {
    const config = loadConfig({
      DOWNSTREAM_WEBHOOK_URL: 'https://crm.example.com/hooks',
      DOWNSTREAM_WEBHOOK_SECRET: SECRET,
    });
    expect(config.destinations).toEqual([
      { name: 'default', url: 'https://crm.example.com/hooks', secret: SECRET },
    ]);
  });

  it('reads any number from the config file, with filters, timeout and retry schedule', () => {
    const HOOKLINE_CONFIG = configFile({
      destinations: [
        { name: 'crm', url: 'https://crm.example.com/in', secret: SECRET, statuses: ['cancelled'] },
        {
          name: 'ops',
          url: 'https://ops.example.com/in',
          types: ['booking.reminder'],
          providers: ['zaui'],
          timeoutMs: 2000,
          retry: { initialMs: 500 },
        },
      ],
    });
    const config = loadConfig({ HOOKLINE_CONFIG, DOWNSTREAM_WEBHOOK_URL: 'https://x.example/h' });
    expect(config.destinations.map((d) => d.name)).toEqual(['default', 'crm', 'ops']);
    expect(config.destinations[2]).toMatchObject({
      types: ['booking.reminder'],
      providers: ['zaui'],
      timeoutMs: 2000,
      retry: { initialMs: 500, maxMs: 60_000 },
    });
  });

  it('refuses a destination "default" in the file beside DOWNSTREAM_WEBHOOK_URL, naming both', () => {
    const HOOKLINE_CONFIG = configFile({
      destinations: [{ name: 'default', url: 'https://a.example/h' }],
    });
    expect(() =>
      loadConfig({ HOOKLINE_CONFIG, DOWNSTREAM_WEBHOOK_URL: 'https://b.example/h' }),
    ).toThrow(/DOWNSTREAM_WEBHOOK_URL and the HOOKLINE_CONFIG destination named "default"/);
  });

  it('refuses a signing secret that is not a Standard Webhooks secret, saying how to make one', () => {
    const HOOKLINE_CONFIG = configFile({
      destinations: [{ name: 'crm', url: 'https://a.example/h', secret: 'hunter2' }],
    });
    expect(() => loadConfig({ HOOKLINE_CONFIG })).toThrow(/whsec_.*openssl rand -base64 32/);
    expect(() =>
      loadConfig({ DOWNSTREAM_WEBHOOK_URL: 'https://a.example/h', DOWNSTREAM_WEBHOOK_SECRET: 'x' }),
    ).toThrow(/DOWNSTREAM_WEBHOOK_SECRET is invalid/);
  });

  it('refuses two destinations with one name', () => {
    const HOOKLINE_CONFIG = configFile({
      destinations: [
        { name: 'crm', url: 'https://a.example/h' },
        { name: 'crm', url: 'https://b.example/h' },
      ],
    });
    expect(() => loadConfig({ HOOKLINE_CONFIG })).toThrow(/two destinations have the same name/);
  });
});
