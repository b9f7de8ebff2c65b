/**
 * What a key does in a tree (the WAI-ARIA tree pattern), as a pure function of the tree, which
 * branches are open and the focused node: DecodeTree only applies the answer.
 */

export interface TreeShape<N> {
  children?: readonly N[] | undefined;
  label: string;
}

export interface TreeIndex<N> {
  parent: Map<N, N | undefined>;
  /** The list a node sits in (its siblings and itself). */
  siblings: Map<N, readonly N[]>;
}

export function indexTree<N extends TreeShape<N>>(roots: readonly N[]): TreeIndex<N> {
  const parent = new Map<N, N | undefined>();
  const siblings = new Map<N, readonly N[]>();
  const walk = (list: readonly N[], above: N | undefined): void => {
    for (const node of list) {
      parent.set(node, above);
      siblings.set(node, list);
      if (node.children) walk(node.children, node);
    }
  };
  walk(roots, undefined);
  return { parent, siblings };
}

/** The nodes a reader sees, top to bottom: a closed branch hides everything below it. */
export function visibleNodes<N extends TreeShape<N>>(roots: readonly N[], isOpen: (node: N) => boolean): N[] {
  const out: N[] = [];
  const walk = (list: readonly N[]): void => {
    for (const node of list) {
      out.push(node);
      if (node.children && isOpen(node)) walk(node.children);
    }
  };
  walk(roots);
  return out;
}

export type TreeKeyAction<N> = { kind: 'move'; to: N } | { kind: 'open'; nodes: N[] } | { kind: 'close'; node: N } | { kind: 'select' };

export interface TreeState<N> {
  visible: readonly N[];
  index: TreeIndex<N>;
  isOpen: (node: N) => boolean;
}

/** The action for `key` on the focused node `current`, or undefined when the key is not the tree's. */
export function treeKeyAction<N extends TreeShape<N>>(key: string, current: N, state: TreeState<N>): TreeKeyAction<N> | undefined {
  const { visible, index, isOpen } = state;
  const at = visible.indexOf(current);
  const move = (to: N | undefined): TreeKeyAction<N> | undefined => (to && to !== current ? { kind: 'move', to } : undefined);
  const branch = current.children !== undefined && current.children.length > 0;
  switch (key) {
    case 'ArrowDown':
      return move(visible[at + 1]);
    case 'ArrowUp':
      return move(visible[at - 1]);
    case 'Home':
      return move(visible[0]);
    case 'End':
      return move(visible[visible.length - 1]);
    case 'ArrowRight':
      if (!branch) return undefined;
      return isOpen(current) ? move(current.children![0]) : { kind: 'open', nodes: [current] };
    case 'ArrowLeft':
      if (branch && isOpen(current)) return { kind: 'close', node: current };
      return move(index.parent.get(current));
    case 'Enter':
    case ' ':
      return { kind: 'select' };
    case '*': {
      const closed = (index.siblings.get(current) ?? []).filter((n) => n.children && n.children.length > 0 && !isOpen(n));
      return closed.length > 0 ? { kind: 'open', nodes: closed } : undefined;
    }
    default:
      return key.length === 1 && key.trim() !== '' ? move(nextStartingWith(visible, at, key)) : undefined;
  }
}

/** Type-ahead: the next visible node (after the focused one, wrapping) whose label starts with `letter`. */
function nextStartingWith<N extends TreeShape<N>>(visible: readonly N[], at: number, letter: string): N | undefined {
  const wanted = letter.toLowerCase();
  for (let step = 1; step <= visible.length; step++) {
    const node = visible[(at + step) % visible.length]!;
    if (node.label.trimStart().toLowerCase().startsWith(wanted)) return node;
  }
  return undefined;
}
