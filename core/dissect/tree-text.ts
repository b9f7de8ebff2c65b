/** A decode tree as indented text lines: the form reports and the CLI print a tree in. */
import type { DissectNode } from './node.js';

/** Each node's label on its own line, indented two spaces per level below `indent`. */
export function treeLines(nodes: readonly DissectNode[], indent = ''): string[] {
  const lines: string[] = [];
  const walk = (list: readonly DissectNode[], prefix: string): void => {
    for (const node of list) {
      lines.push(`${prefix}${node.label}${node.problem ? ` (problem: ${node.problem.message})` : ''}`);
      if (node.children) walk(node.children, `${prefix}  `);
    }
  };
  walk(nodes, indent);
  return lines;
}
