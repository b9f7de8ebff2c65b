/**
 * The system's smartcard_list.txt (installed by pcsc-tools), read at run time and kept in memory
 * until its modification time changes. Absent → the inspection says so instead of guessing.
 */
import { readFileSync, statSync } from 'node:fs';
import { identifyAtr, parseSmartcardList, type SmartcardListEntry } from '#core/console/smartcard-list.js';
import type { CardIdentification } from '#core/console/reader-inspection.js';

export const SMARTCARD_LIST_PATHS = [
  '/usr/share/pcsc/smartcard_list.txt',
  '/usr/local/share/pcsc/smartcard_list.txt',
  '/opt/homebrew/share/pcsc/smartcard_list.txt',
];

let cached: { path: string; mtimeMs: number; entries: SmartcardListEntry[] } | undefined;

export function identifyCard(atrHex: string, paths: readonly string[] = SMARTCARD_LIST_PATHS): CardIdentification {
  for (const path of paths) {
    let mtimeMs: number;
    try {
      mtimeMs = statSync(path).mtimeMs;
    } catch {
      continue;
    }
    if (!cached || cached.path !== path || cached.mtimeMs !== mtimeMs) {
      try {
        cached = { path, mtimeMs, entries: parseSmartcardList(readFileSync(path, 'utf8')) };
      } catch (error) {
        return { source: path, matches: [], note: `Could not read ${path}: ${(error as Error).message}` };
      }
    }
    const matches = identifyAtr(cached.entries, atrHex);
    return matches.length
      ? { source: path, matches }
      : {
          source: path,
          matches,
          note: `This ATR is not in ${path} (pcsc-tools' list; newer versions at https://pcsc-tools.apdu.fr/smartcard_list.txt).`,
        };
  }
  return {
    source: null,
    matches: [],
    note: 'No smartcard_list.txt on this system: install pcsc-tools (Debian/Ubuntu: apt install pcsc-tools) to name cards by their ATR.',
  };
}
