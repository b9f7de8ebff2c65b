import { cleanup, fireEvent, render } from '@testing-library/svelte';
import { createRawSnippet } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import Splitter from '../../../../renderer/src/components/Splitter.svelte';
import { fractionBounds, fractionForKey } from '../../../../renderer/src/components/splitter-size.js';

afterEach(() => cleanup());

const pane = (text: string) => createRawSnippet(() => ({ render: () => `<section>${text}</section>` }));

function setup(props: { direction: 'row' | 'column'; initial?: number; name?: string }) {
  const view = render(Splitter, {
    props: { label: 'Resize the list and the decode', first: pane('list'), second: pane('decode'), ...props },
  });
  const divider = view.getByRole('separator', { name: 'Resize the list and the decode' });
  const split = view.container.querySelector<HTMLElement>('.split')!;
  return { view, divider, split };
}

describe('Splitter', () => {
  it('is a focusable separator saying its orientation and where it is', () => {
    const { divider, split } = setup({ direction: 'row', initial: 0.6 });
    expect(divider.tabIndex).toBe(0);
    expect(divider.getAttribute('aria-orientation')).toBe('vertical');
    expect(divider.getAttribute('aria-valuenow')).toBe('60');
    expect(split.style.getPropertyValue('--first')).toBe('0.6fr');
    expect(split.textContent?.replace(/\s+/g, ' ').trim()).toBe('list decode');
  });

  it('moves with the keys of its axis only, Enter goes back to the first size', async () => {
    const { divider, split } = setup({ direction: 'column', initial: 0.5 });
    expect(divider.getAttribute('aria-orientation')).toBe('horizontal');
    await fireEvent.keyDown(divider, { key: 'ArrowDown' });
    expect(divider.getAttribute('aria-valuenow')).toBe('55');
    await fireEvent.keyDown(divider, { key: 'ArrowRight' });
    expect(divider.getAttribute('aria-valuenow')).toBe('55');
    await fireEvent.keyDown(divider, { key: 'ArrowUp' });
    await fireEvent.keyDown(divider, { key: 'ArrowUp' });
    expect(divider.getAttribute('aria-valuenow')).toBe('45');
    expect(split.style.getPropertyValue('--second')).toBe('0.55fr');
    await fireEvent.keyDown(divider, { key: 'Enter' });
    expect(divider.getAttribute('aria-valuenow')).toBe('50');
  });

  it('remembers a named size when it is built again (a tab shown again)', async () => {
    const first = setup({ direction: 'row', initial: 0.5, name: 'test-remembered' });
    await fireEvent.keyDown(first.divider, { key: 'ArrowLeft' });
    cleanup();
    const again = setup({ direction: 'row', initial: 0.5, name: 'test-remembered' });
    expect(again.divider.getAttribute('aria-valuenow')).toBe('45');
  });
});

describe('splitter sizes', () => {
  it('keep each pane its minimum', () => {
    expect(fractionBounds(1000, 100)).toEqual({ min: 0.1, max: 0.9 });
    expect(fractionBounds(150, 100)).toEqual({ min: 0.5, max: 0.5 });
    expect(fractionBounds(0, 100)).toEqual({ min: 0.1, max: 0.9 });
    const bounds = fractionBounds(1000, 100);
    expect(fractionForKey('Home', 'row', 0.5, bounds, 0.5)).toBe(0.1);
    expect(fractionForKey('End', 'row', 0.5, bounds, 0.5)).toBe(0.9);
    expect(fractionForKey('ArrowLeft', 'row', 0.12, bounds, 0.5)).toBe(0.1);
    expect(fractionForKey('a', 'row', 0.5, bounds, 0.5)).toBeUndefined();
  });
});
