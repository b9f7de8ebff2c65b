/**
 * A CCID reader device model: CCID command messages in, CCID answers out, one slot, a scripted
 * keypad. It knows nothing about its transport (a GemPC serial pty today, an in-process USB
 * device for the direct CCID driver), so both present exactly the same reader.
 *
 * TPDU level: for a T=1 card the reader speaks T=1 blocks on the card's behalf (T1CardLink); for
 * a T=0 card the XfrBlock payload is the command TPDU and the answer is the card's data + SW
 * (61xx/6Cxx are left to the host, as a TPDU reader does).
 */
import { decodeCcidMessage, type CcidMessage } from '#core/ccid/decode-message.js';
import {
  encodeDataBlock,
  encodeDataRateAndClockFrequency,
  encodeEscapeResponse,
  encodeNotifySlotChange,
  encodeParameters,
  encodeSlotStatus,
  type AnswerStatus,
} from '#core/ccid/encode-message.js';
import { CCID_HEADER_LENGTH, CCID_MESSAGE_CODE, messageTypeByCode } from '#core/ccid/message-types.js';
import { CCID_BERROR } from '#core/ccid/value-tables.js';
import { decodeProtocolParameterBytes, encodeProtocolParameters } from '#core/ccid/protocol-parameters.js';
import { parseAtr } from '#core/iso7816/atr.js';
import { encodeT1Block } from '#core/iso7816/t1.js';
import type { SmartCard } from '../card/virtual-card.js';
import { answerGemPcEscape } from './gempc-escape.js';
import { checkEntries, collectPins, readerStatusWord, type PinEntryOutcome } from './keypad-pin-entry.js';
import type { Keypad, PinEntryStep } from './keypad.js';
import { completeModifyApdu, completeVerifyApdu, PinInsertionError } from './pin-insertion.js';
import { GEMPC_PINPAD_PROFILE, profileClassDescriptor, type VirtualReaderProfile } from './reader-profile.js';
import { T1CardLink, type ApduExchange } from './t1-card-link.js';

/**
 * CCID bError values the model uses (CCID 1.1 Table 6.2-2): the named codes, and for a wrong field
 * (BAD_PARAMETER) that field's offset in the message.
 */
export const CCID_ERROR = {
  commandNotSupported: CCID_BERROR.CMD_NOT_SUPPORTED,
  /** dwLength. */
  wrongLength: 0x01,
  /** bSlot. */
  badSlot: 0x05,
  /** bProtocolNum. */
  badProtocolNum: 0x07,
  /** Index of abData: the Secure structure or the protocol data is wrong. */
  badData: 0x0a,
  slotBusy: CCID_BERROR.CMD_SLOT_BUSY,
  /** CMD_ABORTED: the host aborted the command (CCID §5.3.1). */
  commandAborted: CCID_BERROR.CMD_ABORTED,
  pinCancelled: CCID_BERROR.PIN_CANCELLED,
  pinTimeout: CCID_BERROR.PIN_TIMEOUT,
  iccMute: CCID_BERROR.ICC_MUTE,
} as const;

const ICC_PRESENT_ACTIVE = 0;
const ICC_PRESENT_INACTIVE = 1;
const ICC_ABSENT = 2;
const COMMAND_FAILED = 1;

/** What the reader did, for a log line. Never carries PIN digits or APDU data. */
export type ReaderActivity =
  | { type: 'power-on'; atr: Uint8Array }
  | { type: 'power-off' }
  | { type: 'card'; present: boolean }
  | { type: 'apdu'; cla: number; ins: number; sw: number | undefined; via: 'xfr-block' | 'secure' }
  | { type: 'escape'; command: string; ok: boolean }
  | { type: 'pin-entry'; operation: 'verify' | 'modify'; outcome: PinEntryOutcome }
  | { type: 'refused'; message: string };

export interface VirtualCcidReaderOptions {
  keypad: Keypad;
  card?: SmartCard;
  profile?: VirtualReaderProfile;
  onActivity?: (activity: ReaderActivity) => void;
}

interface CurrentParameters {
  protocolNum: number;
  data: Uint8Array;
}

