/**
 * The console's history: what was sent where and what came back, kept across restarts. Secret
 * bytes (PINs, keys: core/iso7816/secret-commands) never enter it: commands are stored masked,
 * and anything loaded from disk is masked again in case an older or hand-edited file holds one.
 */
import { remaskCommandText } from '../iso7816/pin-redaction.js';
import type { ExchangeView } from './exchange-view.js';

export interface HistoryEntry {
  id: number;
  /** ISO 8601 time of the exchange. */
  at: string;
  reader: string;
  /** Uppercase hex, PIN data masked as '**' (then it cannot be re-sent as is). */
  command: string;
  response: string;
  sw: string;
  meaning: string;
  ms: number;
  automatic: boolean;
}

export const MAX_HISTORY_ENTRIES = 1000;

export function historyEntryFor(id: number, at: Date, reader: string, view: ExchangeView): HistoryEntry {
  return {
    id,
    at: at.toISOString(),
    reader,
    command: maskCommand(view.command),
    response: view.response,
    sw: view.sw,
    meaning: view.meaning,
    ms: view.ms,
    automatic: view.automatic,
  };
}

/**
 * Masks the secret bytes of a command in hex, always: text that already holds '*' is masked
 * again without trusting it (see remaskCommandText), so masking is idempotent and a
 * half-masked or hand-edited entry cannot keep a PIN byte.
 */
export function maskCommand(commandHex: string): string {
  return remaskCommandText(commandHex) ?? '(unreadable command)';
}

/** Whether the stored command can be sent again (a masked PIN cannot). */
export function isResendable(entry: Pick<HistoryEntry, 'command'>): boolean {
  return !entry.command.includes('*');
}

/** Case-insensitive search over command, response, status word, meaning and reader; spaces in hex ignored. */
export function searchHistory(entries: readonly HistoryEntry[], query: string): HistoryEntry[] {
  const words = query.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...entries];
  const compactQuery = query.replace(/\s+/g, '').toLowerCase();
  return entries.filter((entry) => {
    const hex = `${entry.command} ${entry.response}`.toLowerCase();
    if (compactQuery.length >= 2 && /^[0-9a-f]+$/.test(compactQuery) && hex.includes(compactQuery)) return true;
    const text = `${hex} ${entry.sw} ${entry.meaning} ${entry.reader}`.toLowerCase();
    return words.every((word) => text.includes(word));
  });
}

/** Newest last, at most MAX_HISTORY_ENTRIES, every command masked: what is written to disk. */
export function historyForStorage(entries: readonly HistoryEntry[]): HistoryEntry[] {
  return entries.slice(-MAX_HISTORY_ENTRIES).map((entry) => ({ ...entry, command: maskCommand(entry.command) }));
}

/** Reads history from a parsed settings file, dropping whatever does not look like an entry. */
export function historyFromStorage(value: unknown): HistoryEntry[] {
  if (!Array.isArray(value)) return [];
  const out: HistoryEntry[] = [];
  for (const item of value) {
    if (typeof item !== 'object' || item === null) continue;
    const e = item as Record<string, unknown>;
    if (typeof e.id !== 'number' || typeof e.command !== 'string' || typeof e.response !== 'string') continue;
    out.push({
      id: e.id,
      at: typeof e.at === 'string' ? e.at : '',
      reader: typeof e.reader === 'string' ? e.reader : '',
      command: maskCommand(e.command),
      response: e.response,
      sw: typeof e.sw === 'string' ? e.sw : '',
      meaning: typeof e.meaning === 'string' ? e.meaning : '',
      ms: typeof e.ms === 'number' ? e.ms : 0,
      automatic: e.automatic === true,
    });
  }
  return historyForStorage(out);
}
