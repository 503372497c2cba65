// Without TEST_DATABASE_URL the reliability suite was a silent describe.skip, so a CI without
// Postgres passed with the guarantees untested (issue 12, item 8). Without Postgres it must fail.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { postgresSuiteMode } from '../../helpers/db';

const ROOT = path.resolve(__dirname, '../../..');

describe('a suite that needs Postgres', () => {
  it('runs with TEST_DATABASE_URL and fails without it, in CI or not', () => {
    const url = 'postgres://postgres@127.0.0.1:5432/test';
    expect(postgresSuiteMode({ TEST_DATABASE_URL: url, CI: 'true' })).toBe('run');
    expect(postgresSuiteMode({})).toBe('fail');
    expect(postgresSuiteMode({ TEST_DATABASE_URL: '', CI: 'false' })).toBe('fail');
    expect(postgresSuiteMode({ TEST_DATABASE_URL: '', CI: 'true' })).toBe('fail');
    expect(postgresSuiteMode({ CI: '1' })).toBe('fail');
  });

  it('CI=true without TEST_DATABASE_URL: the reliability run fails and says why', async () => {
    const child = spawn(
      process.execPath,
      [
        require.resolve('jest/bin/jest'),
        '--selectProjects',
        'reliability',
        '--forceExit',
        'test/reliability/reliability.test.ts',
      ],
      {
        cwd: ROOT,
        env: { ...process.env, CI: 'true', TEST_DATABASE_URL: '', RELIABILITY: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect({ code, output: output.slice(-3000) }).toMatchObject({ code: 1 });
    expect(output).toContain('reliability needs TEST_DATABASE_URL');
    expect(output).toMatch(/Tests:\s+1 failed/);
  }, 120_000);
});
