// Which meetergo webhooks to create, update and delete (managing-webhooks page, S4.3). A company
// holds at most 6 webhooks, shared with its other integrations (n8n, Zapier, another Hookline
// deployment), so only webhooks that are ours are ever deleted: a duplicate of a wanted endpoint
// path, or our description on the origin of a wanted endpoint (a source since removed).
// Endpoints are matched on origin + path, so a rotated `?token=` becomes an update, not a new slot.

/** Every type in the documented enum, so each delivery is at least acknowledged and counted. */
export const MEETERGO_EVENT_TYPES: readonly string[] = [
  'booking_created',
  'booking_cancelled',
  'booking_rescheduled',
  'new_employee',
  'form_submission',
];
export const MANAGED_DESCRIPTION = 'hookline (managed by hookline subscriptions sync)';
export const MEETERGO_WEBHOOK_LIMIT = 6;

export interface MeetergoWebhook {
  id: string;
  endpoint: string;
  description?: string | undefined;
  eventTypes: readonly string[];
}
export type WebhookSettings = Omit<MeetergoWebhook, 'id'> & { description: string };
export interface SyncPlan {
  create: WebhookSettings[];
  update: (WebhookSettings & { id: string })[];
  delete: MeetergoWebhook[];
}

/** The endpoint with its token hidden, for printing. */
export function redactEndpoint(endpoint: string): string {
  return endpoint.replace(/([?&]token=)[^&#]*/gi, '$1***');
}

function parts(endpoint: string): { origin: string; target: string } {
  try {
    const url = new URL(endpoint);
    return { origin: url.origin, target: `${url.origin}${url.pathname.replace(/\/+$/, '')}` };
  } catch {
    return { origin: endpoint, target: endpoint };
  }
}

function sameTypes(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  return left.size === new Set(b).size && b.every((t) => left.has(t));
}

function needsUpdate(current: MeetergoWebhook, endpoint: string): boolean {
  return (
    current.endpoint !== endpoint ||
    current.description !== MANAGED_DESCRIPTION ||
    !sameTypes(current.eventTypes, MEETERGO_EVENT_TYPES)
  );
}

/** Pure: what to create, update and delete so the registered endpoints match `desired`. */
export function planSync(
  existing: readonly MeetergoWebhook[],
  desired: readonly string[],
): SyncPlan {
  const wanted = [...new Set(desired)];
  const free = [...existing];
  const claimed = new Map<string, MeetergoWebhook>();
  const claim = (endpoint: string, match: (w: MeetergoWebhook) => boolean) => {
    const index = free.findIndex(match);
    const found = index < 0 || claimed.has(endpoint) ? undefined : free.splice(index, 1)[0];
    if (found !== undefined) claimed.set(endpoint, found);
  };
  // Exact endpoints first, so a token rotation on one source cannot take another source's hook.
  for (const endpoint of wanted) claim(endpoint, (w) => w.endpoint === endpoint);
  for (const endpoint of wanted) {
    claim(endpoint, (w) => parts(w.endpoint).target === parts(endpoint).target);
  }
  const plan: SyncPlan = { create: [], update: [], delete: [] };
  for (const endpoint of wanted) {
    const settings = {
      endpoint,
      description: MANAGED_DESCRIPTION,
      eventTypes: MEETERGO_EVENT_TYPES,
    };
    const current = claimed.get(endpoint);
    if (current === undefined) plan.create.push(settings);
    else if (needsUpdate(current, endpoint)) plan.update.push({ id: current.id, ...settings });
  }
  // Ours: a duplicate of a wanted path, or our description on this deployment's origin (a removed
  // source). Another deployment sharing the company's six slots is never touched.
  const targets = new Set(wanted.map((e) => parts(e).target));
  const origins = new Set(wanted.map((e) => parts(e).origin));
  plan.delete = free.filter((w) => {
    const { origin, target } = parts(w.endpoint);
    return targets.has(target) || (w.description === MANAGED_DESCRIPTION && origins.has(origin));
  });
  return plan;
}
