/**
 * Pairs one reader's CCID commands with their answers, slot by slot. CCID 1.1 §5.2.1 allows one
 * command in flight per slot, so the rules are:
 *  - an answer with bmCommandStatus 2 (time extension) is an event: the command stays pending;
 *  - an answer whose bSeq differs from the pending command's is flagged and not paired (the
 *    command is dropped: whatever answered it is lost);
 *  - an answer when no command is pending on its slot is flagged;
 *  - a command sent while another is pending on the slot flags the older as unanswered;
 *  - a failed RDR_to_PC_SlotStatus may answer any command (readers refuse what they do not
 *    support that way); any other answer type than the command expects is flagged but paired;
 *  - commands still pending when the capture ends are flagged as unanswered.
 *
 * Memory: one pending command per slot, whatever the capture holds.
 */
import type { CcidFrame } from '../capture/ccid-stream.js';
import { hexLiteral } from '../bytes/hex.js';
import { CCID_MESSAGE_CODE } from '../ccid/message-types.js';
import type { Problem } from '../dissect/node.js';
import type { CcidPairingFields } from './ccid-pairing-fields.js';

export interface PendingCommand<Note> {
  fields: CcidPairingFields;
  frame: CcidFrame;
  bSeq: number;
  /** What the trace keeps with the command until its answer comes (the PIN operation a Secure starts). */
  note: Note | undefined;
}

export type AnswerPairing<Note> =
  /** The answer belongs to this command. */
  | { kind: 'paired'; command: PendingCommand<Note> }
  /** The reader asked for more time; the command is still pending. */
  | { kind: 'time-extension'; slot: number }
  /** Nothing to pair it with (a problem says why, unless the header was too short to tell). */
  | { kind: 'unpaired' };

export class SlotPairing<Note = never> {
  /**
   * The command pending on each slot. A slot's entry is set to undefined when answered rather
   * than deleted: a Map that keeps emptying and filling reallocates its table every time.
   */
  private readonly pending = new Map<number, PendingCommand<Note> | undefined>();

  constructor(
    /** The device the problems name. */
    private readonly device: string,
    private readonly report: (frame: number, problem: Problem) => void,
  ) {}

  /** bMessageType of the command an answer on `slot` with `bSeq` would answer, when one is pending. */
  awaitedCommand(slot: number | undefined, bSeq: number | undefined): number | undefined {
    const pending = slot === undefined ? undefined : this.pending.get(slot);
    return pending && pending.bSeq === bSeq ? pending.fields.bMessageType : undefined;
  }

  /** A command went out: it is now the one pending on its slot. Undefined when its header has no bSlot/bSeq. */
  command(frame: CcidFrame, fields: CcidPairingFields, note?: Note): PendingCommand<Note> | undefined {
    if (fields.bSlot === undefined || fields.bSeq === undefined) return undefined;
    const previous = this.pending.get(fields.bSlot);
    if (previous) this.unanswered(previous, `a new command (frame ${frame.firstFrame}) was sent on the slot first`);
    const pending: PendingCommand<Note> = { fields, frame, bSeq: fields.bSeq, note };
    this.pending.set(fields.bSlot, pending);
    return pending;
  }

  /** An answer came in: which command it answers, if any. */
  answer(frame: CcidFrame, fields: CcidPairingFields): AnswerPairing<Note> {
    if (fields.bSlot === undefined || fields.bSeq === undefined) return { kind: 'unpaired' };
    const slot = fields.bSlot;
    if (fields.status?.commandStatus === 'time-extension') return { kind: 'time-extension', slot };
    const pending = this.pending.get(slot);
    if (!pending) {
      this.report(frame.firstFrame, {
        code: 'unexpected-answer',
        message: `${fields.name ?? 'answer'} (bSeq ${fields.bSeq}) answers no command in the capture`,
        severity: 'warning',
      });
      return { kind: 'unpaired' };
    }
    this.pending.set(slot, undefined);
    if (pending.bSeq !== fields.bSeq) {
      this.report(frame.firstFrame, {
        code: 'bseq-mismatch',
        message: `${fields.name ?? 'answer'} has bSeq ${fields.bSeq} but the pending ${pending.fields.name ?? 'command'} (frame ${pending.frame.firstFrame}) has bSeq ${pending.bSeq}: not paired`,
        severity: 'error',
      });
      return { kind: 'unpaired' };
    }
    const refusal = fields.bMessageType === CCID_MESSAGE_CODE.RDR_to_PC_SlotStatus && fields.status?.commandStatus === 'failed';
    const expected = pending.fields.expectedAnswer;
    if (expected && fields.name !== expected && !refusal) {
      this.report(frame.firstFrame, {
        code: 'unexpected-answer-type',
        message: `${pending.fields.name} (frame ${pending.frame.firstFrame}) answered by ${fields.name ?? `type ${hexLiteral(fields.bMessageType)}`}, expected ${expected}`,
        severity: 'warning',
      });
    }
    return { kind: 'paired', command: pending };
  }

  /** The capture ended: every command still pending never got its answer. */
  end(): void {
    for (const pending of this.pending.values()) if (pending) this.unanswered(pending, 'the capture ended before the reader answered');
    this.pending.clear();
  }

  private unanswered(pending: PendingCommand<Note>, why: string): void {
    this.report(pending.frame.firstFrame, {
      code: 'missing-answer',
      message: `${pending.fields.name ?? 'command'} on ${this.device} slot ${pending.fields.bSlot} (bSeq ${pending.bSeq}) got no answer: ${why}`,
      severity: 'error',
    });
  }
}
