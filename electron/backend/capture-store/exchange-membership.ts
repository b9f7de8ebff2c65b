/**
 * Which rows carried each APDU exchange, and whether its command holds a secret. The viewer
 * masks by this membership, never by reading a message on its own: a T=1 block, a chained
 * part or a retransmission does not start with the command's header, but the reassembled APDU
 * (core/trace) does, so it decides for every message that carried it.
 *
 * CCID keeps one command in flight per slot (CCID 1.1 §5.2.1): every PC_to_RDR_XfrBlock of the
 * slot from the exchange's first command message to its answer belongs to that exchange —
 * chained blocks, blocks the card asked again, S-blocks alike.
 */
import { SecretCommandTracker, type SecretCommand } from '#core/iso7816/secret-commands.js';
import type { TraceExchange } from '#core/trace/index.js';
import { CCID_HEADER_LENGTH, CCID_MESSAGE_CODE } from '#core/ccid/message-types.js';
import { FLAG_IN_EXCHANGE, FLAG_SECRET, FLAG_WHOLE_APDU, type StoredRows } from './row-columns.js';
import { KIND_APDU_PACKET } from './apdu-packet-row.js';

const OUT = 0;
/** Rows to search back for an exchange's first message (its answer arrived just now). */
const LOOK_BACK = 4096;

export class ExchangeMembership {
  private readonly trackers = new Map<string, SecretCommandTracker>();
  /** Only the secret exchanges, by TraceExchange.index: a small map even for a huge capture. */
  private readonly secrets = new Map<number, SecretCommand>();

  constructor(
    private readonly rows: StoredRows,
    /** The row column's index of a device name, -1 when unknown. */
    private readonly deviceIndex: (name: string) => number,
  ) {}

  /** Call with each exchange in capture order, after the rows of its messages were added. */
  add(exchange: Pick<TraceExchange, 'index' | 'device' | 'slot' | 'commandFrame' | 'responseFrame'>, command: Uint8Array): void {
    const key = `${exchange.device}/${exchange.slot}`;
    let tracker = this.trackers.get(key);
    if (!tracker) this.trackers.set(key, (tracker = new SecretCommandTracker()));
    const secret = tracker.classify(command);
    if (secret) this.secrets.set(exchange.index, secret);

    const c = this.rows.columns;
    const first = c.findByFrame(exchange.commandFrame, LOOK_BACK);
    const last = c.findByFrame(exchange.responseFrame, LOOK_BACK);
    if (first < 0) return;
    const device = this.deviceIndex(exchange.device);
    const end = last >= first ? last : first;
    for (let row = first; row <= end; row++) {
      if (c.device[row] !== device || c.slot[row] !== exchange.slot) continue;
      // An APDU-level trace's command row is the APDU itself, no CCID message around it.
      const packet = c.kind[row] === KIND_APDU_PACKET;
      if (c.direction[row] !== OUT || (!packet && c.messageType[row] !== CCID_MESSAGE_CODE.PC_to_RDR_XfrBlock)) continue;
      let flags = FLAG_IN_EXCHANGE;
      if (secret) flags |= FLAG_SECRET;
      if (sameBytes(this.rows.bytes(row).subarray(packet ? 0 : CCID_HEADER_LENGTH), command)) flags |= FLAG_WHOLE_APDU;
      c.flags[row]! |= flags;
    }
  }

  /** The secret an exchange's command carries, if any. */
  secretOf(exchangeIndex: number): SecretCommand | undefined {
    return this.secrets.get(exchangeIndex);
  }

  /** A folded transaction carries a secret when any of its exchanges does. */
  secretOfAny(exchangeIndices: readonly number[]): SecretCommand | undefined {
    for (const index of exchangeIndices) {
      const secret = this.secrets.get(index);
      if (secret) return secret;
    }
    return undefined;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
