/**
 * The decode tree every layer emits (Wireshark's model): each node names a field by a stable id
 * (`ccid.bMessageType`), says where its bytes are, and carries a display value. The hex pane,
 * the tree and filters all key off `id`, `offset` and `length`.
 */

export type ProblemSeverity = 'warning' | 'error';

export interface Problem {
  /** Stable, machine-readable: 'truncated', 'bad-lrc', 'wrong-nr', 'length-beyond-message', … */
  code: string;
  message: string;
  severity: ProblemSeverity;
}

/** A problem found while decoding; an error unless said otherwise. */
export function problem(code: string, message: string, severity: ProblemSeverity = 'error'): Problem {
  return { code, message, severity };
}

export interface DissectNode {
  /** Field id, dotted by layer: 'usb.urb_type', 'ccid.dwLength', 'iso7816.sw'. */
  id: string;
  /** What a person reads in the tree: 'dwLength: 5'. */
  label: string;
  /** Absolute byte offset in the packet the tree belongs to. */
  offset: number;
  length: number;
  /** The raw value when it is a number, string, or bytes shown as hex elsewhere. */
  value?: number | string | bigint;
  children?: DissectNode[];
  problem?: Problem;
}

export function field(
  id: string,
  label: string,
  offset: number,
  length: number,
  value?: number | string | bigint,
  children?: DissectNode[],
): DissectNode {
  const node: DissectNode = { id, label, offset, length };
  if (value !== undefined) node.value = value;
  if (children && children.length > 0) node.children = children;
  return node;
}

/** Depth-first search for the innermost node that covers a byte (click in hex → select field). */
export function nodeAtOffset(nodes: readonly DissectNode[], offset: number): DissectNode | undefined {
  for (const node of nodes) {
    if (offset >= node.offset && offset < node.offset + node.length) {
      return (node.children && nodeAtOffset(node.children, offset)) ?? node;
    }
  }
  return undefined;
}
