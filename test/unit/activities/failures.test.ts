import { describe, expect, it } from '@jest/globals';
import { ApplicationFailure } from '@temporalio/common';
import { DatabaseError } from 'pg';
import { toStepFailure, withStepFailures } from '../../../activities/failures';

function pgError(code: string, message: string, extra: Partial<DatabaseError> = {}): DatabaseError {
  const err = new DatabaseError(message, message.length, 'error');
  err.severity = 'ERROR';
  err.code = code;
  Object.assign(err, extra);
  return err;
}

describe('database step failures', () => {
  it('data Postgres refuses (class 22, 23) is permanent and carries no row data', () => {
    const err = pgError('22P02', 'invalid input syntax for type timestamp: "jane@example.com"', {
      detail: 'jane@example.com',
      where: 'JSON data, line 1: {"email": "jane@example.com"',
      table: 'bookings',
      column: 'starts_at',
    });
    const failure = toStepFailure('commitBooking', err);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ nonRetryable: true, type: 'BadData', cause: undefined });
    expect((failure as Error).message).toContain('22P02: invalid input syntax for type timestamp');
    expect((failure as Error).message).toContain('table bookings, column starts_at');
    expect((failure as Error).message).not.toContain('jane@example.com');
    expect(toStepFailure('commitBooking', pgError('23505', 'duplicate key'))).toMatchObject({
      nonRetryable: true,
    });
  });

  it('any other database error stays retryable, without row data; other errors pass through', () => {
    const failure = toStepFailure('commitBooking', pgError('40001', 'could not serialize: "x"'));
    expect(failure).toMatchObject({ nonRetryable: false, type: 'DatabaseError' });
    expect((failure as Error).message).not.toContain('"x"');
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    expect(toStepFailure('commitBooking', reset)).toBe(reset);
  });

  it('wraps every activity of a group and keeps their results', async () => {
    const acts = withStepFailures({
      ok: (input: { n: number }) => Promise.resolve(input.n + 1),
      bad: () =>
        Promise.reject(pgError('22021', 'invalid byte sequence for encoding "UTF8": 0x00')),
    });
    await expect(acts.ok({ n: 1 })).resolves.toBe(2);
    await expect(acts.bad()).rejects.toMatchObject({ nonRetryable: true, type: 'BadData' });
  });
});
