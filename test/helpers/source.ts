// A webhook source as configuration gives it, for tests: the defaults of a source with no
// secret, API or options, then whatever the test sets. Apart from stack.ts so that unit tests
// can build one without loading the Temporal worker.
import type { SourceConfig } from '../../src/config';
import type { ProviderId } from '../../src/events/canonical';

export function source(provider: ProviderId, overrides: Partial<SourceConfig> = {}): SourceConfig {
  return {
    provider,
    name: 'default',
    secrets: [],
    auth: 'secret',
    allowedIps: [],
    options: {},
    ...overrides,
  };
}
