/**
 * pcsc-tools' smartcard_list.txt: an ATR pattern per line (hex bytes, '..' or '.' wildcards,
 * sometimes [..] classes), then tab-indented descriptions, entries separated by a blank line.
 * Read at run time from the system (it is GPL and updated often); never bundled.
 */
export interface SmartcardListEntry {
  pattern: string;
  descriptions: string[];
}

export function parseSmartcardList(text: string): SmartcardListEntry[] {
  const entries: SmartcardListEntry[] = [];
  let current: SmartcardListEntry | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith('#')) continue;
    if (line.trim() === '') {
      current = undefined;
      continue;
    }
    if (line.startsWith('\t') || line.startsWith(' ')) {
      current?.descriptions.push(line.trim());
      continue;
    }
    current = { pattern: line.trim(), descriptions: [] };
    entries.push(current);
  }
  return entries;
}

/** The descriptions of every entry whose pattern matches the ATR (uppercase hex, no spaces). */
export function identifyAtr(entries: readonly SmartcardListEntry[], atrHex: string): string[] {
  const spacedAtr = atrHex
    .toUpperCase()
    .replace(/(..)(?=.)/g, '$1 ')
    .trim();
  const out: string[] = [];
  for (const entry of entries) {
    const regex = patternRegex(entry.pattern);
    if (regex?.test(spacedAtr)) out.push(...entry.descriptions);
  }
  return out;
}

const cache = new Map<string, RegExp | null>();

function patternRegex(pattern: string): RegExp | null {
  const known = cache.get(pattern);
  if (known !== undefined) return known;
  let regex: RegExp | null;
  try {
    // The list's patterns are regular expressions over 'XX XX …'; only a full match counts.
    regex = /^[0-9A-Fa-f .[\]\\|()*+?-]+$/.test(pattern) ? new RegExp(`^${pattern.toUpperCase()}$`) : null;
  } catch {
    regex = null;
  }
  cache.set(pattern, regex);
  return regex;
}
