// The building blocks of the environment schema (src/config.ts): one error type, and zod fields
// that treat an empty variable as unset and name what a valid value looks like.
import ms from 'ms';
import { z } from 'zod';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export const emptyToUndefined = (v: unknown) =>
  typeof v === 'string' && v.trim() === '' ? undefined : v;
export const optionalString = z.preprocess(emptyToUndefined, z.string().optional());
// Defaults sit inside the preprocess, so an empty variable (made undefined) gets them too.
export const port = (fallback: number) =>
  z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(65535).default(fallback));
export const positiveInt = (fallback: number) =>
  z.preprocess(emptyToUndefined, z.coerce.number().int().positive().default(fallback));
export const countOrOff = (fallback: number) =>
  z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).default(fallback));
/** `1s`, `15m`, `24h`, `7d` or plain milliseconds; `0` or `off` turns a timer off. */
export const duration = (fallback: string) =>
  z.preprocess(
    emptyToUndefined,
    z
      .string()
      .default(fallback)
      .transform((value, ctx) => {
        if (value === 'off') return 0;
        const parsed = /^\d+$/.test(value) ? Number(value) : ms(value as ms.StringValue);
        if (typeof parsed !== 'number' || !Number.isFinite(parsed) || parsed < 0) {
          ctx.addIssue({ code: 'custom', message: 'a duration like 1s, 15m, 24h, 7d, or off' });
          return z.NEVER;
        }
        return parsed;
      }),
  );
/** A schedule's period, `15m`, `1h`, `1d`, or `off`. */
export const period = z
  .string()
  .regex(/^(off|[1-9]\d*(s|m|h|d))$/, 'a period like 15m or 1h, or off');
export const text = (fallback: string) =>
  z.preprocess(emptyToUndefined, z.string().default(fallback));
export const url = z.preprocess(emptyToUndefined, z.url().optional());
