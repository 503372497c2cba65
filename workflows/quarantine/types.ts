import type { ProviderId } from '../../src/events/canonical';

/** An authentic request we could not understand, kept raw for inspection and replay. */
export interface QuarantineItem {
  provider: ProviderId;
  source: string;
  sha256: string;
  /** The exact bytes, base64: replay re-verifies nothing, it re-parses these. */
  bodyBase64: string;
  /**
   * The headers a parser may need on replay (content type, Standard Webhooks message id and
   * timestamp): an allow-list, so never a secret or a signature.
   */
  headers: Record<string, string>;
  receivedAt: string;
  reason: string;
}

export interface QuarantineView {
  provider: ProviderId;
  source: string;
  sha256: string;
  receivedAt: string;
  reason: string;
  deliveries: number;
  status: 'quarantined' | 'replayed' | 'discarded';
  note?: string;
}
