// Recorded histories of every workflow type (test/histories/, written by
// scripts/recordHistories.ts) must replay on the current code: a change that would break running
// workflows fails here, and must be guarded with patched() instead.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { quietRuntime, workflowBundle } from '../helpers/temporal';

const dir = path.resolve(__dirname, '../histories');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort();

describe('recorded histories replay on the current workflow code', () => {
  it('has a history of every workflow type', () => {
    const types = new Set(
      files.map(
        (f) =>
          (
            JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as {
              events: {
                workflowExecutionStartedEventAttributes?: { workflowType?: { name?: string } };
              }[];
            }
          ).events[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name,
      ),
    );
    expect([...types].sort()).toEqual(
      expect.arrayContaining(['bookingWorkflow', 'entityWorkflow', 'quarantineWorkflow']),
    );
  });

  it.each(files)('%s', async (file) => {
    quietRuntime();
    const history = historyFromJSON(JSON.parse(readFileSync(path.join(dir, file), 'utf8')));
    await expect(
      Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, file),
    ).resolves.toBeUndefined();
  });
});
