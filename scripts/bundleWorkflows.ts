// Pre-bundles the workflow code for production (`npm run build`), so workers start without webpack
// and every replica runs byte-identical workflow code. Point HOOKLINE_WORKFLOW_BUNDLE at the output.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';

export const BUNDLE_PATH = path.resolve(__dirname, '..', 'dist', 'workflow-bundle.js');

export async function bundleWorkflows(outFile: string = BUNDLE_PATH): Promise<string> {
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows') });
  mkdirSync(path.dirname(outFile), { recursive: true });
  writeFileSync(outFile, code);
  return outFile;
}

if (require.main === module) {
  bundleWorkflows().then(
    (file) => process.stdout.write(`workflow bundle written to ${file}\n`),
    (err: unknown) => {
      process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
