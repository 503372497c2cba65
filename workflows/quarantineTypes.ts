import type { ProviderId } from '../src/events/canonical';

/** An authentic request we could not understand, kept raw for inspection and replay. */
export interface QuarantineItem {
  provider: ProviderId;
  source: string;
  sha256: string;
  /** The exact bytes, base64: replay re-verifies nothing, it re-parses these. */
  bodyBase64: string;
  /** Headers a parser may need (content type); never secrets or signatures. */
  contentType: string | undefined;
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
