import type { DissectNode } from '../dissect/node.js';

/** Dissect nodes may carry bigint values, which JSON (IPC, WebSocket, files) cannot: they become decimal strings. */
export function jsonSafeNodes(nodes: readonly DissectNode[]): DissectNode[] {
  return nodes.map((node) => {
    const copy: DissectNode = { id: node.id, label: node.label, offset: node.offset, length: node.length };
    if (node.value !== undefined) copy.value = typeof node.value === 'bigint' ? node.value.toString() : node.value;
    if (node.children) copy.children = jsonSafeNodes(node.children);
    if (node.problem) copy.problem = node.problem;
    return copy;
  });
}
