/**
 * Tolerant BER-TLV (ISO/IEC 8825-1 as profiled by ISO 7816-4 and EMV Book 3 annex B).
 *
 * Real cards send imperfect TLV: padding between objects, lengths that run past the end of a
 * response, long-form lengths where short would do. The parser keeps whatever it could read and
 * attaches a problem to the object that went wrong, so a tree can still be shown. Hard limits
 * (depth, node count, tag size) keep hostile input from costing more than the bytes it carries.
 */
import { concatBytes } from '../bytes/concat.js';
import { toHex } from '../bytes/hex.js';
import { field, problem, type DissectNode, type Problem } from '../dissect/node.js';

export type TagClass = 'universal' | 'application' | 'context' | 'private';

export interface TlvObject {
  /** Tag bytes as one big-endian number: 0x9F36, 0x5F2D, 0x6F. At most 4 tag bytes. */
  tag: number;
  /** Uppercase hex of the tag bytes, e.g. '9F36' (also what dictionaries are keyed by). */
  tagHex: string;
  tagClass: TagClass;
  constructed: boolean;
  /** Absolute offset of the first tag byte. */
  offset: number;
  tagLength: number;
  lengthLength: number;
  /** The declared length; undefined for the indefinite form (0x80). */
  declaredLength: number | undefined;
  /** Absolute offset of the first value byte. */
  valueOffset: number;
  /** The value bytes actually present (a view; shorter than declaredLength when truncated). */
  value: Uint8Array;
  /** Total bytes this object spans in the buffer (tag + length + value present [+ end-of-contents]). */
  totalLength: number;
  children?: TlvObject[];
  problem?: Problem;
}

export interface BerTlvOptions {
  /** Absolute offset of bytes[0] (for offsets in the packet the TLV sits in). */
  base?: number;
  /** Maximum nesting of constructed objects; deeper ones are kept as primitive values. */
  maxDepth?: number;
  /** Maximum number of objects decoded in total; the rest is reported, not decoded. */
  maxNodes?: number;
  /** Skip 00 and FF bytes between objects (EMV Book 3 annex B allows them). Default true. */
  allowPadding?: boolean;
}

export interface BerTlvResult {
  objects: TlvObject[];
  /** Every problem found, in order (each is also attached to its object when there is one). */
  problems: Problem[];
  /** Bytes skipped as padding between objects. */
  paddingBytes: number;
  /** True when the whole buffer was consumed without any problem. */
  clean: boolean;
}

export const DEFAULT_TLV_MAX_DEPTH = 16;
export const DEFAULT_TLV_MAX_NODES = 4096;
/** Tags longer than this are not used by any card standard; stop there instead of eating the buffer. */
const MAX_TAG_BYTES = 4;

interface ParseState {
  bytes: Uint8Array;
  base: number;
  maxDepth: number;
  maxNodes: number;
  allowPadding: boolean;
  nodes: number;
  problems: Problem[];
  paddingBytes: number;
  stopped: boolean;
}

export function parseBerTlv(bytes: Uint8Array, options: BerTlvOptions = {}): BerTlvResult {
  const state: ParseState = {
    bytes,
    base: options.base ?? 0,
    maxDepth: options.maxDepth ?? DEFAULT_TLV_MAX_DEPTH,
    maxNodes: options.maxNodes ?? DEFAULT_TLV_MAX_NODES,
    allowPadding: options.allowPadding ?? true,
    nodes: 0,
    problems: [],
    paddingBytes: 0,
    stopped: false,
  };
  const { objects } = parseSequence(state, 0, bytes.length, 0, false);
  return { objects, problems: state.problems, paddingBytes: state.paddingBytes, clean: state.problems.length === 0 };
}

/**
 * Parses objects in [start, end). In an indefinite-length parent, stops after the 00 00
 * end-of-contents marker and reports where it ended.
 */