export class VirtualCcidReader {
  readonly profile: VirtualReaderProfile;
  /** The 54-byte CCID class descriptor a USB transport presents. */
  readonly classDescriptor: Uint8Array;
  private readonly keypad: Keypad;
  private readonly onActivity: (activity: ReaderActivity) => void;
  private card: SmartCard | undefined;
  private powered = false;
  private atr: Uint8Array | undefined;
  private parameters: CurrentParameters | undefined;
  private t1: T1CardLink | undefined;
  private slotChangePending = false;
  private busy = false;
  /** Set while the keypad is asked for a PIN: ends that wait when the host aborts. */
  private stopPinEntry: (() => void) | undefined;

  constructor(options: VirtualCcidReaderOptions) {
    this.profile = options.profile ?? GEMPC_PINPAD_PROFILE;
    this.classDescriptor = profileClassDescriptor(this.profile);
    this.keypad = options.keypad;
    this.onActivity = options.onActivity ?? (() => undefined);
    this.card = options.card;
  }

  get cardPresent(): boolean {
    return this.card !== undefined;
  }

  get cardPowered(): boolean {
    return this.powered;
  }

  insertCard(card: SmartCard): void {
    this.card = card;
    this.powered = false;
    this.t1 = undefined;
    this.slotChangePending = true;
    this.onActivity({ type: 'card', present: true });
  }

  removeCard(): void {
    this.card = undefined;
    this.powered = false;
    this.t1 = undefined;
    this.slotChangePending = true;
    this.onActivity({ type: 'card', present: false });
  }

  /** True while a PIN entry waits for the keypad. */
  get pinEntryPending(): boolean {
    return this.stopPinEntry !== undefined;
  }

  /**
   * The host's CCID Abort (class request) during a PIN entry: the keypad is told to stop and the
   * Secure is answered CMD_ABORTED, as CCID §5.3.1 asks of a reader. False when no entry waits.
   */
  abortPinEntry(): boolean {
    const stop = this.stopPinEntry;
    if (!stop) return false;
    this.stopPinEntry = undefined;
    stop();
    return true;
  }

  /** RDR_to_PC_NotifySlotChange for the interrupt pipe when the card moved since the last call. */
  takeSlotChange(): Uint8Array | undefined {
    if (!this.slotChangePending) return undefined;
    this.slotChangePending = false;
    return encodeNotifySlotChange([{ present: this.cardPresent, changed: true }]);
  }

