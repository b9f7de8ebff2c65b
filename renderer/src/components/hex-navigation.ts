/** Where a key moves the cursor of a hex pane (a grid of `perLine` bytes a line); pure. */

export const PAGE_LINES = 8;

/**
 * The byte offset `key` moves to from `offset` among `count` bytes, or undefined when the key is
 * not a movement. ← and → run on across line ends; ↑ and ↓ stay put where no byte is above or below.
 */
export function hexKeyTarget(key: string, ctrl: boolean, offset: number, count: number, perLine: number): number | undefined {
  if (count === 0) return undefined;
  const last = count - 1;
  const lineStart = offset - (offset % perLine);
  const clamp = (n: number): number => Math.min(last, Math.max(0, n));
  switch (key) {
    case 'ArrowRight':
      return clamp(offset + 1);
    case 'ArrowLeft':
      return clamp(offset - 1);
    case 'ArrowDown':
      return offset + perLine <= last ? offset + perLine : offset;
    case 'ArrowUp':
      return offset - perLine >= 0 ? offset - perLine : offset;
    case 'Home':
      return ctrl ? 0 : lineStart;
    case 'End':
      return ctrl ? last : Math.min(last, lineStart + perLine - 1);
    case 'PageDown':
      return clamp(offset + PAGE_LINES * perLine);
    case 'PageUp':
      return clamp(offset - PAGE_LINES * perLine);
    default:
      return undefined;
  }
}
