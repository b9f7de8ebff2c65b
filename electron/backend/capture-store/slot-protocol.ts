/**
 * Whether a message's abData is a T=1 block, and with which EDC. A TPDU-level reader carries the
 * card's protocol as is: T=0 TPDUs or T=1 blocks. Which one follows from the last ATR the slot
 * answered (its first offered protocol, or the specific mode) and any SetParameters/Parameters
 * after it (bProtocolNum, and bmTCCKST1's checksum bit); found by walking the slot's earlier
 * rows back, on the typed columns, only for the one message a user selects.
 *
 * A reader without a class descriptor (its level unknown) is read as core/trace reads it: a T=1
 * slot whose abData is a well-formed block (EDC right) carries blocks.
 */
import { CCID_HEADER_LENGTH, CCID_MESSAGE_CODE } from '#core/ccid/message-types.js';
import { parseAtr } from '#core/iso7816/atr.js';
import { decodeT1Block, type T1Edc } from '#core/iso7816/t1.js';
import { PAYLOAD_KINDS, type StoredRows } from './row-columns.js';

const KIND_ATR = PAYLOAD_KINDS.indexOf('atr');
const KIND_TPDU = PAYLOAD_KINDS.indexOf('tpdu');
const KIND_APDU = PAYLOAD_KINDS.indexOf('apdu');
const KIND_RESPONSE = PAYLOAD_KINDS.indexOf('response-apdu');
const PROTOCOL_T1 = 1;
const BPROTOCOLNUM = 7;
/** bmTCCKST1 bit 0: CRC rather than LRC. */
const TCCK_CRC = 0x01;

interface SlotProtocol {
  protocol: number | undefined;
  edc: T1Edc | undefined;
}

/** How to read a row's abData as a T=1 block. */
export interface T1Reading {
  edc: T1Edc;
  /** The slot's previous block in the same direction was an I-block with M set: this INF goes on an APDU begun there. */
  continuesChain: boolean;
}

/** How to read the row's abData as a T=1 block, or undefined when it is not one. */
export function t1ReadingOf(rows: StoredRows, row: number): T1Reading | undefined {
  const edc = t1EdcOf(rows, row);
  return edc === undefined ? undefined : { edc, continuesChain: previousBlockChains(rows, row, edc) };
}

/** The EDC to read the row's abData as a T=1 block with, or undefined when it is not one. */
function t1EdcOf(rows: StoredRows, row: number): T1Edc | undefined {
  const c = rows.columns;
  const kind = c.kind[row];
  if (kind !== KIND_TPDU && kind !== KIND_APDU && kind !== KIND_RESPONSE) return undefined;
  const data = rows.bytes(row).subarray(CCID_HEADER_LENGTH);
  if (data.length === 0) return undefined;
  const slot = protocolBefore(rows, row);
  const cleanWith = (edc: T1Edc): boolean => decodeT1Block(data, { edc }).problems.length === 0;
  if (slot.protocol === PROTOCOL_T1) {
    const edc = slot.edc ?? 'lrc';
    return kind === KIND_TPDU || cleanWith(edc) ? edc : undefined;
  }
  // No ATR or parameters in the capture (it began later): a TPDU that is a well-formed block is one.
  if (slot.protocol === undefined && kind === KIND_TPDU) return (['lrc', 'crc'] as const).find(cleanWith);
  return undefined;
}

function previousBlockChains(rows: StoredRows, row: number, edc: T1Edc): boolean {
  const c = rows.columns;
  for (let i = row - 1; i >= 0; i--) {
    if (c.device[i] !== c.device[row] || c.slot[i] !== c.slot[row] || c.direction[i] !== c.direction[row]) continue;
    if (c.messageType[i] !== c.messageType[row]) return false;
    const block = decodeT1Block(rows.bytes(i).subarray(CCID_HEADER_LENGTH), { edc });
    // An R- or S-block in between (a retransmission asked for, a WTX) does not end the chain.
    if (block.kind === 'I') return block.more === true;
  }
  return false;
}

/** The protocol in force on the row's slot when the row was sent, from the rows before it. */
function protocolBefore(rows: StoredRows, row: number): SlotProtocol {
  const c = rows.columns;
  const device = c.device[row];
  const slotNumber = c.slot[row];
  for (let i = row - 1; i >= 0; i--) {
    if (c.device[i] !== device || c.slot[i] !== slotNumber) continue;
    const type = c.messageType[i];
    if (type === CCID_MESSAGE_CODE.RDR_to_PC_Parameters || type === CCID_MESSAGE_CODE.PC_to_RDR_SetParameters) {
      // The latest parameters hold (a reader's answer echoes what it set): bProtocolNum, and for T=1 its checksum.
      const bytes = rows.bytes(i);
      const protocol = bytes[BPROTOCOLNUM];
      if (protocol === undefined) continue;
      const tcck = bytes[CCID_HEADER_LENGTH + 1];
      return { protocol, edc: protocol === PROTOCOL_T1 && tcck !== undefined ? ((tcck & TCCK_CRC) !== 0 ? 'crc' : 'lrc') : undefined };
    }
    if (c.kind[i] === KIND_ATR) {
      // A new ATR resets the card: nothing older counts.
      const atr = parseAtr(rows.bytes(i).subarray(CCID_HEADER_LENGTH));
      // Without TD1 an ATR offers T=0 only.
      const protocol = atr.specificMode?.protocol ?? atr.protocols[0] ?? 0;
      return { protocol, edc: protocol === PROTOCOL_T1 ? atr.t1?.edc : undefined };
    }
  }
  return { protocol: undefined, edc: undefined };
}
