// Rules are checked at worker start, each mistake named in a sentence; a committed transition
// starts the rules whose events and filter it matches.
import { describe, expect, it } from '@jest/globals';
import path from 'node:path';
import { defineRule, type RuleInput } from '../../../rules-kit';
import { ruleWorkflowId, type TransitionFacts } from '../../../rules-kit/contract';
import { loadRules, matchRules, validateRules } from '../../../rules-kit/registry';

async function alertRule(_input: RuleInput): Promise<void> {
  await Promise.resolve();
}
const booking: RuleInput['booking'] = {
  provider: 'meeva',
  source: 'default',
  bookingId: 'bkg_1',
  status: 'confirmed',
  version: 1,
  data: { guests: 12 },
};
const origin = { bookingWorkflowId: 'booking/meeva/default/bkg_1', taskQueue: 'hookline' };
const confirmed = {
  seq: 1,
  from: 'unknown',
  to: 'confirmed',
  cause: 'evt_1',
  at: '2030-01-01T00:00:00Z',
};

describe('rule declarations', () => {
  it('loads the example rules of rules/', () => {
    const loaded = loadRules(path.resolve(__dirname, '../../../rules'));
    expect(loaded.rules.map((r) => [r.name, r.mode, r.workflowType])).toEqual([
      ['housekeeping', 'per-transition', 'housekeepingRule'],
      ['large-booking', 'per-transition', 'largeBookingRule'],
      ['pre-arrival', 'per-booking', 'preArrivalRule'],
    ]);
  });

  it('names each mistake in one sentence', () => {
    const bad = defineRule({
      name: 'Big Alert',
      on: ['updated' as 'confirmed'],
      workflow: alertRule,
    });
    const remote = defineRule({ name: 'py', on: ['confirmed'], workflow: 'PyRule' });
    expect(() => validateRules({ bad, remote }, 'rules/')).toThrow(
      "HOOKLINE_RULES: rule 'Big Alert' (export bad of rules/): name must be lower-case words with dashes, like pre-arrival; " +
        "rule 'Big Alert' (export bad of rules/): 'updated' is not an event Hookline starts rules on; use one of pending, confirmed, checked_in, checked_out, cancelled, no_show, amended, rescheduled, customer_changed; " +
        "rule 'Big Alert' (export bad of rules/): export the workflow function alertRule from rules/ under its own name, so the worker bundles it; " +
        "rule 'py' (export remote of rules/): workflow 'PyRule' is a type name, served by another worker: give the taskQueue it listens on.",
    );
  });

  it('refuses a module without rules, and duplicate names', () => {
    expect(() => validateRules({ alertRule }, 'team-rules')).toThrow(
      'HOOKLINE_RULES: team-rules exports no rule; export each defineRule(...) from it, or unset HOOKLINE_RULES.',
    );
    const a = defineRule({ name: 'alert', on: ['confirmed'], workflow: alertRule });
    expect(() => validateRules({ a, b: { ...a }, alertRule }, 'm')).toThrow(
      'another rule has the same name',
    );
    expect(() => loadRules('/nowhere/rules')).toThrow('no module at /nowhere/rules');
  });
});

describe('matching a committed transition', () => {
  const rules = validateRules(
    {
      alertRule,
      big: defineRule({
        name: 'big',
        on: ['confirmed'],
        filter: { providers: ['meeva'], where: (i) => Number(i.booking.data['guests']) >= 8 },
        workflow: alertRule,
      }),
      zauiOnly: defineRule({
        name: 'zaui-only',
        on: ['confirmed'],
        filter: { providers: ['zaui'] },
        workflow: alertRule,
      }),
      broken: defineRule({
        name: 'broken',
        on: ['confirmed'],
        filter: {
          where: () => {
            throw new Error('boom');
          },
        },
        workflow: alertRule,
      }),
      life: defineRule({
        name: 'life',
        on: ['confirmed', 'cancelled'],
        mode: 'per-booking',
        taskQueue: 'team',
        workflow: 'LifeRule',
      }),
    },
    'm',
  );

  it('starts the rules whose event and filter match, and says which filter threw', () => {
    const errors: string[] = [];
    const matches = matchRules(rules, confirmed, booking, origin, (rule) => errors.push(rule));
    expect(matches).toEqual([
      { seq: 1, rule: 'big', mode: 'per-transition', workflowType: 'alertRule' },
      { seq: 1, rule: 'life', mode: 'per-booking', workflowType: 'LifeRule', taskQueue: 'team' },
    ]);
    expect(errors).toEqual(['broken']);
    const small = { ...booking, data: { guests: 2 } };
    expect(matchRules(rules, { ...confirmed, to: 'checked_in' }, small, origin)).toEqual([]);
  });

  it('starts a rule once for an amendment, whichever of its events the rule listens to', () => {
    const amendments = validateRules(
      {
        alertRule,
        moved: defineRule({ name: 'moved', on: ['rescheduled'], workflow: alertRule }),
        any: defineRule({
          name: 'any',
          on: ['amended', 'rescheduled', 'customer_changed'],
          workflow: alertRule,
        }),
        guest: defineRule({ name: 'guest', on: ['customer_changed'], workflow: alertRule }),
        status: defineRule({ name: 'status', on: ['confirmed'], workflow: alertRule }),
      },
      'm',
    );
    // The start moved, the status stayed: the second amendment after transition 1.
    const change = {
      ...confirmed,
      from: 'confirmed',
      change: { events: ['amended', 'rescheduled'], fields: ['startsAt'], amendment: 2 },
    } satisfies TransitionFacts;
    expect(matchRules(amendments, change, booking, origin)).toEqual([
      { seq: 1, amendment: 2, rule: 'moved', mode: 'per-transition', workflowType: 'alertRule' },
      { seq: 1, amendment: 2, rule: 'any', mode: 'per-transition', workflowType: 'alertRule' },
    ]);
    // A transition recorded before changes had events: the status it moved into.
    expect(matchRules(amendments, confirmed, booking, origin).map((m) => m.rule)).toEqual([
      'status',
    ]);
  });

  it('gives each rule a workflow id per transition, or per booking', () => {
    expect(ruleWorkflowId('big', origin.bookingWorkflowId, 'per-transition', 3)).toBe(
      'rule/big/booking/meeva/default/bkg_1/#3',
    );
    expect(ruleWorkflowId('life', origin.bookingWorkflowId, 'per-booking', 3)).toBe(
      'rule/life/booking/meeva/default/bkg_1',
    );
    // The first amendment after the third transition.
    expect(ruleWorkflowId('big', origin.bookingWorkflowId, 'per-transition', 3, 1)).toBe(
      'rule/big/booking/meeva/default/bkg_1/#3.1',
    );
    expect(ruleWorkflowId('life', origin.bookingWorkflowId, 'per-booking', 3, 1)).toBe(
      'rule/life/booking/meeva/default/bkg_1',
    );
  });
});
