// A delivery we could verify but not understand, kept raw until an operator replays it through
// a fixed adapter or discards it. It never times out on its own: nothing acknowledged is dropped.
import { condition, patched, setHandler, setWorkflowOptions } from '@temporalio/workflow';
import { whenVersioned } from '../versioning';
import type { QuarantineItem, QuarantineView } from './types';
import {
  quarantineDeliverySignal,
  quarantineItemQuery,
  quarantineResolveUpdate,
  quarantineStateQuery,
  type QuarantineResolution,
  upsertStatus,
} from '../shared';

// AUTO_UPGRADE: a quarantined delivery waits for an operator, for days or weeks; its few lines
// change rarely and behind patched() ('quarantine-status-on-resolve' is one).
setWorkflowOptions(whenVersioned('AUTO_UPGRADE'), quarantineWorkflow);
export async function quarantineWorkflow(item: QuarantineItem): Promise<QuarantineView> {
  let view: QuarantineView = {
    provider: item.provider,
    source: item.source,
    sha256: item.sha256,
    receivedAt: item.receivedAt,
    reason: item.reason,
    deliveries: 0, // every delivery, the first included, arrives as a signal
    status: 'quarantined',
  };
  setHandler(quarantineDeliverySignal, () => {
    view = { ...view, deliveries: view.deliveries + 1 };
  });
  setHandler(quarantineStateQuery, () => view);
  setHandler(quarantineItemQuery, () => item);
  setHandler(
    quarantineResolveUpdate,
    ({ outcome, note }) => {
      view = { ...view, status: outcome, note };
      return view;
    },
    {
      validator: ({ note }: QuarantineResolution) => {
        if (note.trim() === '') throw new Error('say why: a note is required');
      },
    },
  );
  await condition(() => view.status !== 'quarantined');
  // Added after v1 histories were recorded: runs that resolved before it replay without it.
  if (patched('quarantine-status-on-resolve')) upsertStatus(view.status);
  return view;
}
