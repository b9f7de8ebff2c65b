import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import { createRawSnippet } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import type { CaptureNode } from '#core/ipc/channels/captures.js';
import { nodeAtOffset } from '#core/dissect/node.js';
import DecodeTree from '../../../../renderer/src/components/DecodeTree.svelte';
import HexView from '../../../../renderer/src/components/HexView.svelte';
import VirtualRows from '../../../../renderer/src/components/VirtualRows.svelte';
import {
  MAX_SCROLL_HEIGHT,
  firstRowAt,
  nextIndex,
  scrollHeight,
  scrollTopFor,
  visibleRange,
} from '../../../../renderer/src/components/virtual-scroll.js';

afterEach(() => cleanup());

const FIVE_MILLION = 5_000_000;
const geometry = { count: FIVE_MILLION, rowHeight: 22, viewport: 440 };

describe('virtual scroll geometry for 5,000,000 rows', () => {
  it('clamps the spacer below the browser limit and maps scroll linearly onto rows', () => {
    expect(scrollHeight(geometry)).toBe(MAX_SCROLL_HEIGHT);
    expect(firstRowAt(geometry, 0)).toBe(0);
    const maxScroll = MAX_SCROLL_HEIGHT - geometry.viewport;
    // The end of the scroll range shows the last 20 rows flush with the bottom.
    expect(firstRowAt(geometry, maxScroll)).toBeCloseTo(FIVE_MILLION - 20, 6);
    expect(firstRowAt(geometry, maxScroll / 2)).toBeCloseTo((FIVE_MILLION - 20) / 2, 6);
    const last = visibleRange(geometry, maxScroll, 0);
    expect(last.last).toBe(FIVE_MILLION - 1);
    for (const row of [0, 1, 12_345, 2_500_000, 4_999_980]) expect(firstRowAt(geometry, scrollTopFor(geometry, row))).toBeCloseTo(row, 3);
  });

  it('keeps small lists at their natural height, one row per rowHeight of scroll', () => {
    const small = { count: 100, rowHeight: 20, viewport: 200 };
    expect(scrollHeight(small)).toBe(2000);
    expect(firstRowAt(small, 400)).toBe(20);
    expect(visibleRange(small, 400, 0)).toMatchObject({ first: 20, last: 30 });
  });

  it('moves by key: arrows, pages, Home, End, clamped to the list', () => {
    expect(nextIndex('ArrowDown', -1, 10, 5)).toBe(0);
    expect(nextIndex('ArrowUp', 0, 10, 5)).toBe(0);
    expect(nextIndex('PageDown', 7, 10, 5)).toBe(9);
    expect(nextIndex('End', 0, FIVE_MILLION, 5)).toBe(FIVE_MILLION - 1);
    expect(nextIndex('Home', 77, 10, 5)).toBe(0);
    expect(nextIndex('x', 1, 10, 5)).toBeUndefined();
  });
});

const rowSnippet = createRawSnippet((index: () => number) => ({ render: () => `<span class="cell">row ${index()}</span>` }));
/** The list index of the option that shows this text. */
const optionIndexOf = (text: string): string | null | undefined =>
  screen.getByText(text).closest('[role="option"]')?.getAttribute('data-index');

