/**
 * The console's persistent state: history (PIN bytes masked) and saved snippets, in
 * `console.json` of the data directory.
 */
import { join } from 'node:path';
import { historyForStorage, historyFromStorage, type HistoryEntry } from '#core/console/history.js';
import type { Snippet } from '#core/console/snippet.js';
import { JsonStore } from './json-store.js';

export type { Snippet };

export interface ConsoleDocument {
  version: 1;
  history: HistoryEntry[];
  snippets: Snippet[];
}

export const MAX_SNIPPETS = 500;

export function openConsoleStore(dataDir: string): JsonStore<ConsoleDocument> {
  return new JsonStore<ConsoleDocument>(
    join(dataDir, 'console.json'),
    () => ({ version: 1, history: [], snippets: [] }),
    parseConsoleDocument,
  );
}

function parseConsoleDocument(raw: unknown): ConsoleDocument {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('the top level is not an object');
  const doc = raw as Record<string, unknown>;
  const snippets: Snippet[] = [];
  if (Array.isArray(doc.snippets)) {
    for (const s of doc.snippets as unknown[]) {
      if (typeof s !== 'object' || s === null) continue;
      const { name, apdu, note } = s as Record<string, unknown>;
      if (typeof name === 'string' && typeof apdu === 'string')
        snippets.push(typeof note === 'string' ? { name, apdu, note } : { name, apdu });
    }
  }
  return { version: 1, history: historyForStorage(historyFromStorage(doc.history)), snippets: snippets.slice(0, MAX_SNIPPETS) };
}
