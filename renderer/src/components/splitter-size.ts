/**
 * Sizes of a Splitter's first pane, as a fraction of the space both panes share: clamped so each
 * pane keeps its minimum, moved by the keyboard in steps, and remembered for the session by name
 * (the Captures workbench is rebuilt each time its tab is shown).
 */

export const KEY_STEP = 0.05;

/** The smallest and largest fraction that leave each pane `minPx` of `totalPx`. */
export function fractionBounds(totalPx: number, minPx: number): { min: number; max: number } {
  // Not laid out yet (hidden, or no layout at all): any sensible share.
  if (totalPx <= 0) return { min: 0.1, max: 0.9 };
  if (minPx * 2 >= totalPx) return { min: 0.5, max: 0.5 };
  return { min: minPx / totalPx, max: 1 - minPx / totalPx };
}

export function clampFraction(fraction: number, bounds: { min: number; max: number }): number {
  return Math.min(bounds.max, Math.max(bounds.min, fraction));
}

/**
 * Where a key puts the divider, or undefined when the key is not the splitter's. `row` panes sit
 * side by side (←/→ move the divider); `column` panes are stacked (↑/↓).
 */
export function fractionForKey(
  key: string,
  direction: 'row' | 'column',
  fraction: number,
  bounds: { min: number; max: number },
  initial: number,
): number | undefined {
  const back = direction === 'row' ? 'ArrowLeft' : 'ArrowUp';
  const forward = direction === 'row' ? 'ArrowRight' : 'ArrowDown';
  if (key === back) return clampFraction(fraction - KEY_STEP, bounds);
  if (key === forward) return clampFraction(fraction + KEY_STEP, bounds);
  if (key === 'Home') return bounds.min;
  if (key === 'End') return bounds.max;
  if (key === 'Enter') return clampFraction(initial, bounds);
  return undefined;
}

const remembered = new Map<string, number>();

export function rememberedFraction(name: string | undefined, fallback: number): number {
  return name === undefined ? fallback : (remembered.get(name) ?? fallback);
}

export function rememberFraction(name: string | undefined, fraction: number): void {
  if (name) remembered.set(name, fraction);
}
