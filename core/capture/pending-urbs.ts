/**
 * The table of in-flight URBs, keyed by URB/IRP id + endpoint address. A real capture has a
 * handful in flight at any time (a bulk IN waiting for its answer, an interrupt IN waiting for
 * a card event), and each packet takes or puts one: a short list scanned in place costs less
 * than a Map, whose table shrinks and grows again as it empties and fills (measured: a quarter
 * of the decoder's garbage). Beyond a few entries they go to a Map keyed by a 30-bit hash of the
 * identity (small integers, fast keys), the full identity checked on lookup, and the rare hash
 * collision to a second, string-keyed map.
 */
import type { UsbPacket } from './usb-packet.js';

/** Entries kept in the scanned list before the maps take the rest. */
const LISTED = 16;

export class PendingUrbs {
  private readonly listed: UsbPacket[] = [];
  private readonly byHash = new Map<number, UsbPacket>();
  private readonly collided = new Map<string, UsbPacket>();

  get size(): number {
    return this.listed.length + this.byHash.size + this.collided.size;
  }

  /** The pending packet with the same identity as p, if any. */
  get(p: UsbPacket): UsbPacket | undefined {
    const at = this.indexOf(p);
    if (at >= 0) return this.listed[at];
    if (this.byHash.size === 0) return undefined;
    const hit = this.byHash.get(hashOf(p));
    if (hit && sameUrb(hit, p)) return hit;
    return this.collided.size > 0 ? this.collided.get(fullKey(p)) : undefined;
  }

  /** Removes and returns the pending packet with the same identity as p. */
  take(p: UsbPacket): UsbPacket | undefined {
    const at = this.indexOf(p);
    if (at >= 0) {
      const listed = this.listed;
      const hit = listed[at]!;
      // Shifted by hand: splice would allocate an array of the removed entry on every take.
      for (let i = at + 1; i < listed.length; i++) listed[i - 1] = listed[i]!;
      listed.pop();
      return hit;
    }
    if (this.byHash.size === 0) return undefined;
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
    if (this.listed.length < LISTED) {
      this.listed.push(p);
      return;
    }
    const hash = hashOf(p);
    if (this.byHash.has(hash)) this.collided.set(fullKey(p), p);
    else this.byHash.set(hash, p);
  }

  /** The longest-pending packet (the earliest frame; packets are put in capture order), to bound the table. */
  oldest(): UsbPacket | undefined {
    let oldest: UsbPacket | undefined = this.listed[0];
    for (const p of [this.byHash.values().next().value, this.collided.values().next().value]) {
      if (p && (!oldest || p.frame < oldest.frame)) oldest = p;
    }
    return oldest;
  }

  /** Every pending packet, in no particular order. */
  forEach(visit: (p: UsbPacket) => void): void {
    for (const p of this.listed) visit(p);
    for (const p of this.byHash.values()) visit(p);
    for (const p of this.collided.values()) visit(p);
  }

  values(): UsbPacket[] {
    return [...this.listed, ...this.byHash.values(), ...this.collided.values()].sort((a, b) => a.frame - b.frame);
  }

  clear(): void {
    this.listed.length = 0;
    this.byHash.clear();
    this.collided.clear();
  }

  private indexOf(p: UsbPacket): number {
    const listed = this.listed;
    for (let i = 0; i < listed.length; i++) if (sameUrb(listed[i]!, p)) return i;
    return -1;
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
