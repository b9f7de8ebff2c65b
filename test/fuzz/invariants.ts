/**
 * What every decoder of untrusted bytes promises, checked on each fuzz input (not only "did not
 * throw"): every decoded node lies inside the bytes it describes, and what the decoder keeps is
 * bounded by the size of its input. Time relative to size is checked by the long-running fuzzer,
 * where a wall clock belongs; these checks are deterministic and run in the unit tier too.
 */
import type { DissectNode } from '#core/dissect/node.js';

/** A decode tree and the absolute byte range it describes. */
export interface DecodedTree {
  node: DissectNode | readonly DissectNode[];
  start: number;
  end: number;
}

/** What a target reports after decoding one input. */
export interface FuzzObservation {
  trees: DecodedTree[];
  /** Everything the decoder returned (walked to estimate what it keeps in memory). */
  kept: unknown;
  /** Kept bytes allowed per input byte, when the target's decoders earn a budget other than the default. */
  keptPerInputByte?: number;
  /** A fixed allowance other than the default, for a decoder whose lists are capped by count rather than by input size. */
  keptAllowance?: number;
}

/**
 * Kept-size budget: a decoder may keep a fixed allowance plus a multiple of its input. The
 * multiple is generous (decode trees carry labels: a 10-byte CCID header becomes a dozen labelled
 * nodes, ~90 estimated bytes per input byte on the real seeds); what it rules out is growth
 * that a length field or a count in the input chooses (a 4 GiB dwLength, a million descriptors).
 */
export const KEPT_BYTES_PER_INPUT_BYTE = 256;
export const KEPT_BYTES_ALLOWANCE = 256 * 1024;
/** Nodes per input byte: a node needs at least one byte to describe, plus a few per structure. */
export const NODES_PER_INPUT_BYTE = 8;
export const NODES_ALLOWANCE = 64;
/** The estimate walks at most this many values, so a hostile result cannot make the check itself slow. */
const WALK_LIMIT = 5_000_000;

export function invariantViolations(input: Uint8Array, observation: FuzzObservation): string[] {
  const violations: string[] = [];
  let nodes = 0;
  for (const tree of observation.trees) {
    const roots = Array.isArray(tree.node) ? (tree.node as readonly DissectNode[]) : [tree.node as DissectNode];
    const stack = [...roots];
    while (stack.length > 0 && violations.length < 5) {
      const node = stack.pop()!;
      nodes++;
      const { offset, length } = node;
      if (!Number.isInteger(offset) || !Number.isInteger(length) || length < 0) {
        violations.push(`${node.id} has offset ${offset} length ${length}`);
      } else if (offset < tree.start || offset + length > tree.end) {
        violations.push(`${node.id} covers ${offset}..${offset + length}, outside its input ${tree.start}..${tree.end}`);
      }
      if (node.children) stack.push(...node.children);
    }
  }
  const nodeBudget = NODES_PER_INPUT_BYTE * input.length + NODES_ALLOWANCE;
  if (nodes > nodeBudget) violations.push(`${nodes} nodes for ${input.length} input bytes (budget ${nodeBudget})`);
  const kept = keptBytes(observation.kept);
  const keptBudget =
    (observation.keptPerInputByte ?? KEPT_BYTES_PER_INPUT_BYTE) * input.length + (observation.keptAllowance ?? KEPT_BYTES_ALLOWANCE);
  if (kept > keptBudget) violations.push(`keeps ~${kept} bytes for ${input.length} input bytes (budget ${keptBudget})`);
  return violations;
}

/**
 * A rough, deterministic estimate of what a value keeps alive: 16 bytes per object slot, string
 * length, typed array byte length (views share memory, so this over-counts — the safe side).
 */
export function keptBytes(value: unknown): number {
  let total = 0;
  let walked = 0;
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    if (++walked > WALK_LIMIT) return Number.POSITIVE_INFINITY;
    const item = stack.pop();
    if (typeof item === 'string') total += item.length;
    else if (typeof item === 'bigint') total += 16;
    if (item === null || typeof item !== 'object') {
      total += 8;
      continue;
    }
    if (seen.has(item)) continue;
    seen.add(item);
    if (ArrayBuffer.isView(item)) {
      total += item.byteLength + 16;
      continue;
    }
    if (item instanceof Map) {
      for (const [k, v] of item) stack.push(k, v);
      total += 16 * item.size;
      continue;
    }
    if (item instanceof Set) {
      for (const v of item) stack.push(v);
      total += 16 * item.size;
      continue;
    }
    const values = Object.values(item);
    total += 16 * values.length;
    for (const v of values) stack.push(v);
  }
  return total;
}
