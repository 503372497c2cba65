import { BlockList, isIP } from 'node:net';
import type { SourceConfig } from '../config';
import type { ProviderId } from '../events/canonical';
import type { SourceContext } from '../providers/types';

export interface ResolvedSource {
  context: SourceContext;
  /** Undefined: any address may deliver. */
  allowed: BlockList | undefined;
}

export interface SourceRegistry {
  get(provider: ProviderId, name: string): ResolvedSource | undefined;
}

function toBlockList(entries: readonly string[]): BlockList | undefined {
  if (entries.length === 0) return undefined;
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return list;
}

export function createSourceRegistry(sources: readonly SourceConfig[]): SourceRegistry {
  const byKey = new Map<string, ResolvedSource>();
  for (const s of sources) {
    byKey.set(`${s.provider}/${s.name}`, {
      context: {
        provider: s.provider,
        source: s.name,
        secrets: s.secrets,
        auth: s.auth,
        options: s.options,
      },
      allowed: toBlockList(s.allowedIps),
    });
  }
  return { get: (provider, name) => byKey.get(`${provider}/${name}`) };
}

/** IPv4 clients on a dual-stack socket appear as `::ffff:a.b.c.d`. */
export function isAddressAllowed(
  allowed: BlockList | undefined,
  address: string | undefined,
): boolean {
  if (allowed === undefined) return true;
  if (address === undefined) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  const family = isIP(v4) === 6 ? 'ipv6' : 'ipv4';
  return allowed.check(v4, family);
}
