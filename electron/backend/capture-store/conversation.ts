/**
 * The APDU conversation as one list: the folded transactions and the PIN entries between them,
 * in capture order (by the frame that started each). PIN entries are few; their positions in
 * the merged list are kept, and a transaction's position follows from how many of them came
 * before, so a million transactions are never copied into a second list.
 */
import type { PinEntry } from './pin-entries.js';

export type ConversationEntry = { kind: 'apdu'; transaction: number } | { kind: 'pin'; pin: PinEntry };

export class Conversation {
  /** Merged position of each PIN entry, ascending. */
  private readonly pinAt: number[];
  readonly length: number;

  /**
   * @param transactions how many transactions
   * @param frameOf the frame of a transaction's first command (nondecreasing along the list)
   * @param pins PIN entries, in capture order
   */
  constructor(
    transactions: number,
    frameOf: (transaction: number) => number,
    private readonly pins: readonly PinEntry[],
  ) {
    this.pinAt = pins.map((pin, k) => transactionsBefore(transactions, frameOf, pin.frame) + k);
    this.length = transactions + pins.length;
  }

  at(index: number): ConversationEntry | undefined {
    if (index < 0 || index >= this.length) return undefined;
    const k = lowerBound(this.pinAt, index);
    if (this.pinAt[k] === index) return { kind: 'pin', pin: this.pins[k]! };
    return { kind: 'apdu', transaction: index - k };
  }
}

/** How many transactions started before `frame`. */
function transactionsBefore(count: number, frameOf: (i: number) => number, frame: number): number {
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (frameOf(mid) < frame) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function lowerBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
