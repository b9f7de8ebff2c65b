/**
 * Reads a CCID structure field by field into dissect nodes without ever throwing: a field that
 * does not fit sets `truncated` and returns undefined, so decoders keep what was there.
 */
import type { ByteReader } from '../bytes/byte-reader.js';
import { toHex } from '../bytes/hex.js';
import { field, type DissectNode } from '../dissect/node.js';

export class FieldCursor {
  readonly nodes: DissectNode[] = [];
  /** Name of the first field that did not fit. */
  truncatedAt: string | undefined;

  constructor(
    readonly reader: ByteReader,
    private readonly prefix: string,
  ) {}

  get truncated(): boolean {
    return this.truncatedAt !== undefined;
  }

  u8(name: string, display?: (value: number) => string): number | undefined {
    return this.number(name, 1, () => this.reader.u8(), display);
  }

  u16le(name: string, display?: (value: number) => string): number | undefined {
    return this.number(name, 2, () => this.reader.u16le(), display);
  }

  u32le(name: string, display?: (value: number) => string): number | undefined {
    return this.number(name, 4, () => this.reader.u32le(), display);
  }

  /** A byte run (view, no copy), shown as hex; undefined when it does not fit. */
  bytes(name: string, count: number, label?: string): { offset: number; bytes: Uint8Array } | undefined {
    if (!this.fits(name, count)) return undefined;
    const offset = this.reader.absolutePosition;
    const bytes = this.reader.bytesView(count);
    this.nodes.push(field(`${this.prefix}.${name}`, label ?? `${name}: ${count} bytes`, offset, count, toHex(bytes)));
    return { offset, bytes };
  }

  push(node: DissectNode): void {
    this.nodes.push(node);
  }

  private number(name: string, size: number, read: () => number, display?: (value: number) => string): number | undefined {
    if (!this.fits(name, size)) return undefined;
    const offset = this.reader.absolutePosition;
    const value = read();
    this.nodes.push(field(`${this.prefix}.${name}`, `${name}: ${display ? display(value) : String(value)}`, offset, size, value));
    return value;
  }

  private fits(name: string, size: number): boolean {
    if (this.truncatedAt !== undefined) return false;
    if (this.reader.remaining >= size) return true;
    this.truncatedAt = name;
    return false;
  }
}
