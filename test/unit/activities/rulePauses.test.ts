// A rule is paused while one of Hookline's activities it called is retried: the first retry of
// such a call counts one pause for the rule; a booking's retries and a rule's first attempts do
// not.
import { describe, expect, it } from '@jest/globals';
import { MockActivityEnvironment } from '@temporalio/testing';
import { activityMetricsInterceptor, createWorkerMetrics } from '../../../activities';

const RULE = 'rule/pre-arrival/booking/meeva/default/bkg_1';

async function attempt(
  metrics: ReturnType<typeof createWorkerMetrics>,
  info: { activityType: string; attempt: number; workflowId: string },
) {
  const env = new MockActivityEnvironment(
    {
      activityType: info.activityType,
      attempt: info.attempt,
      workflowExecution: { workflowId: info.workflowId, runId: 'run-1' },
      workflowType: info.workflowId.startsWith('rule/') ? 'preArrivalRule' : 'bookingWorkflow',
    },
    { interceptors: [activityMetricsInterceptor(metrics)] },
  );
  await env.run(async () => Promise.resolve('ok'));
}

describe('hookline_rule_pauses_total', () => {
  it("counts the first retry of a rule's call to Hookline, once per call", async () => {
    const metrics = createWorkerMetrics();
    const deliver = { activityType: 'hooklineRuleDeliver', workflowId: RULE };
    for (const n of [1, 2, 3, 4]) await attempt(metrics, { ...deliver, attempt: n });
    await attempt(metrics, { ...deliver, activityType: 'hooklineRuleBooking', attempt: 1 });
    // A booking's own retry is not a rule's pause.
    await attempt(metrics, {
      activityType: 'hooklineRuleDeliver',
      workflowId: 'booking/meeva/default/bkg_1',
      attempt: 2,
    });
    expect(await metrics.registry.metrics()).toContain(
      'hookline_rule_pauses_total{rule="pre-arrival",activity="hooklineRuleDeliver"} 1',
    );
    const values = (await metrics.rulePauses.get()).values;
    expect(values.map((v) => [v.labels, v.value])).toEqual([
      [{ rule: 'pre-arrival', activity: 'hooklineRuleDeliver' }, 1],
    ]);
  });
});