  /** One PC_to_RDR message in, its RDR_to_PC answer out. Never throws on hostile bytes. */
  async handle(message: Uint8Array): Promise<Uint8Array> {
    if (message.length < CCID_HEADER_LENGTH) {
      this.onActivity({ type: 'refused', message: `a CCID message of ${message.length} bytes is shorter than its header` });
      return encodeSlotStatus({ slot: 0, seq: 0, ...this.failed(CCID_ERROR.wrongLength) });
    }
    const msg = decodeCcidMessage(message, { direction: 'out', tpduLevel: true });
    const address = { slot: msg.bSlot ?? 0, seq: msg.bSeq ?? 0 };
    const answerWith = answerBuilder(msg.bMessageType);
    if (msg.dwLength !== message.length - CCID_HEADER_LENGTH) {
      return answerWith({ ...address, ...this.failed(CCID_ERROR.wrongLength) });
    }
    if (address.slot !== 0)
      return answerWith({ ...address, commandStatus: COMMAND_FAILED, iccStatus: ICC_ABSENT, bError: CCID_ERROR.badSlot });
    if (this.busy && msg.bMessageType !== CCID_MESSAGE_CODE.PC_to_RDR_Abort)
      return answerWith({ ...address, ...this.failed(CCID_ERROR.slotBusy) });

    switch (msg.bMessageType) {
      case CCID_MESSAGE_CODE.PC_to_RDR_IccPowerOn:
        return this.powerOn(address);
      case CCID_MESSAGE_CODE.PC_to_RDR_IccPowerOff:
        this.powerOff();
        return encodeSlotStatus({ ...address, iccStatus: this.iccStatus() });
      case CCID_MESSAGE_CODE.PC_to_RDR_GetSlotStatus:
        return encodeSlotStatus({ ...address, iccStatus: this.iccStatus() });
      case CCID_MESSAGE_CODE.PC_to_RDR_XfrBlock:
        return this.xfrBlock(address, msg);
      case CCID_MESSAGE_CODE.PC_to_RDR_GetParameters:
        return this.answerParameters(address);
      case CCID_MESSAGE_CODE.PC_to_RDR_ResetParameters:
        if (this.powered) this.parameters = this.defaultParameters(this.atr);
        return this.answerParameters(address);
      case CCID_MESSAGE_CODE.PC_to_RDR_SetParameters:
        return this.setParameters(address, msg);
      case CCID_MESSAGE_CODE.PC_to_RDR_Escape:
        return this.escape(address, msg);
      case CCID_MESSAGE_CODE.PC_to_RDR_Secure:
        return this.secure(address, msg);
      case CCID_MESSAGE_CODE.PC_to_RDR_IccClock: // nothing to stop on a virtual card
      case CCID_MESSAGE_CODE.PC_to_RDR_Abort: // nothing is interruptible mid-transfer here
        return encodeSlotStatus({ ...address, iccStatus: this.iccStatus() });
      case CCID_MESSAGE_CODE.PC_to_RDR_SetDataRateAndClockFrequency:
        return encodeDataRateAndClockFrequency({
          ...address,
          iccStatus: this.iccStatus(),
          clockFrequency: this.profile.descriptor.dwDefaultClock,
          dataRate: this.profile.descriptor.dwDataRate,
        });
      default:
        // T0APDU, Mechanical and unknown types: not supported by this reader.
        return answerWith({ ...address, ...this.failed(CCID_ERROR.commandNotSupported) });
    }
  }

  private iccStatus(): number {
    if (!this.card) return ICC_ABSENT;
    return this.powered ? ICC_PRESENT_ACTIVE : ICC_PRESENT_INACTIVE;
  }

  private failed(bError: number): { commandStatus: number; iccStatus: number; bError: number } {
    return { commandStatus: COMMAND_FAILED, iccStatus: this.iccStatus(), bError };
  }

  private powerOn(address: { slot: number; seq: number }): Uint8Array {
    if (!this.card) return encodeDataBlock({ ...address, ...this.failed(CCID_ERROR.iccMute), data: new Uint8Array(0) });
    const atr = this.card.reset();
    this.powered = true;
    this.atr = atr;
    this.parameters = this.defaultParameters(atr);
    this.t1 = undefined;
    if (this.card.protocol === 'T=1') {
      const card = this.card;
      this.t1 = new T1CardLink(this.exchangeWith(card, 'xfr-block'), { ifsc: parseAtr(atr).t1?.ifsc ?? 32 });
    }
    this.onActivity({ type: 'power-on', atr });
    return encodeDataBlock({ ...address, data: atr });
  }

  private powerOff(): void {
    if (this.powered) this.onActivity({ type: 'power-off' });
    this.powered = false;
    this.t1 = undefined;
  }

  /** Parameters right after activation: what the ATR says (IFSC, BWI/CWI), Fi/Di 372/1. */
  private defaultParameters(atr?: Uint8Array): CurrentParameters {
    if (this.card?.protocol === 'T=1') {
      const t1 = atr ? parseAtr(atr).t1 : undefined;
      const waiting = ((t1?.bwi ?? 4) << 4) | (t1?.cwi ?? 13);
      return {
        protocolNum: 1,
        data: encodeProtocolParameters({ protocol: 'T=1', bmFindexDindex: 0x11, bmWaitingIntegersT1: waiting, bIFSC: t1?.ifsc ?? 32 }),
      };
    }
    return { protocolNum: 0, data: encodeProtocolParameters({ protocol: 'T=0', bmFindexDindex: 0x11 }) };
  }

