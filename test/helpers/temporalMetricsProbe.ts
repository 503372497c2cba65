// Run in a child process (the native runtime is once per process, and the test process already
// has one): installs the runtime as the worker entrypoint does, talks to the server at argv[2],
// then prints what the SDK's Prometheus endpoint serves.
import { NativeConnection } from '@temporalio/worker';
import { installTemporalRuntime } from '../../src/temporal/runtime';

async function main(): Promise<void> {
  const [address = '', metricsAddress = ''] = process.argv.slice(2);
  installTemporalRuntime(metricsAddress);
  const connection = await NativeConnection.connect({ address });
  await connection.workflowService.getSystemInfo({});
  const response = await fetch(`http://${metricsAddress}/metrics`);
  process.stdout.write(await response.text());
  await connection.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
