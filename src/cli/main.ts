// One entry point for operators: `hookline <command> --help` explains each.
import { Command } from 'commander';
import { ConfigError } from '../config';
import { runMain as receiverMain } from '../receiver';
import { runMain as startMain } from '../start';
import { runMain as workerMain } from '../worker';
import ms from 'ms';
import { describeRuleRuns, explainBooking, formatExplanation, operateAndSettle } from './bookings';
import { bulkCommand, bulkOperate, parseRate } from './bulk';
import { coverageReport } from '../../activities/coverage';
import { formatCoverage } from './sources';
import { cliContext, explainFailure, print } from './context';
import {
  bulkRetryDeliveries,
  DELIVERY_STATUSES,
  formatAttempt,
  formatDelivery,
  listDeliveries,
  outboxDb,
  showDelivery,
  skipDeliveries,
} from './deliveries';
import {
  destinationStatus,
  formatDestination,
  pauseDestination,
  resumeDestination,
} from './destinations';
import { bulkReplayQuarantine, listQuarantine, STILL_UNREADABLE } from './quarantine';
import { replayBooking } from './replay';
import { simulateCommand, type SimulateOptions } from '../simulator/command';
import { QUIET_MS } from '../simulator/verify';
import { deleteSubscription, listSubscriptions, syncSubscriptions } from './subscriptions';

const program = new Command()
  .name('hookline')
  .description('Booking-platform webhooks, processed durably on Temporal.')
  .showHelpAfterError();

program
  .command('start')
  .description('Temporal dev server + Web UI, worker and receiver in one process (like npm start)')
  .action(() => {
    startMain();
  });
program
  .command('worker')
  .description('run a worker alone (needs TEMPORAL_ADDRESS)')
  .action(() => {
    workerMain();
  });
program
  .command('receiver')
  .description('run the webhook receiver alone (needs TEMPORAL_ADDRESS)')
  .action(() => {
    receiverMain();
  });

program
  .command('simulate')
  .description('play booking platforms (webhooks + their APIs) against a running Hookline')
  .option('--platforms <list>', 'all, or a comma-separated list of platform ids', 'all')
  .option('--bookings <n>', 'bookings to create', '20')
  .option('--events <n>', 'changes in all (default: 3 per booking)')
  .option('--rate <r>', 'changes per second', '20')
  .option('--seed <s>', 'random seed (same seed, same histories)')
  .option('--duplicate <p>', 'probability a webhook is delivered twice', '0')
  .option('--reorder <p>', 'probability a webhook overtakes the next one', '0')
  .option('--drop <p>', 'probability a webhook is lost (re-sent after the run)', '0')
  .option('--api-errors <p>', 'probability an API request gets a 5xx, a reset or no answer', '0')
  .option('--delay <ms>', 'extra latency per delivery, 0..ms', '0')
  .option('--time-scale <f>', "factor on the platforms' retry delays", '0.01')
  .option('--receiver <url>', 'the running Hookline', 'http://127.0.0.1:3000')
  .option('--api-port <port>', 'fixed port of the fake platform APIs', '4700')
  .option('--secret-prefix <text>', 'makes the webhook secrets and API keys', 'sim')
  .option('--print-env', 'print the environment Hookline needs, then exit')
  .option('--verify', 'wait until quiet, compare the read model with the truth (exit 1 if not)')
  .option('--database-url <url>', 'the read model for --verify (default DATABASE_URL)')
  .option(
    '--quiet <s>',
    'seconds the read model may stand still before --verify reports',
    String(QUIET_MS / 1000),
  )
  .option('--linger <s>', 'seconds the fake APIs keep serving without --verify', '10')
  .action(async (options: SimulateOptions) => {
    process.exitCode = await simulateCommand(options);
  });

const quarantine = program
  .command('quarantine')
  .description('deliveries that were authentic but not understood');
