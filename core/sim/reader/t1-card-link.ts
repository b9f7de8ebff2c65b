/**
 * The card's side of ISO 7816-3 T=1, spoken by a TPDU-level reader on behalf of an APDU-level
 * virtual card: the host sends one block per XfrBlock and gets one block back. Handles S(IFS),
 * S(RESYNCH), S(ABORT), chaining in both directions (R-block acknowledgements), retransmission
 * when the host's R-block asks for the last block again, and R-blocks for blocks with a bad LRC.
 */
import { MAX_EXTENDED_APDU_LENGTH } from '#core/iso7816/apdu-limits.js';
import { concatBytes } from '#core/bytes/concat.js';
import { chainApdu, decodeT1Block, encodeT1Block, T1_MAX_INF, type T1Block, type T1BlockSpec } from '#core/iso7816/t1.js';

/** IFSD before the host announces its own (ISO 7816-3 default). */
const DEFAULT_IFSD = 32;

export interface T1CardLinkOptions {
  /** The card's IFSC (from its ATR TA3, default 32): the largest INF the host may send. */
  ifsc?: number;
}

/** Answers one command APDU with one response APDU (the card). */
export type ApduExchange = (apdu: Uint8Array) => Uint8Array;

const FRAMING_PROBLEMS: ReadonlySet<string> = new Set(['bad-edc', 'too-short', 'truncated', 'len-mismatch', 'reserved-len']);

export class T1CardLink {
  private readonly ifsc: number;
  private ifsd = DEFAULT_IFSD;
  /** N(S) the next new host I-block must carry. */
  private hostNs: 0 | 1 = 0;
  /** N(S) of the card's next new I-block. */
  private cardNs: 0 | 1 = 0;
  private incoming: Uint8Array[] = [];
  private incomingLength = 0;
  private outgoing: T1BlockSpec[] = [];
  /** The last block sent, for retransmission; `chaining` when it was an I-block with M = 1. */
  private last: { bytes: Uint8Array; kind: 'I' | 'R' | 'S'; ns?: 0 | 1; chaining: boolean } | undefined;

  constructor(
    private readonly exchange: ApduExchange,
    options: T1CardLinkOptions = {},
  ) {
    this.ifsc = Math.max(1, Math.min(T1_MAX_INF, options.ifsc ?? DEFAULT_IFSD));
  }

  /** Card reset: sequence numbers back to 0, IFSD back to the default, chains dropped. */
  reset(): void {
    this.ifsd = DEFAULT_IFSD;
    this.resync();
  }

  /** Current IFSD (what the host said it can receive). */
  get hostIfsd(): number {
    return this.ifsd;
  }

  /**
   * One block from the host in, the card's block out. `override` answers the next complete APDU
   * instead of the card (the reader's own status words, e.g. 64 02 for a PIN confirmation mismatch).
   */
  receive(bytes: Uint8Array, override?: ApduExchange): Uint8Array {
    const block = decodeT1Block(bytes, { edc: 'lrc' });
    if (!block.edcValid || block.problems.some((p) => FRAMING_PROBLEMS.has(p.code))) {
      return this.send({ kind: 'R', nr: this.hostNs, error: 'edc-parity' });
    }
    if (block.kind === 'S') return this.onSupervisory(block);
    if (block.kind === 'R') return this.onReceiveReady(block);
    return this.onInformation(block, override ?? this.exchange);
  }

  private onSupervisory(block: T1Block): Uint8Array {
    if (block.response) return this.send({ kind: 'R', nr: this.hostNs, error: 'other' });
    switch (block.sType) {
      case 'IFS': {
        const value = block.sValue ?? 0;
        if (value < 1 || value > T1_MAX_INF) return this.send({ kind: 'R', nr: this.hostNs, error: 'other' });
        this.ifsd = value;
        return this.send({ kind: 'S', sType: 'IFS', response: true, value });
      }
      case 'RESYNCH':
        this.resync();
        return this.send({ kind: 'S', sType: 'RESYNCH', response: true });
      case 'ABORT':
        this.dropChains();
        return this.send({ kind: 'S', sType: 'ABORT', response: true });
      default:
        return this.send({ kind: 'R', nr: this.hostNs, error: 'other' });
    }
  }

  private onReceiveReady(block: T1Block): Uint8Array {
    const last = this.last;
    if (last?.kind === 'I' && last.chaining && block.nr !== last.ns && block.error === 'none') {
      // Acknowledgement of our chained block: the next one.
      const next = this.outgoing.shift();
      if (next) return this.send(next);
    }
    // Anything else asks for the last block again (lost, garbled, or an error indication).
    if (last) return last.bytes;
    return this.send({ kind: 'R', nr: this.hostNs, error: 'other' });
  }

  private onInformation(block: T1Block, exchange: ApduExchange): Uint8Array {
    if (block.ns !== this.hostNs) {
      // A repeat of the host's previous block: our answer was lost.
      if (this.last) return this.last.bytes;
      return this.send({ kind: 'R', nr: this.hostNs, error: 'other' });
    }
    if (block.inf.length > this.ifsc) return this.send({ kind: 'R', nr: this.hostNs, error: 'other' });
    this.outgoing = [];
    this.hostNs = (this.hostNs ^ 1) as 0 | 1;
    if (this.incomingLength + block.inf.length > MAX_EXTENDED_APDU_LENGTH) {
      this.dropChains();
      return this.send({ kind: 'R', nr: this.hostNs, error: 'other' });
    }
    this.incoming.push(Uint8Array.from(block.inf));
    this.incomingLength += block.inf.length;
    if (block.more) return this.send({ kind: 'R', nr: this.hostNs });

    const apdu = concatBytes(this.incoming);
    this.incoming = [];
    this.incomingLength = 0;
    const response = exchange(apdu);
    this.outgoing = chainApdu(response, this.ifsd, this.cardNs);
    return this.send(this.outgoing.shift()!);
  }

  private send(spec: T1BlockSpec): Uint8Array {
    const bytes = encodeT1Block(spec, 'lrc');
    if (spec.kind === 'I') {
      this.cardNs = (spec.ns ^ 1) as 0 | 1;
      this.last = { bytes, kind: 'I', ns: spec.ns, chaining: spec.more === true };
    } else {
      this.last = { bytes, kind: spec.kind, chaining: false };
    }
    return bytes;
  }

  private resync(): void {
    this.hostNs = 0;
    this.cardNs = 0;
    this.last = undefined;
    this.dropChains();
  }

  private dropChains(): void {
    this.incoming = [];
    this.incomingLength = 0;
    this.outgoing = [];
  }
}
