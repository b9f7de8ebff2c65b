/** e.g. cardbench-session-2026-12-02T09-15-00-000Z.pcapng: what it holds and when it started. */
export function recordingFileName(at: Date = new Date()): string {
  return `cardbench-session-${at.toISOString().replace(/[:.]/g, '-')}.pcapng`;
}

/** The last part of a path, for the status bar (the whole path goes in its title). */
export function baseName(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}
