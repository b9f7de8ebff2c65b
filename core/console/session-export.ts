/**
 * A console session as a file to attach to a bug report: JSON for tools, text for people. Both
 * are built from history entries, whose commands are already masked.
 */
import type { HistoryEntry } from './history.js';
import { maskCommand } from './history.js';

export interface SessionExport {
  json: string;
  text: string;
}

export function exportSession(entries: readonly HistoryEntry[], meta: { generatedAt: Date; app: string }): SessionExport {
  const exchanges = entries.map((entry) => ({ ...entry, command: maskCommand(entry.command) }));
  const json = JSON.stringify({ generatedBy: meta.app, generatedAt: meta.generatedAt.toISOString(), exchanges }, null, 2);
  const lines = [`# ${meta.app} console session, ${meta.generatedAt.toISOString()}`, '# PIN data is masked as **', ''];
  let reader = '';
  for (const e of exchanges) {
    if (e.reader !== reader) {
      reader = e.reader;
      lines.push(`## ${reader}`);
    }
    lines.push(`> ${spaced(e.command)}${e.automatic ? '   (automatic)' : ''}`);
    lines.push(`< ${spaced(e.response)}   ${e.sw} ${e.meaning} (${e.ms} ms)`);
  }
  return { json, text: `${lines.join('\n')}\n` };
}

function spaced(hex: string): string {
  return hex.replace(/(..)(?=.)/g, '$1 ');
}
