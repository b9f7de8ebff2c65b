import { cleanup, fireEvent, render } from '@testing-library/svelte';
import { tick } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import HexView from '../../../../renderer/src/components/HexView.svelte';

afterEach(() => cleanup());

/** 40 bytes: 00 01 … 27, so a byte's text is its offset. */
const HEX = Array.from({ length: 40 }, (_, i) => i.toString(16).padStart(2, '0').toUpperCase()).join('');

function setup(highlight?: { offset: number; length: number }) {
  const picked: number[] = [];
  const view = render(HexView, {
    props: { hex: HEX, onpick: (offset: number) => picked.push(offset), ...(highlight ? { highlight } : {}) },
  });
  const grid = view.getByRole('grid');
  const cell = (offset: number): HTMLElement => view.container.querySelector<HTMLElement>(`[data-offset="${offset}"]`)!;
  const focusedOffset = (): number => Number((document.activeElement as HTMLElement).dataset.offset);
  const press = async (key: string, init: KeyboardEventInit = {}): Promise<void> => {
    await fireEvent.keyDown(document.activeElement!, { key, ...init });
    await tick();
  };
  return { view, grid, cell, focusedOffset, press, picked };
}

describe('HexView keyboard', () => {
  it('is one Tab stop, on the first byte of the lit field (or the first byte)', () => {
    const plain = setup();
    const tabbable = (grid: HTMLElement) =>
      [...grid.querySelectorAll<HTMLElement>('button, [tabindex]:not([tabindex="-1"])')].map((e) => e.dataset.offset);
    expect(tabbable(plain.grid)).toEqual(['0']);
    cleanup();
    const lit = setup({ offset: 20, length: 4 });
    expect(tabbable(lit.grid)).toEqual(['20']);
  });

  it('moves by byte and by line with the arrows, picking the byte it reaches', async () => {
    const { cell, focusedOffset, press, picked } = setup();
    cell(0).focus();
    await press('ArrowRight');
    expect(focusedOffset()).toBe(1);
    await press('ArrowDown');
    expect(focusedOffset()).toBe(17);
    await press('ArrowDown');
    expect(focusedOffset()).toBe(33);
    await press('ArrowDown'); // no line below holds byte 49: stays
    expect(focusedOffset()).toBe(33);
    await press('ArrowLeft');
    await press('ArrowLeft'); // 31: wraps to the line above
    expect(focusedOffset()).toBe(31);
    await press('ArrowUp');
    expect(focusedOffset()).toBe(15);
    expect(picked).toEqual([1, 17, 33, 32, 31, 15]);
    expect(cell(15).tabIndex).toBe(0);
    expect(cell(0).tabIndex).toBe(-1);
  });

  it('Home/End go to the line ends, Ctrl+Home/End to the first and last byte, Page keys eight lines', async () => {
    const { cell, focusedOffset, press } = setup();
    cell(18).focus();
    await press('End');
    expect(focusedOffset()).toBe(31);
    await press('Home');
    expect(focusedOffset()).toBe(16);
    await press('End', { ctrlKey: true });
    expect(focusedOffset()).toBe(39);
    await press('Home', { ctrlKey: true });
    expect(focusedOffset()).toBe(0);
    await press('PageDown');
    expect(focusedOffset()).toBe(39);
    await press('PageUp');
    expect(focusedOffset()).toBe(0);
  });

  it('a click picks the byte and makes it the Tab stop; a field lit from outside takes the Tab stop', async () => {
    const { view, cell, picked } = setup();
    await fireEvent.click(cell(9));
    expect(picked).toEqual([9]);
    expect(cell(9).tabIndex).toBe(0);
    await view.rerender({ highlight: { offset: 24, length: 2 } });
    expect(cell(24).tabIndex).toBe(0);
    expect(cell(9).tabIndex).toBe(-1);
    // A field around the Tab stop leaves it where it is.
    await view.rerender({ highlight: { offset: 20, length: 8 } });
    expect(cell(24).tabIndex).toBe(0);
  });
});
