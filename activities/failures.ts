// What a failed database step tells the workflow, and what it does not tell the logs.
//
// Postgres refusing the data itself (SQLSTATE class 22, data exception: a NUL, an unsupported
// Unicode escape, a timestamp it cannot read; class 23, integrity constraint violation) fails the
// same way on every attempt: retrying it is an endless loop. Such a failure becomes a
// non-retryable ApplicationFailure of type `BadData`, which the booking's step gate turns into a
// pause with the reason (workflows/booking/steps.ts). Any other database error stays retryable.
//
// Either way the error handed to Temporal carries no row data: Postgres puts the offending value
// in its message, `detail` and `where` ("JSON data, line 1: {"email": ..."), and Temporal logs a
// failed activity with its error at WARN on every attempt, so a guest's email would be in the
// logs once per retry. Only the SQLSTATE, the first clause of the message and the names of the
// table, column and constraint are kept.
import { ApplicationFailure } from '@temporalio/common';

export const BAD_DATA = 'BadData';

const CLASSES: Record<string, string> = {
  '22': 'data exception',
  '23': 'integrity constraint violation',
};

interface PgErrorFields {
  code: string;
  message: string;
  table?: string;
  column?: string;
  constraint?: string;
}

/** A Postgres error (pg or PGlite): a five-character SQLSTATE and a severity. */
function asPgError(err: unknown): PgErrorFields | undefined {
  if (!(err instanceof Error)) return undefined;
  const fields = err as Error & Partial<Record<'code' | 'severity', unknown>>;
  if (typeof fields.code !== 'string' || !/^[0-9A-Z]{5}$/.test(fields.code)) return undefined;
  if (typeof fields.severity !== 'string') return undefined;
  return err as Error & PgErrorFields;
}

/** The message without the value Postgres quotes after its first colon. */
function firstClause(message: string): string {
  return (message.split(':')[0] ?? '').slice(0, 200);
}

function where(e: PgErrorFields): string {
  const parts = [
    e.table === undefined ? undefined : `table ${e.table}`,
    e.column === undefined ? undefined : `column ${e.column}`,
    e.constraint === undefined ? undefined : `constraint ${e.constraint}`,
  ].filter((p) => p !== undefined);
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}

/** The failure Temporal should see for an error a database step threw. */
export function toStepFailure(activity: string, err: unknown): unknown {
  const pg = asPgError(err);
  if (pg === undefined) return err;
  const cls = CLASSES[pg.code.slice(0, 2)];
  if (cls !== undefined) {
    return ApplicationFailure.nonRetryable(
      `${activity}: the database refused this booking's data, ${cls} ${pg.code}: ${firstClause(pg.message)}${where(pg)}. ` +
        'Retrying cannot help: correct the record at the platform and re-fetch, or skip the step.',
      BAD_DATA,
    );
  }
  return ApplicationFailure.retryable(
    `${activity}: database error ${pg.code}: ${firstClause(pg.message)}${where(pg)}`,
    'DatabaseError',
  );
}

type Step = (...args: never[]) => Promise<unknown>;

/** The same activities, whose database errors are classified and stripped of row data. */
export function withStepFailures<T extends Record<string, Step>>(activities: T): T {
  const wrapped: Record<string, Step> = {};
  for (const [name, fn] of Object.entries(activities)) {
    wrapped[name] = async (...args: never[]) => {
      try {
        return await fn(...args);
      } catch (err) {
        throw toStepFailure(name, err);
      }
    };
  }
  return wrapped as T;
}
