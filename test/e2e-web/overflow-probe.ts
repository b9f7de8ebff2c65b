/**
 * Runs in the page: finds text that does not fit the card it sits in. A card is a framed box
 * (a border on every side and rounded corners) that is not a form control. An overflow is
 *   - a card, or an element with text of its own, whose content is wider than its box
 *     (scrollWidth > clientWidth) where nothing scrolls or ellipsises it on purpose, or
 *   - a line of text that runs past its card's right edge.
 * Regions that scroll on purpose (overflow-x auto/scroll: the hex pane, long lists) are the
 * user's to scroll and are not counted, nor is text an ellipsis shortens.
 */
export interface Overflow {
  where: string;
  text: string;
  /** How many CSS pixels stick out. */
  by: number;
}

export function findOverflows(rootSelector: string): Overflow[] {
  const root = document.querySelector(rootSelector);
  if (!root) throw new Error(`no ${rootSelector} in the page`);
  const CONTROLS = new Set(['INPUT', 'SELECT', 'TEXTAREA', 'BUTTON', 'OPTION', 'PROGRESS']);
  const px = (value: string): number => parseFloat(value) || 0;
  const scrolls = (style: CSSStyleDeclaration): boolean => style.overflowX === 'auto' || style.overflowX === 'scroll';
  const visible = (element: Element): boolean => {
    const rect = element.getBoundingClientRect();
    return rect.width > 0 && rect.height > 0 && getComputedStyle(element).visibility !== 'hidden';
  };
  const isCard = (element: Element): boolean => {
    if (CONTROLS.has(element.tagName) || !visible(element)) return false;
    const s = getComputedStyle(element);
    const framed = ['Top', 'Right', 'Bottom', 'Left'].every(
      (side) =>
        px(s.getPropertyValue(`border-${side.toLowerCase()}-width`)) > 0 &&
        s.getPropertyValue(`border-${side.toLowerCase()}-style`) !== 'none',
    );
    return framed && px(s.borderTopLeftRadius) >= 4;
  };
  const describe = (element: Element): string => {
    const id = element.id ? `#${element.id}` : '';
    const classes = [...element.classList]
      .filter((c) => !c.startsWith('svelte-'))
      .map((c) => `.${c}`)
      .join('');
    const label = element.getAttribute('aria-label');
    return `${element.tagName.toLowerCase()}${id}${classes}${label ? `[aria-label="${label}"]` : ''}`;
  };
  const snippet = (element: Element): string => (element.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 80);
  /** An ancestor between element and card (exclusive) that scrolls sideways or clips with an ellipsis. */
  const handledBetween = (element: Element, card: Element): boolean => {
    for (let e: Element | null = element; e && e !== card; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (scrolls(s) || s.textOverflow === 'ellipsis') return true;
    }
    return false;
  };

  const overflows: Overflow[] = [];
  const cards = [...root.querySelectorAll('*')].filter(isCard);
  for (const card of cards) {
    const s = getComputedStyle(card);
    if (!scrolls(s) && card.scrollWidth > card.clientWidth + 1) {
      overflows.push({ where: `card ${describe(card)}`, text: snippet(card), by: card.scrollWidth - card.clientWidth });
    }
    const box = card.getBoundingClientRect();
    const right = box.right - px(s.borderRightWidth);
    const walker = document.createTreeWalker(card, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!parent || !node.textContent?.trim() || !visible(parent)) continue;
      // Text inside a nested card is that card's to hold.
      if (cards.some((inner) => inner !== card && card.contains(inner) && inner.contains(parent))) continue;
      if (handledBetween(parent, card)) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const sticking = Math.max(0, ...[...range.getClientRects()].map((r) => r.right - right));
      if (sticking > 1)
        overflows.push({ where: `text in ${describe(parent)} (card ${describe(card)})`, text: snippet(parent), by: Math.round(sticking) });
      const ps = getComputedStyle(parent);
      if (
        ps.display !== 'inline' &&
        parent.clientWidth > 0 &&
        parent.scrollWidth > parent.clientWidth + 1 &&
        ps.textOverflow !== 'ellipsis' &&
        !scrolls(ps)
      ) {
        overflows.push({
          where: `${describe(parent)} (card ${describe(card)})`,
          text: snippet(parent),
          by: parent.scrollWidth - parent.clientWidth,
        });
      }
    }
  }
  // One line per place, the worst first.
  const seen = new Set<string>();
  return overflows
    .sort((a, b) => b.by - a.by)
    .filter((o) => {
      const key = `${o.where} ${o.text}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}
