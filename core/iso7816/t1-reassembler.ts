/**
 * Rebuilds APDUs from a T=1 block stream seen from the outside (a capture of a TPDU-level
 * reader), and reports protocol faults on the way (ISO 7816-3 §11.6 rules).
 *
 * Each side keeps its own send sequence N(S), alternating 0/1 with every new I-block. A chain
 * (M = 1) is acknowledged block by block with R(N(R) = next N(S)); the last block (M = 0) is
 * answered by the other side's I-block. An R-block whose N(R) is the N(S) of the last I-block
 * asks for that block again. RESYNCH resets both sequences to 0.
 */
import { toHex } from '../bytes/hex.js';
import type { Problem } from '../dissect/node.js';
import { decodeT1Block, t1BlockSummary, type T1Block, type T1Edc } from './t1.js';

/** 'to-card': reader (IFD) → card, i.e. command APDUs; 'to-reader': card → reader, responses. */
export type T1Direction = 'to-card' | 'to-reader';

export type T1Event<R> =
  | { type: 'apdu'; direction: T1Direction; bytes: Uint8Array; refs: R[] }
  | { type: 'problem'; direction: T1Direction; problem: Problem; ref: R | undefined }
  | { type: 'supervisory'; direction: T1Direction; summary: string; ref: R | undefined };

export interface T1ReassemblerOptions {
  /** EDC used by feedBytes (default LRC). */
  edc?: T1Edc;
  /** An APDU longer than this is dropped with a problem (hostile or broken streams). */
  maxApduLength?: number;
}

/** Extended APDU maximum (4 + 3 + 65535 + 2) with room to spare. */
const DEFAULT_MAX_APDU = 70_000;

interface SideState<R> {
  expectedNs: 0 | 1;
  lastI: { ns: 0 | 1; more: boolean; inf: Uint8Array } | undefined;
  /** The last block this side sent could not be used (bad EDC, framing). */
  lastInvalid: boolean;
  chain: { parts: Uint8Array[]; refs: R[]; length: number } | undefined;
  lastR: { pcb: number; count: number } | undefined;
}

function freshSide<R>(): SideState<R> {
  return { expectedNs: 0, lastI: undefined, lastInvalid: false, chain: undefined, lastR: undefined };
}

const INVALID_BLOCK_CODES: ReadonlySet<string> = new Set(['bad-edc', 'too-short', 'truncated', 'len-mismatch', 'reserved-len']);

function other(direction: T1Direction): T1Direction {
  return direction === 'to-card' ? 'to-reader' : 'to-card';
}

