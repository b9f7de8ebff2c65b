/**
 * Scroll geometry for lists of millions of rows. Browsers cap an element's height (Chromium near
 * 16.7 M px), so the spacer is clamped and scroll position maps linearly onto the row range
 * (SlickGrid's technique): scrollTop 0 shows row 0, the largest scrollTop shows the last rows
 * flush with the bottom, and rows are placed relative to the current scrollTop.
 */
export const MAX_SCROLL_HEIGHT = 8_000_000;

export interface ScrollGeometry {
  count: number;
  rowHeight: number;
  /** Visible height of the scrolling element. */
  viewport: number;
}

export function scrollHeight(g: ScrollGeometry): number {
  return Math.min(g.count * g.rowHeight, MAX_SCROLL_HEIGHT);
}

function maxScroll(g: ScrollGeometry): number {
  return Math.max(0, scrollHeight(g) - g.viewport);
}

function maxFirstRow(g: ScrollGeometry): number {
  return Math.max(0, g.count - g.viewport / g.rowHeight);
}

/** The (fractional) row at the top of the viewport for a scroll position. */
export function firstRowAt(g: ScrollGeometry, scrollTop: number): number {
  const limit = maxScroll(g);
  if (limit <= 0) return 0;
  const top = Math.min(Math.max(0, scrollTop), limit);
  if (g.count * g.rowHeight <= MAX_SCROLL_HEIGHT) return top / g.rowHeight;
  return (top / limit) * maxFirstRow(g);
}

/** The scroll position that puts (fractional) row `first` at the top. */
export function scrollTopFor(g: ScrollGeometry, first: number): number {
  const row = Math.min(Math.max(0, first), maxFirstRow(g));
  if (g.count * g.rowHeight <= MAX_SCROLL_HEIGHT) return row * g.rowHeight;
  const rows = maxFirstRow(g);
  return rows <= 0 ? 0 : (row / rows) * maxScroll(g);
}

export interface VisibleRange {
  /** First and last (inclusive) rows to render. */
  first: number;
  last: number;
  /** Fractional row at the viewport's top. */
  top: number;
}

export function visibleRange(g: ScrollGeometry, scrollTop: number, overscan = 4): VisibleRange {
  const top = firstRowAt(g, scrollTop);
  if (g.count === 0) return { first: 0, last: -1, top };
  const first = Math.max(0, Math.floor(top) - overscan);
  const last = Math.min(g.count - 1, Math.ceil(top + g.viewport / g.rowHeight) + overscan);
  return { first, last, top };
}

/** Where row `index` sits inside the spacer for the current scroll position. */
export function rowOffset(g: ScrollGeometry, scrollTop: number, index: number): number {
  const top = firstRowAt(g, scrollTop);
  return Math.max(0, Math.min(maxScroll(g), scrollTop)) + (index - top) * g.rowHeight;
}

/** The scroll position after which `index` is fully visible, moving as little as possible. */
export function scrollToShow(g: ScrollGeometry, scrollTop: number, index: number): number {
  const top = firstRowAt(g, scrollTop);
  const rowsVisible = Math.max(1, Math.floor(g.viewport / g.rowHeight));
  if (index < top) return scrollTopFor(g, index);
  if (index + 1 > top + rowsVisible) return scrollTopFor(g, index + 1 - rowsVisible);
  return scrollTop;
}

/** Keyboard movement in a list (arrows, pages, Home/End); undefined for other keys. */
export function nextIndex(key: string, current: number, count: number, page: number): number | undefined {
  if (count === 0) return undefined;
  const from = current < 0 ? -1 : current;
  const target =
    key === 'ArrowDown'
      ? from + 1
      : key === 'ArrowUp'
        ? from - 1
        : key === 'PageDown'
          ? from + page
          : key === 'PageUp'
            ? from - page
            : key === 'Home'
              ? 0
              : key === 'End'
                ? count - 1
                : undefined;
  return target === undefined ? undefined : Math.min(count - 1, Math.max(0, target));
}
