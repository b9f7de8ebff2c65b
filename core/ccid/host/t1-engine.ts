/**
 * The host side of the ISO 7816-3 T=1 block protocol, for TPDU-level readers: the reader only
 * carries blocks, so chaining, acknowledgements, retransmission, waiting time extensions, IFS
 * changes and resynchronisation are ours (ISO 7816-3 §11, rules 1-9 of §11.6.2 and Annex A).
 */
import { concatBytes } from '#core/bytes/concat.js';
import { chainApdu, decodeT1Block, encodeT1Block, T1_MAX_INF, type T1Block, type T1BlockSpec, type T1Edc } from '#core/iso7816/t1.js';
import { CcidError } from './ccid-error.js';

/** Carries one block to the card and brings back the card's next block. */
export interface T1BlockLink {
  /** `waitMultiplier` > 1 after an S(WTX): the card asked for that many BWTs. */
  exchange(block: Uint8Array, waitMultiplier: number): Promise<Uint8Array>;
}

/** Sends the first I-block some other way (PC_to_RDR_Secure builds it in the reader) and returns the answer. */
export type FirstBlockSender = (ns: 0 | 1) => Promise<Uint8Array>;

export interface T1EngineOptions {
  /** The card's IFSC (ATR TA3), default 32. */
  ifsc?: number;
  edc?: T1Edc;
  nad?: number;
  /** Retransmissions of one block before a resynchronisation (ISO: 3). */
  maxRetries?: number;
}

/** What the engine saw, for tests and a protocol log. */
export type T1EngineEvent =
  { type: 'retransmit'; reason: string } | { type: 'wtx'; multiplier: number } | { type: 'ifsc'; value: number } | { type: 'resynch' };

const FRAMING_PROBLEMS: ReadonlySet<string> = new Set(['bad-edc', 'too-short', 'truncated', 'len-mismatch', 'reserved-len']);
const DEFAULT_IFS = 32;

class T1ProtocolFailure extends Error {}

type IBlockSpec = Extract<T1BlockSpec, { kind: 'I' }>;

export class T1Engine {
  /** N(S) of our next new I-block. */
  private hostNs: 0 | 1 = 0;
  /** N(S) we expect on the card's next new I-block. */
  private cardNs: 0 | 1 = 0;
  private ifscValue: number;
  private ifsdValue = DEFAULT_IFS;
  private readonly edc: T1Edc;
  private readonly nad: number;
  private readonly maxRetries: number;
  private readonly listeners: ((event: T1EngineEvent) => void)[] = [];

  constructor(options: T1EngineOptions = {}) {
    this.ifscValue = clampIfs(options.ifsc ?? DEFAULT_IFS);
    this.edc = options.edc ?? 'lrc';
    this.nad = options.nad ?? 0;
    this.maxRetries = options.maxRetries ?? 3;
  }

  get ifsc(): number {
    return this.ifscValue;
  }

  get ifsd(): number {
    return this.ifsdValue;
  }

  onEvent(listener: (event: T1EngineEvent) => void): void {
    this.listeners.push(listener);
  }

  /** S(IFS request) with our IFSD; true when the card confirmed it. */
  async negotiateIfsd(link: T1BlockLink, ifsd: number): Promise<boolean> {
    const value = clampIfs(ifsd);
    const request = this.encode({ kind: 'S', sType: 'IFS', response: false, value });
    for (let attempt = 0; attempt <= this.maxRetries; attempt++) {
      const block = this.decode(await link.exchange(request, 1));
      if (block?.kind === 'S' && block.sType === 'IFS' && block.response && block.sValue === value) {
        this.ifsdValue = value;
        return true;
      }
    }
    return false;
  }

  /** S(RESYNCH): both sides start again at N(S) 0. */
  async resynch(link: T1BlockLink): Promise<void> {
    const request = this.encode({ kind: 'S', sType: 'RESYNCH', response: false });
    for (let attempt = 0; attempt <= this.maxRetries; attempt++) {
      const block = this.decode(await link.exchange(request, 1));
      if (block?.kind === 'S' && block.sType === 'RESYNCH' && block.response) {
        this.hostNs = 0;
        this.cardNs = 0;
        this.emit({ type: 'resynch' });
        return;
      }
    }
    throw new CcidError(
      't1-failed',
      'The card did not answer S(RESYNCH) after repeated T=1 errors.',
      'Reset the card (power it off and on) and try again.',
    );
  }

  /**
   * One APDU in, the response APDU out. After repeated errors the engine resynchronises and
   * sends the APDU once more, unless the first block went through `sendFirst` (a PIN entry
   * cannot be repeated without the user).
   */
  async transceive(apdu: Uint8Array, link: T1BlockLink, sendFirst?: FirstBlockSender): Promise<Uint8Array> {
    try {
      return await this.run(apdu, link, sendFirst);
    } catch (error) {
      if (!(error instanceof T1ProtocolFailure)) throw error;
      await this.resynch(link);
      if (sendFirst) {
        throw new CcidError('t1-failed', `T=1 exchange of the PIN command failed: ${error.message}.`, 'Start the PIN entry again.');
      }
      try {
        return await this.run(apdu, link);
      } catch (retryError) {
        if (!(retryError instanceof T1ProtocolFailure)) throw retryError;
        throw new CcidError('t1-failed', `T=1 exchange failed twice: ${retryError.message}.`, 'Reset the card and try again.');
      }
    }
  }