function sideName(direction: T1Direction): string {
  return direction === 'to-card' ? 'reader' : 'card';
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class T1Reassembler<R = number> {
  private readonly sides: Record<T1Direction, SideState<R>> = { 'to-card': freshSide(), 'to-reader': freshSide() };
  private readonly edc: T1Edc;
  private readonly maxApduLength: number;

  constructor(options: T1ReassemblerOptions = {}) {
    this.edc = options.edc ?? 'lrc';
    this.maxApduLength = options.maxApduLength ?? DEFAULT_MAX_APDU;
  }

  /** Card reset (new ATR) or protocol change: sequence numbers back to 0, partial chains dropped. */
  reset(): void {
    this.sides['to-card'] = freshSide();
    this.sides['to-reader'] = freshSide();
  }

  /** Decodes a raw block with the configured EDC, then feeds it. */
  feedBytes(direction: T1Direction, bytes: Uint8Array, ref?: R): T1Event<R>[] {
    return this.feed(direction, decodeT1Block(bytes, { edc: this.edc }), ref);
  }

  feed(direction: T1Direction, block: T1Block, ref?: R): T1Event<R>[] {
    const events: T1Event<R>[] = [];
    const me = this.sides[direction];
    const peer = this.sides[other(direction)];
    const report = (code: string, message: string, severity: Problem['severity'] = 'error'): void => {
      events.push({ type: 'problem', direction, problem: { code, message, severity }, ref });
    };

    const fault = block.problems.find((p) => INVALID_BLOCK_CODES.has(p.code));
    if (fault) {
      // The receiver discards such a block and asks again; so do we.
      me.lastInvalid = true;
      report('invalid-block', `${sideName(direction)} sent an unusable block (${fault.message}); it is ignored`, 'warning');
      return events;
    }

    if (block.kind === 'I') {
      this.feedI(direction, block, ref, me, peer, events, report);
    } else if (block.kind === 'R') {
      this.feedR(direction, block, me, peer, report);
    } else {
      this.feedS(direction, block, ref, events);
    }
    return events;
  }

  private feedI(
    direction: T1Direction,
    block: T1Block,
    ref: R | undefined,
    me: SideState<R>,
    peer: SideState<R>,
    events: T1Event<R>[],
    report: (code: string, message: string, severity?: Problem['severity']) => void,
  ): void {
    const ns = block.ns!;
    const more = block.more!;
    if (ns !== me.expectedNs) {
      if (me.lastI && ns === me.lastI.ns && sameBytes(block.inf, me.lastI.inf)) {
        report('retransmission', `${sideName(direction)} sent I-block N(S)=${ns} again (retransmission)`, 'warning');
        me.lastInvalid = false;
        return;
      }
      report('wrong-ns', `${sideName(direction)} I-block has N(S)=${ns}, expected ${me.expectedNs}`);
      // Take it as new data anyway: losing the APDU helps nobody reading the capture.
    }
    if (peer.chain && peer.lastI?.more) {
      report('chain-interrupted', `${sideName(direction)} sent an I-block while the ${sideName(other(direction))} was still chaining`);
      peer.chain = undefined;
    }
    me.expectedNs = (ns ^ 1) as 0 | 1;
    me.lastI = { ns, more, inf: block.inf };
    me.lastInvalid = false;
    me.lastR = undefined;
    peer.lastR = undefined;

    const chain = (me.chain ??= { parts: [], refs: [], length: 0 });
    if (chain.length + block.inf.length > this.maxApduLength) {
      report('apdu-too-long', `chained APDU longer than ${this.maxApduLength} bytes: dropped`);
      me.chain = undefined;
      return;
    }
    chain.parts.push(block.inf);
    if (ref !== undefined) chain.refs.push(ref);
    chain.length += block.inf.length;
    if (!more) {
      const bytes = new Uint8Array(chain.length);
      let at = 0;
      for (const part of chain.parts) {
        bytes.set(part, at);
        at += part.length;
      }
      me.chain = undefined;
      events.push({ type: 'apdu', direction, bytes, refs: chain.refs });
    }
  }

  private feedR(
    direction: T1Direction,
    block: T1Block,
    me: SideState<R>,
    peer: SideState<R>,
    report: (code: string, message: string, severity?: Problem['severity']) => void,
  ): void {
    const nr = block.nr!;
    const pcb = block.pcb;
    me.lastR = me.lastR && me.lastR.pcb === pcb ? { pcb, count: me.lastR.count + 1 } : { pcb, count: 1 };
    if (me.lastR.count === 3) {
      report('r-block-loop', `${sideName(direction)} sent ${t1BlockSummary(block)} 3 times in a row: the exchange is stuck`);
    }
    if (block.error && block.error !== 'none') {
      report(
        'r-block-error',
        `${sideName(direction)} reports ${block.error === 'edc-parity' ? 'an EDC/parity error' : 'an error'} in the last block`,
        'warning',
      );
    }
    const peerLast = peer.lastI;
    if (peerLast && nr === peerLast.ns && nr !== peer.expectedNs) {
      report('retransmit-request', `${sideName(direction)} asks for I-block N(S)=${nr} again`, 'warning');
      return;
    }
    // nr === peer.expectedNs: acknowledges the peer's last I-block and asks for the next one.
    // That is right when the peer is chaining, or when its last block was unusable, or at the start.
    if (peerLast && !peerLast.more && !peer.lastInvalid && block.error === 'none') {
      report('wrong-nr', `${sideName(direction)} acknowledges N(S)=${peerLast.ns} with R(${nr}) although that block ended its chain (M=0)`);
    }
    if (nr !== peer.expectedNs && !peerLast) {
      report('wrong-nr', `${sideName(direction)} sent R(${nr}) but the ${sideName(other(direction))} has not sent N(S)=${nr ^ 1} yet`);
    }
  }

  private feedS(direction: T1Direction, block: T1Block, ref: R | undefined, events: T1Event<R>[]): void {
    const summary = t1BlockSummary(block);
    events.push({ type: 'supervisory', direction, summary, ref });
    if (block.response && block.sType === 'RESYNCH') this.reset();
    if (block.response && block.sType === 'ABORT') {
      this.sides['to-card'].chain = undefined;
      this.sides['to-reader'].chain = undefined;
    }
  }

  /** Bytes of a chain still waiting for its last block (diagnostics at end of capture). */
  pending(direction: T1Direction): string | undefined {
    const chain = this.sides[direction].chain;
    if (!chain) return undefined;
    const bytes = new Uint8Array(chain.length);
    let at = 0;
    for (const part of chain.parts) {
      bytes.set(part, at);
      at += part.length;
    }
    return toHex(bytes);
  }
}
