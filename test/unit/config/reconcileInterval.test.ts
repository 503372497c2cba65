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
