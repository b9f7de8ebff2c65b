import { isAppUrl } from './app-origin.js';

/** What the IPC layer knows about who sent a message (a projection of Electron's event.senderFrame). */
export interface SenderFacts {
  /** URL of the frame that sent the message; null when the frame is gone. */
  frameUrl: string | null | undefined;
  /** Whether that frame is the top-level frame of its page. */
  isMainFrame: boolean;
}

export type SenderVerdict = { trusted: true } | { trusted: false; reason: string };

/**
 * Only our own top-level page may call the backend: a subframe (an iframe that somehow got
 * in) or any other origin is refused before the contract's schema is even consulted.
 */
export function validateSender(facts: SenderFacts): SenderVerdict {
  if (!facts.frameUrl) return { trusted: false, reason: 'sender frame is gone' };
  if (!facts.isMainFrame) return { trusted: false, reason: 'sender is not the main frame' };
  if (!isAppUrl(facts.frameUrl)) return { trusted: false, reason: `sender origin is not the app (${truncate(facts.frameUrl)})` };
  return { trusted: true };
}

function truncate(text: string): string {
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}
