/**
 * bStatus and bError, which every RDR_to_PC bulk message carries (CCID 1.1 §6.2.6): the card's
 * state (bmICCStatus), how the command went (bmCommandStatus), and bError read as that says. The
 * host channel and the trace's fast path read them without decoding the rest of the message.
 */
import { hexLiteral } from '../bytes/hex.js';
import { field, type DissectNode, type Problem } from '../dissect/node.js';
import { COMMAND_STATUS_NAMES, describeBError, ICC_STATUS_NAMES } from './value-tables.js';

export type IccStatus = 'present-active' | 'present-inactive' | 'absent' | 'rfu';
export type CommandStatus = 'ok' | 'failed' | 'time-extension' | 'rfu';

const ICC_STATUS: readonly IccStatus[] = ['present-active', 'present-inactive', 'absent', 'rfu'];
const COMMAND_STATUS: readonly CommandStatus[] = ['ok', 'failed', 'time-extension', 'rfu'];

/** bStatus split, with bError read as its bmCommandStatus says. */
export interface CcidSlotStatus {
  bStatus: number;
  bmICCStatus: number;
  iccStatus: IccStatus;
  bmCommandStatus: number;
  commandStatus: CommandStatus;
  bError: number;
  /** Spec name of the error ('ICC_MUTE', 'CMD_NOT_SUPPORTED', 'BAD_PARAMETER'…) when the command failed. */
  errorName?: string;
  errorMeaning: string;
}

export function decodeSlotStatus(bStatus: number, bError: number): CcidSlotStatus {
  const bmICCStatus = bStatus & 0x03;
  const bmCommandStatus = (bStatus >> 6) & 0x03;
  const meaning = describeBError(bError, bmCommandStatus);
  const out: CcidSlotStatus = {
    bStatus,
    bmICCStatus,
    iccStatus: ICC_STATUS[bmICCStatus]!,
    bmCommandStatus,
    commandStatus: COMMAND_STATUS[bmCommandStatus]!,
    bError,
    errorMeaning: meaning.meaning,
  };
  if (meaning.name) out.errorName = meaning.name;
  return out;
}

/** The dissect nodes of bStatus (with its two bit fields) and bError at `offset`; bStatus carries a problem when reserved bits are set. */
export function slotStatusNodes(status: CcidSlotStatus, offset: number): [DissectNode, DissectNode] {
  const { bStatus, bError } = status;
  const statusNode = field(
    'ccid.bStatus',
    `bStatus: ${hexLiteral(bStatus)} (${ICC_STATUS_NAMES[status.bmICCStatus]}, command ${COMMAND_STATUS_NAMES[status.bmCommandStatus]})`,
    offset,
    1,
    bStatus,
    [
      field(
        'ccid.bmICCStatus',
        `bmICCStatus: ${status.bmICCStatus} (${ICC_STATUS_NAMES[status.bmICCStatus]})`,
        offset,
        1,
        status.bmICCStatus,
      ),
      field(
        'ccid.bmCommandStatus',
        `bmCommandStatus: ${status.bmCommandStatus} (${COMMAND_STATUS_NAMES[status.bmCommandStatus]})`,
        offset,
        1,
        status.bmCommandStatus,
      ),
    ],
  );
  if ((bStatus & 0x3c) !== 0) {
    const problem: Problem = { code: 'reserved-nonzero', message: 'bStatus bits 5-2 are not zero', severity: 'warning' };
    statusNode.problem = problem;
  }
  const errorLabel = status.errorName ? `${status.errorName}: ${status.errorMeaning}` : status.errorMeaning;
  return [statusNode, field('ccid.bError', `bError: ${hexLiteral(bError)} (${errorLabel})`, offset + 1, 1, bError)];
}
