// The input every rule receives (version 1), as a zod schema: the TypeScript type team code uses
// and the JSON Schema published for rules in other languages (rule-input.v1.schema.json, kept
// current by test/unit/rules/schema.test.ts). Not workflow code: the kit imports its types only.
import { z } from 'zod';
import { RULE_EVENTS, RULE_INPUT_VERSION } from './contract';

const STATUS = z.enum([
  'unknown',
  'pending',
  'confirmed',
  'checked_in',
  'checked_out',
  'cancelled',
  'no_show',
]);
const optionalText = z.string().optional();

export const ruleBookingSchema = z
  .object({
    provider: z.string().describe('The booking platform, e.g. meeva or zaui'),
    source: z.string().describe('The named source (account) the booking came through'),
    bookingId: z.string(),
    status: STATUS,
    startsAt: optionalText.describe('ISO-8601'),
    endsAt: optionalText.describe('ISO-8601'),
    customerId: optionalText,
    version: z
      .number()
      .nullable()
      .describe("The provider's version (epoch ms) of the newest change"),
    previousBookingId: optionalText,
    rescheduledTo: optionalText,
    data: z.record(z.string(), z.unknown()).describe("The platform's fields, secrets stripped"),
  })
  .describe('The booking as Hookline holds it (its read-model row) after the transition');

export const ruleInputSchema = z
  .object({
    version: z.literal(RULE_INPUT_VERSION),
    rule: z.string().describe('The name the rule was declared with'),
    transition: z.object({
      seq: z
        .number()
        .int()
        .positive()
        .describe("The booking's n-th transition (an amendment: the one its status came from)"),
      from: STATUS,
      to: STATUS,
      cause: z.string().describe('The event id, or fetch, timer:no_show, operator:…'),
      at: z.string().describe('ISO-8601'),
    }),
    change: z
      .object({
        events: z
          .array(z.enum(RULE_EVENTS))
          .describe(
            'What the change is: the status a transition moved into, or amended (with rescheduled when the start or end moved, customer_changed when the customer did)',
          ),
        fields: z
          .array(z.string())
          .describe(
            'The fields the commit changed beside status and version: startsAt, endsAt, customerId, cancelReason, previousBookingId, rescheduledTo, data.<key>, customer.<key>',
          ),
        amendment: z
          .number()
          .int()
          .positive()
          .optional()
          .describe(
            'An amendment (no status change): the n-th after transition seq, whose from and to are both the current status',
          ),
      })
      .optional()
      .describe('Absent in inputs sent before Hookline started rules on changes'),
    booking: ruleBookingSchema,
    origin: z.object({
      bookingWorkflowId: z.string(),
      taskQueue: z
        .string()
        .describe("Hookline's task queue: where the deliver and booking-state activities run"),
    }),
  })
  .meta({
    title: 'Hookline rule input, version 1',
    description:
      'The single argument of a rule workflow, and of each transition signal a per-booking rule receives.',
  });

export type RuleInput = z.infer<typeof ruleInputSchema>;
export type RuleBooking = z.infer<typeof ruleBookingSchema>;

export function ruleInputJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(ruleInputSchema);
}