describe('VirtualRows', () => {
  it('renders only the rows in view of a 5,000,000-row list, wherever it is scrolled', async () => {
    const ranges: [number, number][] = [];
    const { container } = render(VirtualRows, {
      props: {
        count: FIVE_MILLION,
        rowHeight: 22,
        viewportHeight: 440,
        label: 'big',
        row: rowSnippet,
        onrange: (a: number, b: number) => ranges.push([a, b]),
      },
    });
    const viewport = container.querySelector<HTMLDivElement>('[role="listbox"]')!;
    expect(container.querySelector<HTMLDivElement>('.spacer')!.style.height).toBe(`${MAX_SCROLL_HEIGHT}px`);
    expect(container.querySelectorAll('[role="option"]').length).toBeLessThan(40);
    expect(optionIndexOf('row 0')).toBe('0');

    viewport.scrollTop = (MAX_SCROLL_HEIGHT - 440) / 2;
    await fireEvent.scroll(viewport);
    const middle = Math.floor((FIVE_MILLION - 20) / 2);
    expect(optionIndexOf(`row ${middle}`)).toBe(String(middle));
    expect(screen.queryByText('row 0')).toBeNull();
    expect(ranges.at(-1)![0]).toBeLessThanOrEqual(middle);
    expect(ranges.at(-1)![1]).toBeGreaterThanOrEqual(middle + 19);

    viewport.scrollTop = MAX_SCROLL_HEIGHT - 440;
    await fireEvent.scroll(viewport);
    expect(optionIndexOf(`row ${FIVE_MILLION - 1}`)).toBe(String(FIVE_MILLION - 1));
    // The last row sits at the bottom of the spacer.
    const lastRow = container.querySelector<HTMLDivElement>(`[data-index="${FIVE_MILLION - 1}"]`)!;
    expect(parseFloat(lastRow.style.top) + 22).toBeCloseTo(MAX_SCROLL_HEIGHT, 3);
  });

  it('selects with the keyboard and scrolls the selection into view', async () => {
    let selected = -1;
    const { container, rerender } = render(VirtualRows, {
      props: {
        count: FIVE_MILLION,
        viewportHeight: 440,
        label: 'keys',
        row: rowSnippet,
        selected,
        onselect: (i: number) => (selected = i),
      },
    });
    const viewport = container.querySelector<HTMLDivElement>('[role="listbox"]')!;
    await fireEvent.keyDown(viewport, { key: 'ArrowDown' });
    expect(selected).toBe(0);
    await fireEvent.keyDown(viewport, { key: 'End' });
    expect(selected).toBe(FIVE_MILLION - 1);
    await rerender({ selected });
    expect(container.querySelector(`[data-index="${FIVE_MILLION - 1}"]`)?.getAttribute('aria-selected')).toBe('true');
  });
});

const TREE: CaptureNode[] = [
  {
    id: 'ccid',
    label: 'PC_to_RDR_XfrBlock',
    offset: 0,
    length: 14,
    children: [
      { id: 'ccid.bMessageType', label: 'bMessageType: 0x6F', offset: 0, length: 1 },
      { id: 'ccid.dwLength', label: 'dwLength: 4', offset: 1, length: 4 },
      {
        id: 'ccid.abData',
        label: 'abData',
        offset: 10,
        length: 4,
        children: [
          {
            id: 'iso7816.command',
            label: 'Command APDU',
            offset: 10,
            length: 4,
            children: [
              { id: 'iso7816.cla', label: 'CLA: 80', offset: 10, length: 1 },
              { id: 'iso7816.ins', label: 'INS: A8', offset: 11, length: 1 },
            ],
          },
        ],
      },
    ],
  },
];

describe('DecodeTree and HexView stay in sync', () => {
  it('lights the bytes of the selected field and selects the innermost field of a clicked byte', async () => {
    let selected: CaptureNode | undefined;
    const hex = '6F04000000000000000080A80000';
    const tree = render(DecodeTree, { props: { nodes: TREE, onselect: (n: CaptureNode) => (selected = n) } });
    await fireEvent.click(tree.getByText('dwLength: 4'));
    expect(selected?.id).toBe('ccid.dwLength');
    const hexView = render(HexView, {
      props: { hex, highlight: { offset: selected!.offset, length: selected!.length }, onpick: () => undefined },
    });
    const lit = [...hexView.container.querySelectorAll('.byte.lit')].map((b) => Number((b as HTMLElement).dataset.offset));
    expect(lit).toEqual([1, 2, 3, 4]);

    let picked = -1;
    await hexView.rerender({ onpick: (offset: number) => (picked = offset) });
    await fireEvent.click(hexView.container.querySelector('[data-offset="11"]')!);
    expect(picked).toBe(11);
    const field = nodeAtOffset(TREE, picked)!;
    expect(field.id).toBe('iso7816.ins');
    await tree.rerender({ selected: field });
    expect(tree.container.querySelector('[data-field="iso7816.ins"]')?.getAttribute('aria-selected')).toBe('true');
    expect(tree.container.querySelector('[data-field="ccid.dwLength"]')?.getAttribute('aria-selected')).toBe('false');
  });

  it('collapses a branch but keeps the selection visible', async () => {
    const tree = render(DecodeTree, { props: { nodes: TREE } });
    await fireEvent.click(tree.container.querySelector('[data-field="ccid.abData"] .twisty')!);
    expect(tree.queryByText('INS: A8')).toBeNull();
    await tree.rerender({ selected: TREE[0]!.children![2]!.children![0]!.children![1]! });
    expect(tree.getByText('INS: A8').closest('[role="treeitem"]')?.getAttribute('aria-selected')).toBe('true');
  });
});
