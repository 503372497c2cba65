// The calling test file's stack (test/helpers/stack.ts), started before its tests and stopped
// after them, and a receiver app on it for deliveries. Not in stack.ts: scripts/recordHistories.ts
// imports that file outside Jest, where importing @jest/globals throws.
import { afterAll, beforeAll } from '@jest/globals';
import type { Express } from 'express';
import type { ProviderId } from '../../src/events/canonical';
import { deliver as deliverTo, receiverApp } from './receiver';
import type { Delivery } from './sign/types';
import { startStack, type Stack, type StackOptions } from './stack';

/** Set in the beforeAll of useStack; importers read it as a live binding. One per test file. */
export let stack: Stack;
let app: Express | undefined;

/** Starts the stack before the calling test file's tests, then runs `setUp`; stops it after them. */
export function useStack(options: StackOptions, setUp?: () => void): void {
  beforeAll(async () => {
    stack = await startStack(options);
    setUp?.();
  });
  afterAll(async () => {
    await stack.stop();
  });
}

/** Posts a delivery to the receiver app on the stack (built at the first delivery). */
export function deliver(provider: ProviderId, delivery: Delivery) {
  app ??= receiverApp(stack);
  return deliverTo(app, provider, delivery);
}
