// Which destinations want a notice: by type, by the status a booking moves into, by provider and
// by source. Pure: the commit calls it inside its transaction.
export const NOTICE_TYPES = ['booking.status_changed', 'booking.reminder'] as const;

export interface DestinationFilter {
  types?: readonly string[] | undefined;
  statuses?: readonly string[] | undefined;
  providers?: readonly string[] | undefined;
  sources?: readonly string[] | undefined;
}

/** `booking/<provider>/<source>/<id>`: the id may hold slashes, provider and source never do. */
function origin(workflowId: string): { provider: string; source: string } {
  const [, provider = '', source = ''] = workflowId.split('/');
  return { provider, source };
}

export function wants(
  filter: DestinationFilter,
  workflowId: string,
  body: Readonly<Record<string, unknown>>,
): boolean {
  const { provider, source } = origin(workflowId);
  const type = String(body['type']);
  if (filter.types !== undefined && !filter.types.includes(type)) return false;
  if (
    filter.statuses !== undefined &&
    type === 'booking.status_changed' &&
    !filter.statuses.includes(String(body['to']))
  )
    return false;
  if (filter.providers !== undefined && !filter.providers.includes(provider)) return false;
  if (filter.sources !== undefined && !filter.sources.includes(source)) return false;
  return true;
}
