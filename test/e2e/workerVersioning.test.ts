// Versioned workers on the real dev server (Worker Deployments, server 1.32): the rollout the
// README describes, step by step. A worker started with HOOKLINE_DEPLOYMENT_NAME and
// HOOKLINE_BUILD_ID registers its version; `temporal worker deployment set-current-version`
// (the CLI an operator runs) makes it current; a booking completes on it; a second version is
// deployed and made current, the first stopped, and the booking that was open during the deploy
// moves to the new version (AUTO_UPGRADE) and goes on.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startReceiver, startWorker, type Running } from '../../src/bootstrap';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { findTemporalCli } from '../../src/temporal/devServer';
import { bookingStateQuery, bookingWorkflowId } from '../../workflows/shared';
import { createTestSchema, testDatabaseUrl } from '../helpers/db';
import { eventually } from '../helpers/eventually';
import { loadFixture } from '../helpers/raw';
import { signStandardWebhook } from '../helpers/sign/standardwebhooks';
import { createLocalEnv } from '../helpers/temporal';

const DEPLOYMENT = 'hookline';
const SECRET = `whsec_${Buffer.from('versioning-standardwebhooks-key-32').toString('base64')}`;
const logger = createLogger({ level: 'silent' });
const dir = mkdtempSync(path.join(tmpdir(), 'hookline-versioning-'));
const run = promisify(execFile);
const AUTO_UPGRADE = temporal.api.enums.v1.VersioningBehavior.VERSIONING_BEHAVIOR_AUTO_UPGRADE;

let env: TestWorkflowEnvironment;
let readModel: Awaited<ReturnType<typeof createTestSchema>> | undefined;
const running: Running[] = [];

function config(buildId: string) {
  return loadConfig({
    HOME: dir,
    HOST: '127.0.0.1',
    PORT: '0',
    WORKER_METRICS_PORT: '0',
    LOG_LEVEL: 'silent',
    HOOKLINE_DATA_DIR: path.join(dir, 'data'),
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_TASK_QUEUE: 'hookline-versioned',
    DATABASE_URL: readModel?.url ?? '',
    STANDARDWEBHOOKS_WEBHOOK_SECRET: SECRET,
    HOOKLINE_DEPLOYMENT_NAME: DEPLOYMENT,
    HOOKLINE_BUILD_ID: buildId,
  });
}

/** What the README tells an operator to run; the CLI reads TEMPORAL_ADDRESS like Hookline. */
async function temporalCli(...args: string[]): Promise<string> {
  const cli = findTemporalCli();
  if (cli === undefined) throw new Error('the temporal CLI is not installed');
  const { stdout } = await run(cli, args, {
    env: { ...process.env, TEMPORAL_ADDRESS: env.address, HOME: dir },
  });
  return stdout;
}

async function describeDeployment() {
  const { workerDeploymentInfo } = await env.client.workflowService.describeWorkerDeployment({
    namespace: 'default',
    deploymentName: DEPLOYMENT,
  });
  return workerDeploymentInfo;
}

async function versionsOfDeployment(): Promise<string[]> {
  const info = await describeDeployment();
  return (info?.versionSummaries ?? []).map((v) => v.deploymentVersion?.buildId ?? '');
}

async function currentVersion(): Promise<string | null | undefined> {
  return (await describeDeployment())?.routingConfig?.currentDeploymentVersion?.buildId;
}

async function deliver(receiverUrl: string, fixture: string): Promise<void> {
  const body = loadFixture('standardwebhooks', fixture)
    .toString()
    .replaceAll('2025-03-10', '2030-03-10');
  const delivery = signStandardWebhook(body, SECRET, { id: `msg_${fixture}` });
  await eventually(async () => {
    const answer = await fetch(`${receiverUrl}/webhooks/standardwebhooks`, {
      method: 'POST',
      headers: delivery.headers,
      body: delivery.body,
    });
    expect(answer.status).toBe(200);
  }, 20_000);
}

async function versioningOf(workflowId: string) {
  const { workflowExecutionInfo } = await env.client.workflowService.describeWorkflowExecution({
    namespace: 'default',
    execution: { workflowId },
  });
  const info = workflowExecutionInfo?.versioningInfo;
  return { behavior: info?.behavior, buildId: info?.deploymentVersion?.buildId };
}

beforeAll(async () => {
  const baseUrl = testDatabaseUrl();
  [env, readModel] = await Promise.all([
    createLocalEnv(),
    baseUrl === undefined ? undefined : createTestSchema(baseUrl),
  ]);
}, 60_000);

afterAll(async () => {
  for (const part of running.reverse()) await part.stop().catch(() => undefined);
  await env.teardown();
  await readModel?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('versioned workers (HOOKLINE_DEPLOYMENT_NAME, HOOKLINE_BUILD_ID)', () => {
  it('register their version, and an open booking moves to the new version on a deploy', async () => {
    const workflowId = bookingWorkflowId('standardwebhooks', 'default', 'bk_1001');
    const v1 = await startWorker(config('v1'), env.address, logger);
    running.push(v1);
    await eventually(async () => expect(await versionsOfDeployment()).toContain('v1'), 20_000);
    await temporalCli(
      ...['worker', 'deployment', 'set-current-version'],
      ...['--deployment-name', DEPLOYMENT, '--build-id', 'v1', '--yes'],
    );
    expect(await currentVersion()).toBe('v1');
    const receiver = await startReceiver(config('v1'), env.address, logger);
    running.push(receiver);

    await deliver(receiver.url, 'booking.created.json');
    const handle = env.client.workflow.getHandle(workflowId);
    await eventually(async () => {
      expect((await handle.query(bookingStateQuery)).status).toBe('confirmed');
    }, 30_000);
    await eventually(async () =>
      expect(await versioningOf(workflowId)).toEqual({
        behavior: AUTO_UPGRADE, // as workflows/booking/workflow.ts declares
        buildId: 'v1',
      }),
    );

    // the deploy: v2 starts beside v1, becomes current, v1 is stopped
    const v2 = await startWorker(config('v2'), env.address, logger);
    running.push(v2);
    await eventually(async () => expect(await versionsOfDeployment()).toContain('v2'), 20_000);
    await temporalCli(
      ...['worker', 'deployment', 'set-current-version'],
      ...['--deployment-name', DEPLOYMENT, '--build-id', 'v2', '--yes'],
    );
    expect(await currentVersion()).toBe('v2');
    await v1.stop();
    running.splice(running.indexOf(v1), 1);

    await deliver(receiver.url, 'booking.cancelled.json');
    await eventually(async () => {
      expect((await handle.query(bookingStateQuery)).status).toBe('cancelled');
    }, 30_000);
    expect(await versioningOf(workflowId)).toEqual({ behavior: AUTO_UPGRADE, buildId: 'v2' });
  });
});