  private async run(apdu: Uint8Array, link: T1BlockLink, sendFirst?: FirstBlockSender): Promise<Uint8Array> {
    const chain: IBlockSpec[] = sendFirst
      ? [{ kind: 'I', ns: this.hostNs, inf: apdu }]
      : chainApdu(apdu, this.ifscValue, this.hostNs, this.nad).filter((b): b is IBlockSpec => b.kind === 'I');
    let index = 0;
    let lastSent = sendFirst ? undefined : this.encode(chain[0]!);
    let reply = sendFirst ? await sendFirst(this.hostNs) : await link.exchange(lastSent!, 1);
    let sending = chain.length > 1;
    let errors = 0;
    const received: Uint8Array[] = [];

    const resend = async (reason: string, multiplier = 1): Promise<Uint8Array> => {
      if (++errors > this.maxRetries) throw new T1ProtocolFailure(`${reason}, ${this.maxRetries} retransmissions did not help`);
      this.emit({ type: 'retransmit', reason });
      if (!lastSent) throw new T1ProtocolFailure(`${reason} and the block cannot be sent again (the reader built it)`);
      return link.exchange(lastSent, multiplier);
    };
    const askAgain = async (reason: string): Promise<Uint8Array> => {
      if (++errors > this.maxRetries) throw new T1ProtocolFailure(`${reason}, ${this.maxRetries} R-blocks did not help`);
      this.emit({ type: 'retransmit', reason });
      return link.exchange(this.encode({ kind: 'R', nr: this.cardNs, error: reason.startsWith('bad EDC') ? 'edc-parity' : 'other' }), 1);
    };

    for (;;) {
      const block = this.decode(reply);
      if (!block) {
        reply = await askAgain('bad EDC or framing in the card block');
        continue;
      }
      if (block.kind === 'S' && !block.response) {
        if (block.sType === 'WTX') {
          const multiplier = Math.max(1, block.sValue ?? 1);
          this.emit({ type: 'wtx', multiplier });
          reply = await link.exchange(this.encode({ kind: 'S', sType: 'WTX', response: true, value: block.sValue ?? 1 }), multiplier);
          continue;
        }
        if (block.sType === 'IFS' && block.sValue !== undefined && block.sValue >= 1 && block.sValue <= T1_MAX_INF) {
          this.ifscValue = block.sValue;
          this.emit({ type: 'ifsc', value: block.sValue });
          reply = await link.exchange(this.encode({ kind: 'S', sType: 'IFS', response: true, value: block.sValue }), 1);
          continue;
        }
        if (block.sType === 'ABORT') {
          await link.exchange(this.encode({ kind: 'S', sType: 'ABORT', response: true }), 1);
          throw new CcidError('t1-failed', 'The card aborted the T=1 chain (S(ABORT)).', 'Send the command again.');
        }
        reply = await askAgain(`unexpected S(${block.sType ?? '?'}) request`);
        continue;
      }
      if (sending) {
        const current = chain[index]!;
        if (block.kind === 'R' && block.nr !== current.ns) {
          // Acknowledgement: the card wants our next block.
          index++;
          errors = 0;
          sending = index < chain.length - 1;
          lastSent = this.encode(chain[index]!);
          reply = await link.exchange(lastSent, 1);
          continue;
        }
        reply =
          block.kind === 'R' ? await resend('the card asked for the block again') : await askAgain('unexpected block during our chain');
        continue;
      }
      if (block.kind === 'I' && block.ns === this.cardNs) {
        // The card's I-block also acknowledges our last one.
        this.hostNs = (chain[chain.length - 1]!.ns ^ 1) as 0 | 1;
        this.cardNs = (this.cardNs ^ 1) as 0 | 1;
        received.push(Uint8Array.from(block.inf));
        errors = 0;
        if (!block.more) return concatBytes(received);
        lastSent = this.encode({ kind: 'R', nr: this.cardNs });
        reply = await link.exchange(lastSent, 1);
        continue;
      }
      if (block.kind === 'R' && received.length === 0) {
        reply = await resend('the card asked for our last block again');
        continue;
      }
      reply = received.length > 0 && block.kind === 'I' ? await resend('the card repeated a block') : await askAgain('unexpected block');
    }
  }

  private encode(spec: T1BlockSpec): Uint8Array {
    return encodeT1Block({ ...spec, nad: this.nad }, this.edc);
  }

  /** The block, or undefined when it is not a valid block (bad EDC, bad length). */
  private decode(bytes: Uint8Array): T1Block | undefined {
    const block = decodeT1Block(bytes, { edc: this.edc });
    if (!block.edcValid || block.problems.some((p) => FRAMING_PROBLEMS.has(p.code))) return undefined;
    return block;
  }

  private emit(event: T1EngineEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

function clampIfs(value: number): number {
  return Math.max(1, Math.min(T1_MAX_INF, Math.floor(value)));
}