  private answerParameters(address: { slot: number; seq: number }): Uint8Array {
    if (!this.powered || !this.parameters) {
      return encodeParameters({ ...address, ...this.failed(CCID_ERROR.iccMute), protocolNum: 0, protocolData: new Uint8Array(0) });
    }
    return encodeParameters({
      ...address,
      iccStatus: this.iccStatus(),
      protocolNum: this.parameters.protocolNum,
      protocolData: this.parameters.data,
    });
  }

  private setParameters(address: { slot: number; seq: number }, msg: CcidMessage): Uint8Array {
    if (!this.powered) return this.answerParameters(address);
    const protocolNum = msg.fields.bProtocolNum ?? -1;
    const cardProtocolNum = this.card?.protocol === 'T=1' ? 1 : 0;
    if (protocolNum !== cardProtocolNum) {
      return encodeParameters({
        ...address,
        ...this.failed(CCID_ERROR.badProtocolNum),
        protocolNum: this.parameters!.protocolNum,
        protocolData: this.parameters!.data,
      });
    }
    const data = msg.data?.bytes ?? new Uint8Array(0);
    const decoded = decodeProtocolParameterBytes(data, protocolNum);
    if (!decoded.parameters || decoded.problems.some((p) => p.severity === 'error')) {
      return encodeParameters({
        ...address,
        ...this.failed(CCID_ERROR.badData),
        protocolNum: this.parameters!.protocolNum,
        protocolData: this.parameters!.data,
      });
    }
    this.parameters = { protocolNum, data: Uint8Array.from(data) };
    return this.answerParameters(address);
  }

  private xfrBlock(address: { slot: number; seq: number }, msg: CcidMessage): Uint8Array {
    const card = this.card;
    if (!card || !this.powered) return encodeDataBlock({ ...address, ...this.failed(CCID_ERROR.iccMute), data: new Uint8Array(0) });
    const payload = msg.data?.bytes ?? new Uint8Array(0);
    if (card.protocol === 'T=1') return encodeDataBlock({ ...address, data: this.t1!.receive(payload) });
    if (payload.length < 4) return encodeDataBlock({ ...address, ...this.failed(CCID_ERROR.badData), data: new Uint8Array(0) });
    return encodeDataBlock({ ...address, data: this.exchangeWith(card, 'xfr-block')(payload) });
  }

  private escape(address: { slot: number; seq: number }, msg: CcidMessage): Uint8Array {
    const answer = answerGemPcEscape(this.profile, msg.data?.bytes ?? new Uint8Array(0));
    this.onActivity({ type: 'escape', command: answer.command, ok: answer.ok });
    if (!answer.ok) return encodeEscapeResponse({ ...address, ...this.failed(CCID_ERROR.commandNotSupported), data: new Uint8Array(0) });
    return encodeEscapeResponse({ ...address, iccStatus: this.iccStatus(), data: answer.data });
  }

  /** The card's exchange, with a PIN-free activity line per APDU. */
  private exchangeWith(card: SmartCard, via: 'xfr-block' | 'secure'): ApduExchange {
    return (apdu) => {
      const response = card.transmit(apdu);
      const sw = response.length >= 2 ? (response[response.length - 2]! << 8) | response[response.length - 1]! : undefined;
      this.onActivity({ type: 'apdu', cla: apdu[0] ?? 0, ins: apdu[1] ?? 0, sw, via });
      return response;
    };
  }

  // ---- Secure (PIN verify / modify on the keypad) ------------------------------------------------

