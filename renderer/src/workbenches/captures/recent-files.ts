/** Recently opened capture paths, newest first, kept in localStorage (paths only, never contents). */
const KEY = 'cardbench.captures.recent';
const KEEP = 8;

export function loadRecentFiles(storage: Storage = localStorage): string[] {
  try {
    const value: unknown = JSON.parse(storage.getItem(KEY) ?? '[]');
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string').slice(0, KEEP) : [];
  } catch {
    return [];
  }
}

export function rememberRecentFile(path: string, storage: Storage = localStorage): string[] {
  const next = [path, ...loadRecentFiles(storage).filter((p) => p !== path)].slice(0, KEEP);
  storage.setItem(KEY, JSON.stringify(next));
  return next;
}
