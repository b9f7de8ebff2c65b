/** A console session export's file name: what it holds and when, e.g. console-session-2026-12-02T09-15-00-000Z.json. */
export function sessionFileName(extension: 'json' | 'txt', at: Date = new Date()): string {
  return `console-session-${at.toISOString().replace(/[:.]/g, '-')}.${extension}`;
}