  private async secure(address: { slot: number; seq: number }, msg: CcidMessage): Promise<Uint8Array> {
    const secure = msg.secure;
    const refuse = (bError: number, message: string): Uint8Array => {
      this.onActivity({ type: 'refused', message });
      return encodeDataBlock({ ...address, ...this.failed(bError), data: new Uint8Array(0) });
    };
    if (!this.card || !this.powered) return refuse(CCID_ERROR.iccMute, 'PIN entry asked with no active card');
    if (!secure || msg.problems.some((p) => p.severity === 'error') || !secure.apdu) {
      return refuse(CCID_ERROR.badData, 'Secure structure not understood (truncated or unsupported PIN operation)');
    }
    if ((secure.operation !== 'verify' || !secure.verify) && (secure.operation !== 'modify' || !secure.modify)) {
      return refuse(CCID_ERROR.commandNotSupported, `PIN operation ${secure.operation} is not supported`);
    }
    const card = this.card;
    const operation = secure.operation;
    const fields = (secure.verify ?? secure.modify)!;
    const template = secure.apdu;

    this.busy = true;
    let entries: Map<PinEntryStep, string>;
    try {
      const aborted = new Promise<{ kind: 'aborted' }>((resolve) => {
        this.stopPinEntry = () => resolve({ kind: 'aborted' });
      });
      const collected = await Promise.race([collectPins(this.keypad, operation, fields), aborted]);
      if (collected.kind === 'aborted') {
        this.keypad.abort?.();
        this.onActivity({ type: 'pin-entry', operation, outcome: 'aborted' });
        return encodeDataBlock({ ...address, ...this.failed(CCID_ERROR.commandAborted), data: new Uint8Array(0) });
      }
      if (collected.kind !== 'digits') {
        this.onActivity({ type: 'pin-entry', operation, outcome: collected.kind === 'cancel' ? 'cancelled' : 'timeout' });
        const bError = collected.kind === 'cancel' ? CCID_ERROR.pinCancelled : CCID_ERROR.pinTimeout;
        return encodeDataBlock({ ...address, ...this.failed(bError), data: new Uint8Array(0) });
      }
      entries = collected.entries;
    } finally {
      this.busy = false;
      this.stopPinEntry = undefined;
    }
    // The card may have gone while the user typed.
    if (this.card !== card || !this.powered) return refuse(CCID_ERROR.iccMute, 'the card left during PIN entry');

    let readerAnswer: Uint8Array | undefined;
    let apdu = template.bytes;
    const outcome = checkEntries(operation, fields, entries);
    if (outcome !== 'entered') {
      readerAnswer = readerStatusWord(outcome);
    } else {
      try {
        apdu =
          operation === 'verify'
            ? completeVerifyApdu(template, fields, entries.get('pin')!)
            : completeModifyApdu(template, fields, entries.get('current-pin'), entries.get('new-pin')!);
      } catch (error) {
        if (!(error instanceof PinInsertionError)) throw error;
        this.onActivity({ type: 'pin-entry', operation, outcome: 'not-insertable' });
        return refuse(CCID_ERROR.badData, error.message);
      }
    }
    this.onActivity({ type: 'pin-entry', operation, outcome });
    const exchange: ApduExchange = readerAnswer ? () => readerAnswer : this.exchangeWith(card, 'secure');

    if (card.protocol === 'T=1') {
      // libccid put the I-block prologue (NAD, PCB with its N(S)) in bTeoPrologue; LEN follows the completed APDU.
      const [nad, pcb] = fields.bTeoPrologue;
      if (apdu.length > 254) return refuse(CCID_ERROR.badData, 'the PIN APDU does not fit in one T=1 block');
      const block = encodeT1Block({ kind: 'I', ns: ((pcb >> 6) & 1) as 0 | 1, inf: apdu, nad });
      return encodeDataBlock({ ...address, data: this.t1!.receive(block, exchange) });
    }
    return encodeDataBlock({ ...address, data: exchange(apdu) });
  }
}

/** An answer of the type the command expects (its row in message-types), for failures decided before the command runs. */
function answerBuilder(commandType: number): (status: AnswerStatus) => Uint8Array {
  switch (messageTypeByCode(commandType)?.answer) {
    case 'RDR_to_PC_DataBlock':
      return (s) => encodeDataBlock({ ...s, data: new Uint8Array(0) });
    case 'RDR_to_PC_Parameters':
      return (s) => encodeParameters({ ...s, protocolNum: 0, protocolData: new Uint8Array(0) });
    case 'RDR_to_PC_Escape':
      return (s) => encodeEscapeResponse({ ...s, data: new Uint8Array(0) });
    default:
      // Including SetDataRateAndClockFrequency's: a status is all a refusal needs to carry.
      return (s) => encodeSlotStatus(s);
  }
}
