import { cleanup, fireEvent, render } from '@testing-library/svelte';
import { tick } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import DecodeTree from '../../../../renderer/src/components/DecodeTree.svelte';

/** DecodeTree's node shape (tsc cannot read a type out of a .svelte module). */
interface TreeNode {
  id: string;
  label: string;
  offset: number;
  length: number;
  children?: TreeNode[];
}

/** A CCID message as the capture viewer shows it: header fields, then the APDU inside abData. */
const TREE: TreeNode[] = [
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
          { id: 'iso7816.cla', label: 'CLA: 80', offset: 10, length: 1 },
          { id: 'iso7816.ins', label: 'INS: A8', offset: 11, length: 1 },
        ],
      },
    ],
  },
  { id: 'trailer', label: 'Trailer', offset: 14, length: 0 },
];

afterEach(() => cleanup());

function setup(props: { selected?: TreeNode; withSelect?: boolean } = {}) {
  const picked: string[] = [];
  const view = render(DecodeTree, {
    props: {
      nodes: TREE,
      ...(props.selected ? { selected: props.selected } : {}),
      ...(props.withSelect === false ? {} : { onselect: (node: TreeNode) => picked.push(node.id) }),
    },
  });
  const tree = view.getByRole('tree');
  const item = (id: string): HTMLElement => view.container.querySelector<HTMLElement>(`[data-field="${id}"]`)!;
  const press = async (key: string): Promise<void> => {
    await fireEvent.keyDown(document.activeElement!, { key });
    await tick();
  };
  const focusedField = (): string | undefined => (document.activeElement as HTMLElement | null)?.dataset.field;
  return { view, tree, item, press, focusedField, picked };
}

describe('DecodeTree as a tree widget', () => {
  it('is one Tab stop: one item is tabbable, nothing inside it is', () => {
    const { tree } = setup();
    const tabbable = tree.querySelectorAll('button, a[href], input, [tabindex]:not([tabindex="-1"])');
    expect([...tabbable].map((e) => (e as HTMLElement).dataset.field)).toEqual(['ccid']);
    expect(tree.querySelectorAll('[role="treeitem"][tabindex="-1"]')).toHaveLength(TREE.length + 5 - 1);
  });

  it('says where each item is: level, position in its set, open or not', () => {
    const { item } = setup();
    expect([
      item('ccid').getAttribute('aria-level'),
      item('ccid').getAttribute('aria-posinset'),
      item('ccid').getAttribute('aria-setsize'),
    ]).toEqual(['1', '1', '2']);
    const ins = item('iso7816.ins');
    expect([ins.getAttribute('aria-level'), ins.getAttribute('aria-posinset'), ins.getAttribute('aria-setsize')]).toEqual(['3', '2', '2']);
    expect(item('ccid.abData').getAttribute('aria-expanded')).toBe('true');
    expect(item('ccid.dwLength').hasAttribute('aria-expanded')).toBe(false);
  });

  it('moves with the arrows, opens and closes with → and ←, and the selection follows', async () => {
    const { item, press, focusedField, picked, view } = setup();
    item('ccid').focus();
    await press('ArrowDown');
    expect(focusedField()).toBe('ccid.bMessageType');
    await press('ArrowDown');
    await press('ArrowDown');
    expect(focusedField()).toBe('ccid.abData');
    await press('ArrowLeft'); // open → closes
    expect(item('ccid.abData').getAttribute('aria-expanded')).toBe('false');
    expect(view.queryByText('INS: A8')).toBeNull();
    expect(focusedField()).toBe('ccid.abData');
    await press('ArrowDown'); // past the closed branch
    expect(focusedField()).toBe('trailer');
    await press('ArrowUp');
    await press('ArrowRight'); // closed → opens, stays
    expect(item('ccid.abData').getAttribute('aria-expanded')).toBe('true');
    expect(focusedField()).toBe('ccid.abData');
    await press('ArrowRight'); // open → first child
    expect(focusedField()).toBe('iso7816.cla');
    await press('ArrowLeft'); // a leaf → its parent
    expect(focusedField()).toBe('ccid.abData');
    await press('End');
    expect(focusedField()).toBe('trailer');
    await press('Home');
    expect(focusedField()).toBe('ccid');
    expect(picked).toEqual([
      'ccid.bMessageType',
      'ccid.dwLength',
      'ccid.abData',
      'trailer',
      'ccid.abData',
      'iso7816.cla',
      'ccid.abData',
      'trailer',
      'ccid',
    ]);
    // The Tab stop went along.
    expect(item('ccid').tabIndex).toBe(0);
    expect(item('trailer').tabIndex).toBe(-1);
  });

  it('moves focus without selecting where nobody listens, and Enter selects where someone does', async () => {
    const quiet = setup({ withSelect: false });
    quiet.item('ccid').focus();
    await quiet.press('ArrowDown');
    expect(quiet.focusedField()).toBe('ccid.bMessageType');
    expect(quiet.item('ccid.bMessageType').getAttribute('aria-selected')).toBe('false');
    cleanup();
    const { item, press, picked } = setup();
    item('ccid.dwLength').focus();
    await press('Enter');
    await press(' ');
    expect(picked).toEqual(['ccid.dwLength', 'ccid.dwLength']);
  });

  it('* opens every sibling; a letter jumps to the next item starting with it', async () => {
    const { item, press, focusedField } = setup();
    await fireEvent.click(item('ccid.abData').querySelector('.twisty')!);
    expect(item('ccid.abData').getAttribute('aria-expanded')).toBe('false');
    item('ccid.dwLength').focus();
    await press('*');
    expect(item('ccid.abData').getAttribute('aria-expanded')).toBe('true');
    await press('t');
    expect(focusedField()).toBe('trailer');
    await press('b');
    expect(focusedField()).toBe('ccid.bMessageType');
  });

  it('opens the branches above a selection made elsewhere (a hex byte) and makes it the Tab stop', async () => {
    const { item, view } = setup();
    await fireEvent.click(item('ccid.abData').querySelector('.twisty')!);
    expect(view.queryByText('INS: A8')).toBeNull();
    await view.rerender({ selected: TREE[0]!.children![2]!.children![1]! });
    await tick();
    expect(item('iso7816.ins').getAttribute('aria-selected')).toBe('true');
    expect(item('iso7816.ins').tabIndex).toBe(0);
    // Still closable by the user afterwards.
    item('ccid.abData').focus();
    await fireEvent.keyDown(item('ccid.abData'), { key: 'ArrowLeft' });
    expect(item('ccid.abData').getAttribute('aria-expanded')).toBe('false');
  });
});