quarantine
  .command('list')
  .description('list quarantined deliveries')
  .action(async () => {
    const { client } = cliContext();
    const views = await listQuarantine(client);
    if (views.length === 0) print('nothing is quarantined');
    for (const v of views) {
      print(
        `quarantine/${v.provider}/${v.source}/${v.sha256}  ${v.receivedAt}  ×${v.deliveries}  ${v.reason.slice(0, 120)}`,
      );
    }
    await client.connection.close();
  });
quarantine
  .command('replay')
  .description('re-run quarantined deliveries through the current adapters')
  .argument('[id]', 'workflow id (quarantine/<provider>/<source>/<sha256>)')
  .option('--all', 'every quarantined delivery (and those replayed before, reported as such)')
  .option(
    '--query <visibility>',
    "the quarantined deliveries it matches, e.g. \"HooklineProvider = 'meeva' AND HooklineSource = 'amsterdam'\"",
  )
  .option('--dry-run', 'parse each with the current adapters and say what a replay would do')
  .option('--rate <n>', 'deliveries replayed per second at most', '5')
  .action(
    async (
      id: string | undefined,
      options: { all?: boolean; query?: string; dryRun?: boolean; rate: string },
    ) => {
      const given = [id !== undefined, options.all === true, options.query !== undefined];
      if (given.filter(Boolean).length !== 1)
        throw new Error('give one quarantine workflow id, or --all, or --query (one of them)');
      const perSecond = parseRate(options.rate, 'deliveries');
      const { config, client } = cliContext();
      try {
        await bulkCommand({
          verb: 'replay',
          noun: 'quarantined deliver(y/ies)',
          dryRun: options.dryRun === true,
          perSecond,
          alsoFailing: [STILL_UNREADABLE],
          run: (bulk) =>
            bulkReplayQuarantine(
              client,
              id !== undefined
                ? { workflowId: id }
                : options.query !== undefined
                  ? { query: options.query }
                  : { all: true },
              { ...bulk, taskQueue: config.temporal.taskQueue },
            ),
        });
      } finally {
        await client.connection.close();
      }
    },
  );

const bookings = program
  .command('bookings')
  .description('inspect and operate one booking workflow');
bookings
  .command('explain')
  .description(
    "why is this booking in this state? (the workflow's timeline, and how each rule it started is doing)",
  )
  .argument('<workflowId>', 'booking/<provider>/<source>/<bookingId>')
  .option('--json', 'print the raw explanation')
  .action(async (workflowId: string, options: { json?: boolean }) => {
    const { client } = cliContext();
    const explained = await explainBooking(client, workflowId);
    const rules = await describeRuleRuns(client, workflowId, explained);
    if (options.json === true) print(JSON.stringify({ ...explained, rules }, null, 2));
    else for (const line of formatExplanation(explained, rules)) print(line);
    await client.connection.close();
  });
for (const command of ['resume', 'skip', 'refetch'] as const) {
  const what = {
    resume: 'retry the step a paused booking failed on',
    skip: 'continue a paused booking without the step it failed on',
    refetch: 'fetch the authoritative booking again (and retry, when paused)',
  }[command];
  bookings
    .command(command)
    .description(`${what}; several at once with --query`)
    .argument('[workflowId]', 'booking/<provider>/<source>/<bookingId>')
    .requiredOption('--reason <text>', 'why (kept in each booking timeline)')
    .option(
      '--query <visibility>',
      'every running booking it matches, e.g. "HooklineStatus = \'paused\'"',
    )
    .option('--dry-run', 'with --query: list what would be touched, change nothing')
    .option('--rate <n>', 'with --query: bookings per second at most', '5')
    .action(
      async (
        workflowId: string | undefined,
        options: { reason: string; query?: string; dryRun?: boolean; rate: string },
      ) => {
        if ((workflowId === undefined) === (options.query === undefined))
          throw new Error('give one booking (its workflow id) or --query, not both');
        const { client } = cliContext();
        try {
          if (options.query !== undefined) {
            const { query, reason } = options;
            await bulkCommand({
              verb: command,
              noun: 'running booking(s)',
              dryRun: options.dryRun === true,
              perSecond: parseRate(options.rate, 'bookings'),
              run: (bulk) => bulkOperate(client, command, query, reason, bulk),
            });
            return;
          }
          const { view, outcome } = await operateAndSettle(
            client,
            workflowId ?? '',
            command,
            options.reason,
          );
          const detail = {
            continued: `continues, status ${view.status}`,
            'paused again': `paused again: ${view.paused?.step ?? ''} failed (${view.paused?.reason ?? ''})`,
            'still working': `accepted; the step is still running (see bookings explain)`,
          }[outcome];
          print(
            `${workflowId ?? ''}: ${command} ${outcome === 'still working' ? detail : `accepted; ${detail}`}`,
          );
        } finally {
          await client.connection.close();
        }
      },
    );
}

