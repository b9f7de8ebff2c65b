/**
 * One line of the APDU conversation as it crosses the contract: a folded transaction, or a PIN
 * entry on the reader's keypad with the reader's outcome (bError CMD_NOT_SUPPORTED, the card's
 * SW…). Secret data is masked as everywhere in the viewer: a transaction's command by its
 * exchanges' secrecy, a PIN entry's APDU template as redactPins masks it.
 */
import { fromHex } from '#core/bytes/hex.js';
import type { CaptureTransaction } from '#core/ipc/channels/captures.js';
import { maskedPinTemplateHex, redactedCommandHex } from '#core/iso7816/pin-redaction.js';
import type { SecretCommand } from '#core/iso7816/secret-commands.js';
import { describeStatusWord } from '#core/iso7816/status-words.js';
import type { TraceExchange, TraceTransaction } from '#core/trace/index.js';
import type { ConversationEntry } from './conversation.js';
import type { PinEntry } from './pin-entries.js';

export interface ConversationSources {
  transaction(index: number): TraceTransaction;
  /** By TraceExchange.index (1-based). */
  exchange(index: number): TraceExchange | undefined;
  secretOf(exchanges: readonly number[]): SecretCommand | undefined;
  rowOfFrame(frame: number): number;
}

export function conversationEntry(index: number, entry: ConversationEntry, sources: ConversationSources): CaptureTransaction {
  if (entry.kind === 'pin') return pinLine(index, entry.pin);
  const t = sources.transaction(entry.transaction);
  const first = sources.exchange(t.exchanges[0]!);
  return {
    index,
    kind: 'apdu',
    device: t.device,
    slot: t.slot,
    command: redactedCommandHex(fromHex(t.command), sources.secretOf(t.exchanges)),
    name: t.name,
    sw: t.sw,
    meaning: t.meaning,
    timeMs: first?.timeMs ?? 0,
    durationMs: t.durationMs,
    exchanges: t.exchanges.length,
    folded: t.folded,
    frame: first?.commandFrame ?? 0,
    row: first ? sources.rowOfFrame(first.commandFrame) : -1,
    problem: t.problems.length > 0,
  };
}

function pinLine(index: number, pin: PinEntry): CaptureTransaction {
  const p = pin.operation;
  const answer = p.answer;
  // The reader's own answer (a SlotStatus with bError) or, when the card answered, its SW.
  const failed = answer === null || (answer.bStatus & 0xc0) !== 0;
  const outcome =
    answer === null
      ? 'no answer in the capture'
      : answer.sw
        ? describeStatusWord(parseInt(answer.sw.slice(0, 2), 16), parseInt(answer.sw.slice(2), 16), insOf(p.apduTemplate)).meaning
        : `${answer.message.replace(/^RDR_to_PC_/, '')}: ${answer.meaning}`;
  return {
    index,
    kind: 'pin',
    device: p.device,
    slot: p.slot,
    command: p.apduTemplate === null ? '' : maskedPinTemplateHex(fromHex(p.apduTemplate.replace(/\*/g, '0'))),
    name: `PIN ${p.operation} on the keypad`,
    sw: answer?.sw ?? null,
    meaning: outcome,
    timeMs: pin.timeMs,
    durationMs: pin.durationMs,
    exchanges: 0,
    folded: false,
    frame: p.frame,
    row: pin.row,
    problem: failed,
  };
}

function insOf(template: string | null): { ins?: number } {
  return template && template.length >= 4 ? { ins: parseInt(template.slice(2, 4), 16) } : {};
}
