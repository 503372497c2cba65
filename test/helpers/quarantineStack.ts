// The stack the quarantine e2e tests share (test/e2e/quarantine.*.test.ts): Meeva and meetergo
// sources, a receiver app, and a helper that posts a delivery and expects it quarantined.
import { expect } from '@jest/globals';
import type { ProviderId } from '../../src/events/canonical';
import { sha256Hex } from '../../src/providers/ids';
import { quarantineStateQuery, quarantineWorkflowId } from '../../workflows/shared';
import { eventually } from './eventually';
import type { Delivery } from './sign/types';
import { source } from './stack';
import { deliver, stack, useStack } from './useStack';

export { deliver, stack };

export const MEEVA_SECRET = 'whsec_quarantine_e2e';
export const MEETERGO_TOKEN = 'mg_quarantine_token';
export const MANAGEMENT_SECRET = 'mgmt-secret-created-7c1e94'; // in the meetergo fixture

/** Starts the stack before the calling test file's tests and stops it after them. */
export function useQuarantineStack(): void {
  useStack({
    sources: () => [
      source('meeva', { secrets: [MEEVA_SECRET] }),
      source('meetergo', { secrets: [MEETERGO_TOKEN] }),
    ],
  });
}

export function quarantineHandle(id: string) {
  return stack.env.client.workflow.getHandle(id);
}

/** Posts an authentic delivery and expects it quarantined under the id its bytes give. */
export async function expectQuarantined(
  provider: ProviderId,
  delivery: Delivery,
  deliveries = 1,
): Promise<string> {
  const res = await deliver(provider, delivery);
  const id = quarantineWorkflowId({
    provider,
    source: 'default',
    sha256: sha256Hex(delivery.body),
  });
  expect(res.status).toBe(200);
  expect(res.body).toEqual({ status: 'quarantined', id });
  await eventually(async () =>
    expect(await quarantineHandle(id).query(quarantineStateQuery)).toMatchObject({
      provider,
      source: 'default',
      status: 'quarantined',
      deliveries,
    }),
  );
  return id;
}