const deliveries = program
  .command('deliveries')
  .description('notices queued for, delivered to or refused by the destinations (DATABASE_URL)');
deliveries
  .command('list')
  .description('newest first')
  .option('--status <status>', DELIVERY_STATUSES.join('|'))
  .option('--booking <workflowId>', 'booking/<provider>/<source>/<bookingId>')
  .option('--destination <name>', 'a destination (default: all)')
  .option('--limit <n>', 'at most this many', '50')
  .action(
    async (options: { status?: string; booking?: string; destination?: string; limit: string }) => {
      if (
        options.status !== undefined &&
        !(DELIVERY_STATUSES as readonly string[]).includes(options.status)
      )
        throw new Error(`--status is one of ${DELIVERY_STATUSES.join(', ')}`);
      const db = await outboxDb(cliContext().config);
      try {
        const rows = await listDeliveries(db, {
          ...(options.status === undefined ? {} : { status: options.status }),
          ...(options.booking === undefined ? {} : { workflowId: options.booking }),
          ...(options.destination === undefined ? {} : { destination: options.destination }),
          limit: Number(options.limit),
        });
        if (rows.length === 0) print('no deliveries');
        for (const r of rows) print(formatDelivery(r));
      } finally {
        await db.close();
      }
    },
  );
deliveries
  .command('show')
  .description(
    'one notice and every attempt to deliver it: when, latency, answer, response excerpt',
  )
  .argument('<key>', 'the notice key from `deliveries list`')
  .option('--destination <name>', 'only this destination')
  .action(async (key: string, options: { destination?: string }) => {
    const db = await outboxDb(cliContext().config);
    try {
      const found = await showDelivery(db, key, options.destination);
      if (found.length === 0) {
        print(`no notice ${key}`);
        process.exitCode = 1;
      }
      for (const { notice, attempts } of found) {
        print(formatDelivery(notice));
        for (const a of attempts) print(formatAttempt(a));
        for (const line of notice.operator_note?.split('\n') ?? []) print(`  operator: ${line}`);
      }
    } finally {
      await db.close();
    }
  });
deliveries
  .command('retry')
  .description('deliver refused (or waiting) notices again now')
  .argument('[key]', 'the notice key from `deliveries list`')
  .option('--failed', 'every notice a destination refused')
  .option('--destination <name>', 'only this destination')
  .option('--booking <workflowId>', "only this booking's notices (all not yet delivered)")
  .option('--since <when>', 'only notices queued since then: 2h, 1d, or a time (ISO 8601)')
  .option('--reason <text>', 'why (kept with each notice: deliveries show)')
  .option('--dry-run', 'list the notices that would be retried, change nothing')
  .option('--rate <n>', 'notices released per second at most', '20')
  .action(
    async (
      key: string | undefined,
      options: {
        failed?: boolean;
        destination?: string;
        booking?: string;
        since?: string;
        reason?: string;
        dryRun?: boolean;
        rate: string;
      },
    ) => {
      const perSecond = parseRate(options.rate, 'notices');
      const since = options.since === undefined ? undefined : parseSince(options.since);
      const db = await outboxDb(cliContext().config);
      try {
        await bulkCommand({
          verb: 'retry',
          noun: 'notice(s)',
          dryRun: options.dryRun === true,
          perSecond,
          run: (bulk) =>
            bulkRetryDeliveries(
              db,
              {
                ...(key === undefined ? {} : { key }),
                ...(options.failed === true ? { failed: true } : {}),
                ...(options.destination === undefined ? {} : { destination: options.destination }),
                ...(options.booking === undefined ? {} : { workflowId: options.booking }),
                ...(since === undefined ? {} : { since }),
              },
              options.reason,
              bulk,
            ),
        });
      } finally {
        await db.close();
      }
    },
  );
