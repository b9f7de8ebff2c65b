/**
 * The table of in-flight URBs, keyed by URB/IRP id + endpoint address. A Map keyed by a
 * 64-bit id would need doubles or strings as keys, both several times slower than small
 * integers on the hot path (two lookups per packet), so entries are hashed to a 30-bit
 * integer and the full identity is checked on lookup; the rare hash collision goes to a
 * second, string-keyed map.
 */
import type { UsbPacket } from './usb-packet.js';

export class PendingUrbs {
  private readonly byHash = new Map<number, UsbPacket>();
  private readonly collided = new Map<string, UsbPacket>();

  get size(): number {
    return this.byHash.size + this.collided.size;
  }

  /** The pending packet with the same identity as p, if any. */
  get(p: UsbPacket): UsbPacket | undefined {
    const hit = this.byHash.get(hashOf(p));
    if (hit && sameUrb(hit, p)) return hit;
    return this.collided.size > 0 ? this.collided.get(fullKey(p)) : undefined;
  }

  /** Removes and returns the pending packet with the same identity as p. */
  take(p: UsbPacket): UsbPacket | undefined {
    const hash = hashOf(p);
    const hit = this.byHash.get(hash);
    if (hit && sameUrb(hit, p)) {
      this.byHash.delete(hash);
      return hit;
    }
    if (this.collided.size === 0) return undefined;
    const key = fullKey(p);
    const other = this.collided.get(key);
    if (other) this.collided.delete(key);
    return other;
  }

  /** Adds p; the caller has taken any pending packet of the same identity first. */
  put(p: UsbPacket): void {
    const hash = hashOf(p);
    if (this.byHash.has(hash)) this.collided.set(fullKey(p), p);
    else this.byHash.set(hash, p);
  }

  /** The longest-pending packet (insertion order), to bound the table. */
  oldest(): UsbPacket | undefined {
    return this.byHash.values().next().value ?? this.collided.values().next().value;
  }

  /** Every pending packet, in no particular order. */
  forEach(visit: (p: UsbPacket) => void): void {
    for (const p of this.byHash.values()) visit(p);
    for (const p of this.collided.values()) visit(p);
  }

  values(): UsbPacket[] {
    return [...this.byHash.values(), ...this.collided.values()].sort((a, b) => a.frame - b.frame);
  }

  clear(): void {
    this.byHash.clear();
    this.collided.clear();
  }
}

function endpointAddress(p: UsbPacket): number {
  return p.direction === 'in' ? p.endpoint | 0x80 : p.endpoint;
}

function hashOf(p: UsbPacket): number {
  return (p.urbIdLow ^ Math.imul(p.urbIdHigh, 0x9e3779b1) ^ (endpointAddress(p) << 22)) & 0x3fffffff;
}

function sameUrb(a: UsbPacket, b: UsbPacket): boolean {
  return a.urbIdLow === b.urbIdLow && a.urbIdHigh === b.urbIdHigh && a.endpoint === b.endpoint && a.direction === b.direction;
}

function fullKey(p: UsbPacket): string {
  return `${p.urbIdHigh >>> 0}:${p.urbIdLow >>> 0}:${endpointAddress(p)}`;
}
