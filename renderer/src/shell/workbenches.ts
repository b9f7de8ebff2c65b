/** The four workbenches, in tab order. The shell's keys 1–4 follow this order (shortcuts.ts). */
export const WORKBENCHES = [
  { id: 'readers', label: 'Readers', summary: 'Every reader, its card and what it can do' },
  { id: 'console', label: 'Console', summary: 'Send APDUs by hand and read the answers' },
  { id: 'pinpad', label: 'Pinpad', summary: 'PIN entry on a reader keypad, byte by byte' },
  { id: 'captures', label: 'Captures', summary: 'USB traces of CCID readers, read as APDUs' },
] as const;

export type WorkbenchId = (typeof WORKBENCHES)[number]['id'];

export function workbenchFromHash(hash: string): WorkbenchId {
  const id = hash.replace(/^#\/?/, '');
  return WORKBENCHES.find((w) => w.id === id)?.id ?? 'readers';
}

/** Arrow/Home/End movement inside the tab list (WAI-ARIA tabs pattern). */
export function neighbourTab(current: WorkbenchId, key: string): WorkbenchId | undefined {
  const index = WORKBENCHES.findIndex((w) => w.id === current);
  const last = WORKBENCHES.length - 1;
  const next =
    key === 'ArrowRight'
      ? (index + 1) % WORKBENCHES.length
      : key === 'ArrowLeft'
        ? (index - 1 + WORKBENCHES.length) % WORKBENCHES.length
        : key === 'Home'
          ? 0
          : key === 'End'
            ? last
            : undefined;
  return next === undefined ? undefined : WORKBENCHES[next]!.id;
}