function parseSequence(
  state: ParseState,
  start: number,
  end: number,
  depth: number,
  indefinite: boolean,
): { objects: TlvObject[]; next: number; sawEndOfContents: boolean } {
  const objects: TlvObject[] = [];
  let pos = start;
  while (pos < end) {
    const b = state.bytes[pos]!;
    if (indefinite && b === 0x00 && pos + 1 < end && state.bytes[pos + 1] === 0x00) {
      return { objects, next: pos + 2, sawEndOfContents: true };
    }
    // In an indefinite-length parent a lone 00 would be ambiguous with end-of-contents.
    if (state.allowPadding && (b === 0xff || (b === 0x00 && !indefinite))) {
      state.paddingBytes++;
      pos++;
      continue;
    }
    if (state.nodes >= state.maxNodes) {
      if (!state.stopped) {
        state.problems.push(problem('too-many-nodes', `more than ${state.maxNodes} TLV objects: the rest is not decoded`));
        state.stopped = true;
      }
      return { objects, next: end, sawEndOfContents: false };
    }
    if (state.stopped) return { objects, next: end, sawEndOfContents: false };
    const parsed = parseObject(state, pos, end, depth);
    objects.push(parsed.object);
    pos = parsed.next;
    if (parsed.fatal) return { objects, next: end, sawEndOfContents: false };
  }
  return { objects, next: pos, sawEndOfContents: false };
}

/** Returns the object and the position after it; `fatal` when the rest of the range cannot be framed. */
function parseObject(state: ParseState, start: number, end: number, depth: number): { object: TlvObject; next: number; fatal: boolean } {
  state.nodes++;
  const { bytes, base } = state;
  const first = bytes[start]!;
  const tagClass = TAG_CLASSES[first >> 6]!;
  const constructed = (first & 0x20) !== 0;
  let pos = start + 1;
  let tag = first;
  let fault: Problem | undefined;

  if ((first & 0x1f) === 0x1f) {
    // Subsequent tag bytes: b8 = 1 means another byte follows.
    for (;;) {
      if (pos >= end) {
        fault = problem('truncated', 'tag runs past the end of the data');
        break;
      }
      if (pos - start >= MAX_TAG_BYTES) {
        fault = problem('tag-too-long', `tag longer than ${MAX_TAG_BYTES} bytes`);
        break;
      }
      const next = bytes[pos++]!;
      tag = tag * 256 + next;
      if ((next & 0x80) === 0) break;
    }
  }
  const tagLength = pos - start;
  const tagHex = toHex(bytes.subarray(start, pos));
  const partial = (problemFound: Problem): { object: TlvObject; next: number; fatal: boolean } => {
    state.problems.push(problemFound);
    const object: TlvObject = {
      tag,
      tagHex,
      tagClass,
      constructed,
      offset: base + start,
      tagLength,
      lengthLength: pos - start - tagLength,
      declaredLength: undefined,
      valueOffset: base + pos,
      value: bytes.subarray(pos, pos),
      totalLength: pos - start,
      problem: problemFound,
    };
    return { object, next: end, fatal: true };
  };
  if (fault) return partial(fault);

  if (pos >= end) return partial(problem('truncated', `tag ${tagHex} has no length byte`));
  const lengthByte = bytes[pos++]!;
  let declaredLength: number | undefined;
  if (lengthByte < 0x80) {
    declaredLength = lengthByte;
  } else if (lengthByte === 0x80) {
    if (!constructed) {
      return partial(problem('indefinite-length', `tag ${tagHex}: indefinite length (80) is only allowed for constructed objects`));
    }
    declaredLength = undefined;
  } else {
    const count = lengthByte & 0x7f;
    if (count > 4) return partial(problem('bad-length', `tag ${tagHex}: length field of ${count} bytes is not supported`));
    if (pos + count > end) return partial(problem('truncated', `tag ${tagHex}: length field runs past the end of the data`));
    let value = 0;
    for (let i = 0; i < count; i++) value = value * 256 + bytes[pos++]!;
    declaredLength = value;
  }
  const lengthLength = pos - start - tagLength;
  const valueStart = pos;

  const object: TlvObject = {
    tag,
    tagHex,
    tagClass,
    constructed,
    offset: base + start,
    tagLength,
    lengthLength,
    declaredLength,
    valueOffset: base + valueStart,
    value: bytes.subarray(valueStart, valueStart),
    totalLength: 0,
  };
  const attach = (p: Problem): void => {
    state.problems.push(p);
    object.problem ??= p;
  };

  if (declaredLength === undefined) {
    // Indefinite constructed: children up to the end-of-contents marker.
    if (depth + 1 > state.maxDepth) {
      attach(problem('too-deep', `tag ${tagHex}: nesting deeper than ${state.maxDepth}`));
      object.value = bytes.subarray(valueStart, end);
      object.totalLength = end - start;
      return { object, next: end, fatal: true };
    }
    const inner = parseSequence(state, valueStart, end, depth + 1, true);
    object.children = inner.objects;
    const valueEnd = inner.sawEndOfContents ? inner.next - 2 : inner.next;
    object.value = bytes.subarray(valueStart, valueEnd);
    object.totalLength = inner.next - start;
    if (!inner.sawEndOfContents && !state.stopped) {
      attach(problem('truncated', `tag ${tagHex}: indefinite length without end-of-contents (00 00)`));
    }
    return { object, next: inner.next, fatal: !inner.sawEndOfContents };
  }

  const available = end - valueStart;
  const present = Math.min(declaredLength, available);
  const valueEnd = valueStart + present;
  object.value = bytes.subarray(valueStart, valueEnd);
  object.totalLength = valueEnd - start;
  if (declaredLength > available) {
    attach(problem('truncated', `tag ${tagHex}: length ${declaredLength} but only ${available} byte(s) left`));
  }
  if (constructed && present > 0) {
    if (depth + 1 > state.maxDepth) {
      attach(problem('too-deep', `tag ${tagHex}: nesting deeper than ${state.maxDepth}; kept as raw value`));
    } else {
      object.children = parseSequence(state, valueStart, valueEnd, depth + 1, false).objects;
    }
  }
  return { object, next: valueEnd, fatal: false };
}

