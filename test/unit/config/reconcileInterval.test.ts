import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../../src/config';

describe('RECONCILE_INTERVAL', () => {
  it('is off unless set', () => {
    expect(loadConfig({}).reconcileInterval).toBeUndefined();
    expect(loadConfig({ RECONCILE_INTERVAL: '' }).reconcileInterval).toBeUndefined();
    expect(loadConfig({ RECONCILE_INTERVAL: 'off' }).reconcileInterval).toBeUndefined();
  });

  it('takes a period', () => {
    expect(loadConfig({ RECONCILE_INTERVAL: '15m' }).reconcileInterval).toBe('15m');
    expect(loadConfig({ RECONCILE_INTERVAL: '1h' }).reconcileInterval).toBe('1h');
  });

  it('names the variable when the period is unreadable', () => {
    for (const value of ['15', '0m', 'soon', '15 minutes']) {
      expect(() => loadConfig({ RECONCILE_INTERVAL: value })).toThrow(ConfigError);
      expect(() => loadConfig({ RECONCILE_INTERVAL: value })).toThrow(/RECONCILE_INTERVAL/);
    }
  });
});

describe('MEETERGO_SUBSCRIPTION_CHECK_INTERVAL and HOOKLINE_PUBLIC_URL', () => {
  it('checks hourly unless turned off; the public URL is unknown unless set', () => {
    expect(loadConfig({})).toMatchObject({
      meetergoSubscriptionCheckInterval: '1h',
      publicUrl: undefined,
    });
    expect(
      loadConfig({ MEETERGO_SUBSCRIPTION_CHECK_INTERVAL: 'off' }).meetergoSubscriptionCheckInterval,
    ).toBeUndefined();
    expect(
      loadConfig({ MEETERGO_SUBSCRIPTION_CHECK_INTERVAL: '15m' }).meetergoSubscriptionCheckInterval,
    ).toBe('15m');
    expect(loadConfig({ HOOKLINE_PUBLIC_URL: 'https://hooks.example.com' }).publicUrl).toBe(
      'https://hooks.example.com',
    );
  });

  it('names the variable when a value is unreadable', () => {
    expect(() => loadConfig({ MEETERGO_SUBSCRIPTION_CHECK_INTERVAL: 'hourly' })).toThrow(
      /MEETERGO_SUBSCRIPTION_CHECK_INTERVAL/,
    );
    expect(() => loadConfig({ HOOKLINE_PUBLIC_URL: 'hooks.example.com' })).toThrow(
      /HOOKLINE_PUBLIC_URL/,
    );
  });
});