deliveries
  .command('skip')
  .description("give up a notice: the booking's next notices to that destination go on")
  .argument('[key]', 'the notice key from `deliveries list`')
  .option('--failed', 'every refused notice (of --destination, or all)')
  .option('--destination <name>', 'only this destination')
  .requiredOption('--reason <text>', 'why (kept with the notice)')
  .action(
    async (
      key: string | undefined,
      options: { failed?: boolean; destination?: string; reason: string },
    ) => {
      if (options.reason.trim().length < 3)
        throw new Error('say why: --reason of at least 3 characters is required to skip');
      const db = await outboxDb(cliContext().config);
      try {
        const changed = await skipDeliveries(
          db,
          {
            ...(key === undefined ? {} : { key }),
            ...(options.failed === true ? { failed: true } : {}),
            ...(options.destination === undefined ? {} : { destination: options.destination }),
          },
          options.reason,
        );
        print(`skipped ${changed} notice(s)`);
        if (changed === 0) process.exitCode = 1;
      } finally {
        await db.close();
      }
    },
  );

/** `--since 2h` (that long ago) or `--since 2030-01-01T00:00:00Z`. */
function parseSince(since: string): Date {
  const ago = /^\d+(s|m|h|d)$/.test(since) ? ms(since as ms.StringValue) : undefined;
  const at = ago === undefined ? new Date(since) : new Date(Date.now() - ago);
  if (Number.isNaN(at.getTime()))
    throw new Error('--since is a period like 2h or 1d, or a time like 2030-01-01T00:00:00Z');
  return at;
}

const destinations = program
  .command('destinations')
  .description('where notices go: state, pause and resume (DATABASE_URL)');
/** A configured destination's name, or an error naming the configured ones. */
function configuredDestination(name: string): string {
  const names = cliContext().config.destinations.map((d) => d.name);
  if (!names.includes(name))
    throw new Error(
      `no destination ${name}: configured are ${names.join(', ') || 'none (DOWNSTREAM_WEBHOOK_URL, HOOKLINE_CONFIG)'}`,
    );
  return name;
}
destinations
  .command('list')
  .description('each configured destination: delivering, paused or circuit open; held notices')
  .action(async () => {
    const { config } = cliContext();
    const db = await outboxDb(config);
    try {
      const rows = await destinationStatus(
        db,
        config.destinations.map((d) => d.name),
      );
      if (rows.length === 0) print('no destinations configured');
      for (const row of rows) print(formatDestination(row));
    } finally {
      await db.close();
    }
  });
destinations
  .command('pause')
  .description('hold every notice for a destination until resumed; nothing is dropped')
  .argument('<name>')
  .requiredOption('--reason <text>', 'why (shown by destinations list)')
  .action(async (name: string, options: { reason: string }) => {
    const db = await outboxDb(cliContext().config);
    try {
      await pauseDestination(db, configuredDestination(name), options.reason);
      print(`${name}: paused`);
    } finally {
      await db.close();
    }
  });
destinations
  .command('resume')
  .description("deliver again: every held notice, or only each booking's latest")
  .argument('<name>')
  .option('--deliver <what>', 'all | latest (one delivery per booking, its newest notice)', 'all')
  .requiredOption('--reason <text>', 'why (kept with superseded notices)')
  .action(async (name: string, options: { deliver: string; reason: string }) => {
    if (options.deliver !== 'all' && options.deliver !== 'latest')
      throw new Error('--deliver is all or latest');
    const db = await outboxDb(cliContext().config);
    try {
      const superseded = await resumeDestination(
        db,
        configuredDestination(name),
        options.deliver,
        options.reason,
      );
      print(
        `${name}: resumed${options.deliver === 'latest' ? `, ${superseded} older notice(s) superseded` : ''}`,
      );
    } finally {
      await db.close();
    }
  });