const TAG_CLASSES: readonly TagClass[] = ['universal', 'application', 'context', 'private'];

/**
 * Heuristic for "show this response as a TLV tree": the whole buffer parses cleanly into at
 * least one object, without padding-only content. Random bytes rarely pass: a wrong length
 * anywhere makes the framing fail.
 */
export function looksLikeBerTlv(bytes: Uint8Array): boolean {
  if (bytes.length < 2) return false;
  const first = bytes[0]!;
  // Leading padding is legal in EMV, but a buffer that starts with it is more likely not TLV.
  if (first === 0x00 || first === 0xff) return false;
  const result = parseBerTlv(bytes, { maxNodes: 1024 });
  return result.clean && result.objects.length > 0;
}

export interface TlvNodeOptions {
  /** Names a tag for the tree label ('Application Label'); parent is the enclosing tag if any. */
  tagName?: (tag: number, parent: number | undefined) => string | undefined;
  /** Field id prefix, default 'tlv'. */
  idPrefix?: string;
  /**
   * false: one line per TLV (tag, name, length and value in its label; a constructed TLV's
   * children are TLVs only). Default true: each TLV also has Tag, Length and Value children.
   */
  parts?: boolean;
}

/** Turns parsed objects into dissect nodes: one node per object with tag/length/value children. */
export function berTlvNodes(objects: readonly TlvObject[], options: TlvNodeOptions = {}, parent?: number): DissectNode[] {
  const prefix = options.idPrefix ?? 'tlv';
  return objects.map((object) => {
    const name = options.tagName?.(object.tag, parent);
    const lengthText = object.declaredLength === undefined ? 'indefinite' : String(object.declaredLength);
    const label = `${object.tagHex}${name ? ` ${name}` : ''} (${lengthText})${
      object.constructed || object.value.length === 0 ? '' : `: ${summarizeValue(object.value)}`
    }`;
    const parts = options.parts !== false;
    const children: DissectNode[] = parts
      ? [field(`${prefix}.tag`, `Tag: ${object.tagHex}${name ? ` (${name})` : ''}`, object.offset, object.tagLength, object.tag)]
      : [];
    if (parts && object.lengthLength > 0) {
      children.push(
        field(
          `${prefix}.length`,
          `Length: ${lengthText}`,
          object.offset + object.tagLength,
          object.lengthLength,
          object.declaredLength ?? 'indefinite',
        ),
      );
    }
    if (object.children && object.children.length > 0) {
      children.push(...berTlvNodes(object.children, options, object.tag));
    } else if (parts && object.value.length > 0) {
      children.push(
        field(`${prefix}.value`, `Value: ${toHex(object.value, ' ')}`, object.valueOffset, object.value.length, toHex(object.value)),
      );
    }
    const node = field(`${prefix}.object`, label, object.offset, object.totalLength, object.tagHex, children);
    if (object.problem) node.problem = object.problem;
    return node;
  });
}

