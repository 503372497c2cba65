// Pre-bundles the workflow code for production (`npm run build`), so workers start without webpack
// and every replica runs byte-identical workflow code. Point HOOKLINE_WORKFLOW_BUNDLE at the output.
// A second bundle (`workflow-bundle.otel.js`) carries the OpenTelemetry workflow interceptors; the
// worker uses it when OTEL_EXPORTER_OTLP_ENDPOINT is set. With HOOKLINE_RULES both carry the rules
// and their metrics interceptor.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import {
  tracedBundlePath,
  workflowInterceptorModules,
  workflowsEntry,
} from '../src/temporal/worker';

export const BUNDLE_PATH = path.resolve(__dirname, '..', 'dist', 'workflow-bundle.js');

const OTEL_WORKFLOW_INTERCEPTORS =
  require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');

export async function bundleWorkflows(outFile: string = BUNDLE_PATH): Promise<string[]> {
  // With HOOKLINE_RULES set at build time, the rules' workflows are bundled in too.
  const rules = process.env['HOOKLINE_RULES'];
  const rulesModule = rules === undefined || rules === '' ? undefined : rules;
  const workflowsPath = workflowsEntry(rulesModule);
  const interceptors = workflowInterceptorModules(rulesModule);
  mkdirSync(path.dirname(outFile), { recursive: true });
  const plain = await bundleWorkflowCode({
    workflowsPath,
    workflowInterceptorModules: interceptors,
  });
  writeFileSync(outFile, plain.code);
  const traced = await bundleWorkflowCode({
    workflowsPath,
    workflowInterceptorModules: [...interceptors, OTEL_WORKFLOW_INTERCEPTORS],
  });
  writeFileSync(tracedBundlePath(outFile), traced.code);
  return [outFile, tracedBundlePath(outFile)];
}

if (require.main === module) {
  bundleWorkflows().then(
    (files) => process.stdout.write(`workflow bundles written to ${files.join(', ')}\n`),
    (err: unknown) => {
      process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