const sources = program
  .command('sources')
  .description("how far each source's webhooks can be trusted (DATABASE_URL)");
sources
  .command('report')
  .description('per source: changes first seen by webhook or by reconcile, and their lag')
  .option('--days <n>', 'over the last n days, today included', '7')
  .action(async (options: { days: string }) => {
    const days = Number(options.days);
    if (!Number.isInteger(days) || days < 1) throw new Error('--days is a whole number above 0');
    const db = await outboxDb(cliContext().config);
    try {
      const rows = await coverageReport(db, days);
      if (rows.length === 0) print(`no booking changes recorded in the last ${days} day(s)`);
      for (const r of rows) print(formatCoverage(r));
    } finally {
      await db.close();
    }
  });

program
  .command('replay')
  .description('re-drive one booking from a fresh authoritative fetch of the platform')
  .argument('<workflowId>', 'booking/<provider>/<source>/<bookingId>')
  .option('--dry-run', 'print the change and the effects it would produce, change nothing')
  .option('--reason <text>', 'why (kept in the booking timeline)', 'hookline replay')
  .action(async (workflowId: string, options: { dryRun?: boolean; reason: string }) => {
    const { config, client } = cliContext();
    const plan = await replayBooking(client, config, workflowId, {
      dryRun: options.dryRun === true,
      reason: options.reason,
    });
    print(
      `${workflowId}: platform answer ${plan.fetched}; ${plan.from.status} v${plan.from.version ?? '–'} → ${plan.to.status} v${plan.to.version ?? '–'}`,
    );
    if (plan.effects.length === 0) print('no effects');
    for (const e of plan.effects)
      print(`  ${options.dryRun === true ? 'would run' : 'runs'}: ${e}`);
    if (options.dryRun !== true)
      print('re-fetch requested: the booking applies it in its workflow');
    await client.connection.close();
  });

const subscriptions = program
  .command('subscriptions')
  .description('webhook registrations on the platforms (meetergo)');
const onlyMeetergo = (platform: string) => {
  if (platform !== 'meetergo')
    throw new Error(
      `only meetergo has a webhooks API; ${platform} is configured in its own admin UI`,
    );
};
subscriptions
  .command('list')
  .argument('<platform>', 'meetergo')
  .action(async (platform: string) => {
    onlyMeetergo(platform);
    const { config } = cliContext();
    for (const line of await listSubscriptions(config)) print(line);
  });
subscriptions
  .command('sync')
  .argument('<platform>', 'meetergo')
  .option(
    '--public-url <url>',
    'the URL the platform reaches the receivers on (HOOKLINE_PUBLIC_URL)',
  )
  .option('--dry-run', 'print the plan, change nothing')
  .action(async (platform: string, options: { publicUrl?: string; dryRun?: boolean }) => {
    onlyMeetergo(platform);
    const { config } = cliContext();
    const publicUrl = options.publicUrl ?? config.publicUrl;
    if (publicUrl === undefined)
      throw new Error(
        'say where meetergo reaches the receivers: --public-url https://<host>, or set HOOKLINE_PUBLIC_URL',
      );
    const lines = await syncSubscriptions(config, publicUrl, options.dryRun === true);
    if (lines.length === 0) print('already in sync');
    for (const line of lines) print(line);
  });
subscriptions
  .command('delete')
  .argument('<platform>', 'meetergo')
  .argument('<id>', 'the webhook id from `subscriptions list`')
  .action(async (platform: string, id: string) => {
    onlyMeetergo(platform);
    const { config } = cliContext();
    await deleteSubscription(config, id);
    print(`deleted ${id}`);
  });

program.parseAsync().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : explainFailure(err)}\n`);
  process.exit(1);
});
