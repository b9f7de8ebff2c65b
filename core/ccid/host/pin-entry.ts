/**
 * PIN entry on the reader's keypad with PC_to_RDR_Secure: the PC/SC structure turned into CCID
 * abData, the wait (the user's time per entry plus the card's), and at T=1 TPDU level the part the
 * reader leaves to the host: the I-block prologue written into bTeoPrologue with the host's N(S),
 * and the card's answer run through the host's T=1 engine. The outcome comes from the reader's
 * bError (cancelled, timed out) or the card's status word.
 */
import { decodePinModifyStructure, decodePinVerifyStructure } from '#core/pcsc/pin-structures.js';
import type { CcidClassDescriptor } from '../class-descriptor.js';
import { secureDataFromPinModifyBytes, secureDataFromPinVerifyBytes } from '../secure-from-pcsc.js';
import { CCID_BERROR } from '../value-tables.js';
import { CcidError, failureError } from './ccid-error.js';
import type { CcidAnswer } from './ccid-message-channel.js';
import { pinOutcomeFromBError, pinOutcomeFromResponse, type PinOperationOutcome } from './pin-outcome.js';
import type { T1BlockLink, T1Engine } from './t1-engine.js';

export type PinEntryOperation = 'verify' | 'modify';

/** A PIN request as the reader takes it: Secure abData (bPINOperation first) and the APDU template it ends with. */
export interface SecurePinRequest {
  abData: Uint8Array;
  template: Uint8Array;
}

/** What PIN entry needs of the driver's slot. */
export interface PinEntryPath {
  /** One PC_to_RDR_Secure with this abData, waiting `timeoutMs` (times the multiplier of a time extension). */
  sendSecure(abData: Uint8Array, timeoutMs: number): Promise<CcidAnswer>;
  /** T=1 at TPDU level: the slot's engine and its way to the card. */
  t1?: { engine: T1Engine; link: T1BlockLink } | undefined;
  /** The card's time to answer `bytes` bytes of APDU. */
  cardTimeoutMs(bytes: number): number;
  /** The wait per entry when bTimeOut is 0 ("the reader's default"). */
  defaultEntryMs: number;
}

/** From a PC/SC PIN_VERIFY_STRUCTURE or PIN_MODIFY_STRUCTURE (what SCardControl takes); throws a bad-request CcidError when it cannot be read. */
export function securePinRequest(operation: PinEntryOperation, structure: Uint8Array): SecurePinRequest {
  const converted = operation === 'verify' ? secureDataFromPinVerifyBytes(structure) : secureDataFromPinModifyBytes(structure);
  const decoded = operation === 'verify' ? decodePinVerifyStructure(structure) : decodePinModifyStructure(structure);
  const template = decoded.structure?.apdu.bytes;
  if (!converted.data || !template)
    throw badStructure(operation === 'verify' ? 'PIN_VERIFY_STRUCTURE' : 'PIN_MODIFY_STRUCTURE', converted.problems);
  return { abData: converted.data, template };
}

export function assertPinPad(descriptor: Pick<CcidClassDescriptor, 'bPINSupport'>): void {
  if (descriptor.bPINSupport === 0) {
    throw new CcidError(
      'unsupported',
      'This reader has no PIN pad (bPINSupport 0).',
      'Verify the PIN with an ordinary VERIFY APDU instead.',
    );
  }
}

/** Thrown inside the T=1 engine's exchange to stop it once the reader has reported the outcome itself. */
class PinEntryStopped extends Error {}

export async function enterPin(path: PinEntryPath, operation: PinEntryOperation, request: SecurePinRequest): Promise<PinOperationOutcome> {
  const { abData, template } = request;
  const timeOutSeconds = abData[1] ?? 0;
  const entries = operation === 'verify' ? 1 : 3;
  const timeoutMs = entries * (timeOutSeconds > 0 ? timeOutSeconds * 1000 : path.defaultEntryMs) + path.cardTimeoutMs(template.length);
  const reportFailure = (answer: CcidAnswer): PinOperationOutcome => {
    const outcome = pinOutcomeFromBError(operation, answer.status.bError);
    if (outcome) return outcome;
    if (answer.status.bError === CCID_BERROR.CMD_NOT_SUPPORTED) {
      throw new CcidError(
        'unsupported',
        'The reader refused PIN entry (PC_to_RDR_Secure not supported).',
        'Verify the PIN with an ordinary VERIFY APDU instead.',
        0,
      );
    }
    throw failureError(answer, 'PIN entry');
  };

  if (path.t1) {
    let early: PinOperationOutcome | undefined;
    const teoOffset = abData.length - template.length - 3;
    const response = await path.t1.engine
      .transceive(template, path.t1.link, async (ns) => {
        const data = Uint8Array.from(abData);
        data[teoOffset] = 0; // NAD
        data[teoOffset + 1] = ns << 6; // PCB of an I-block with our N(S)
        data[teoOffset + 2] = 0; // LEN: the reader fills it in
        const answer = await path.sendSecure(data, timeoutMs);
        if (answer.status.commandStatus === 'failed') {
          early = reportFailure(answer);
          throw new PinEntryStopped();
        }
        return Uint8Array.from(answer.data);
      })
      .catch((error: unknown) => {
        if (error instanceof PinEntryStopped) return undefined;
        throw error;
      });
    return early ?? pinOutcomeFromResponse(operation, response!);
  }
  const answer = await path.sendSecure(abData, timeoutMs);
  if (answer.status.commandStatus === 'failed') return reportFailure(answer);
  return pinOutcomeFromResponse(operation, Uint8Array.from(answer.data));
}

function badStructure(name: string, problems: readonly { message: string }[]): CcidError {
  return new CcidError(
    'bad-request',
    `The ${name} was refused: ${problems.map((p) => p.message).join('; ') || 'it could not be read'}.`,
    'Fix the structure (the pinpad wizard shows each field).',
  );
}