/**
 * A decode tree with its BER-TLV objects (berTlvNodes' `*.object` nodes) shown one line per TLV,
 * as berTlvNodes gives them with `parts: false`: for trees a decoder built with the parts.
 * Other nodes are kept as they are; the input is not changed.
 */
export function tlvLines<N extends { id: string; children?: N[] | undefined }>(node: N): N {
  const children = node.children;
  if (!children) return node;
  const prefix = node.id.endsWith('.object') ? node.id.slice(0, -'.object'.length) : undefined;
  const parts = prefix === undefined ? undefined : new Set([`${prefix}.tag`, `${prefix}.length`, `${prefix}.value`]);
  const kept = children.filter((child) => !parts?.has(child.id)).map((child) => tlvLines(child));
  const out = { ...node };
  if (kept.length > 0) out.children = kept;
  else delete out.children;
  return out;
}

/** Hex of a value, with its ASCII reading when it is all printable (labels, names, language codes). */
export function summarizeValue(value: Uint8Array, maxBytes = 32): string {
  const shown = value.subarray(0, maxBytes);
  let text = toHex(shown, ' ') + (value.length > maxBytes ? ' …' : '');
  if (value.length > 0 && value.every((b) => b >= 0x20 && b < 0x7f)) {
    text += ` "${String.fromCharCode(...shown)}${value.length > maxBytes ? '…' : ''}"`;
  }
  return text;
}

export interface TlvSpec {
  /** Tag as a big-endian number (0x9F36); its bytes say whether it is constructed. */
  tag: number;
  value?: Uint8Array;
  children?: TlvSpec[];
}

/** Encodes definite-length BER-TLV with minimal lengths (the form EMV and ISO 7816 cards send). */
export function encodeBerTlv(objects: readonly TlvSpec[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const object of objects) {
    const value = object.children ? encodeBerTlv(object.children) : (object.value ?? new Uint8Array(0));
    parts.push(tagBytes(object.tag), lengthBytes(value.length), value);
  }
  return concatBytes(parts);
}

export function tagBytes(tag: number): Uint8Array {
  if (!Number.isInteger(tag) || tag < 0 || tag > 0xffffffff) throw new RangeError(`tag ${tag} out of range`);
  const out: number[] = [];
  let rest = tag;
  do {
    out.unshift(rest & 0xff);
    rest = Math.floor(rest / 256);
  } while (rest > 0);
  return Uint8Array.from(out);
}

export function lengthBytes(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  if (length <= 0xff) return Uint8Array.of(0x81, length);
  if (length <= 0xffff) return Uint8Array.of(0x82, length >> 8, length & 0xff);
  if (length <= 0xffffff) return Uint8Array.of(0x83, length >> 16, (length >> 8) & 0xff, length & 0xff);
  return Uint8Array.of(0x84, (length >>> 24) & 0xff, (length >> 16) & 0xff, (length >> 8) & 0xff, length & 0xff);
}

/** Depth-first search for the first object with this tag. */
export function findTlv(objects: readonly TlvObject[], tag: number): TlvObject | undefined {
  for (const object of objects) {
    if (object.tag === tag) return object;
    const inner = object.children && findTlv(object.children, tag);
    if (inner) return inner;
  }
  return undefined;
}
