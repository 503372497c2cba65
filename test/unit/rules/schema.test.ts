// The rule input's JSON Schema is published for rules in other languages: the committed file must
// be what the zod schema says. Regenerate: UPDATE_RULE_SCHEMA=1 npx jest test/unit/rules/schema.test.ts
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ruleInputJsonSchema, ruleInputSchema } from '../../../rules-kit/schema';

const FILE = path.resolve(__dirname, '../../../rules-kit/rule-input.v1.schema.json');

export const sampleInput = {
  version: 1,
  rule: 'pre-arrival',
  transition: {
    seq: 1,
    from: 'unknown',
    to: 'confirmed',
    cause: 'evt_1',
    at: '2030-01-01T00:00:00Z',
  },
  booking: {
    provider: 'meeva',
    source: 'default',
    bookingId: 'bkg_1',
    status: 'confirmed',
    startsAt: '2030-01-10T14:00:00.000Z',
    version: 1,
    data: { guests: 2 },
  },
  origin: { bookingWorkflowId: 'booking/meeva/default/bkg_1', taskQueue: 'hookline' },
};

describe('rule input v1', () => {
  it('the committed JSON Schema is the one the toolkit generates', () => {
    const generated = ruleInputJsonSchema();
    if (process.env['UPDATE_RULE_SCHEMA'] === '1')
      writeFileSync(FILE, `${JSON.stringify(generated, null, 2)}\n`); // then: npx prettier --write
    expect(JSON.parse(readFileSync(FILE, 'utf8'))).toEqual(generated);
  });

  it('accepts what Hookline sends and names what is missing', () => {
    expect(ruleInputSchema.safeParse(sampleInput).success).toBe(true);
    // `change` is optional: inputs sent before it (and a rule's tests written then) still parse.
    const amended = {
      ...sampleInput,
      transition: { ...sampleInput.transition, from: 'confirmed' },
      change: { events: ['amended', 'rescheduled'], fields: ['startsAt'], amendment: 1 },
    };
    expect(ruleInputSchema.safeParse(amended).success).toBe(true);
    const wrong = { ...amended, change: { ...amended.change, events: ['moved'] } };
    expect(ruleInputSchema.safeParse(wrong).error?.issues[0]?.path).toEqual([
      'change',
      'events',
      0,
    ]);
    const { transition: _t, ...noTransition } = sampleInput;
    const result = ruleInputSchema.safeParse(noTransition);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['transition']);
  });
});
