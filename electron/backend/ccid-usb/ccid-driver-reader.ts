/**
 * One CCID reader (a CcidDriver and one of its slots) as a ReaderBackend sees it: the card state
 * kept from NotifySlotChange, the card powered on demand, APDUs timed, part 10 control codes for
 * the keypad answered the way libccid answers them. Shared by the built-in virtual reader and
 * direct USB readers, so both behave the same.
 */
import { CardbenchError } from '#core/ipc/errors.js';
import { CcidError } from '#core/ccid/host/ccid-error.js';
import type { CardActivation, CcidDriver } from '#core/ccid/host/ccid-driver.js';
import type { PinOperationOutcome } from '#core/ccid/host/pin-outcome.js';
import { hexLiteral, toHex } from '#core/bytes/hex.js';
import {
  CM_IOCTL_GET_FEATURE_REQUEST_LINUX,
  CM_IOCTL_GET_FEATURE_REQUEST_WINDOWS,
  LIBCCID_IOCTL_MAGIC,
  scardCtlCodeLinux,
} from '#core/pcsc/control-codes.js';
import { encodeFeatureList } from '#core/pcsc/features.js';
import { abandonOnAbort, CallStoppedError, throwIfStopped } from '../abortable.js';
import type {
  ActiveProtocol,
  BackendReader,
  Disposition,
  ReaderTransmitResult,
  SecurePinAnswer,
  SecurePinEntry,
} from '../reader-backend.js';

const FEATURE_VERIFY_PIN_DIRECT = 0x06;
const FEATURE_MODIFY_PIN_DIRECT = 0x07;
/** libccid's codes: SCARD_CTL_CODE(0x330000 + feature tag). */
export const VERIFY_PIN_DIRECT_CODE = scardCtlCodeLinux(LIBCCID_IOCTL_MAGIC + FEATURE_VERIFY_PIN_DIRECT);
export const MODIFY_PIN_DIRECT_CODE = scardCtlCodeLinux(LIBCCID_IOCTL_MAGIC + FEATURE_MODIFY_PIN_DIRECT);

export class CcidDriverReader {
  private cardPresent = false;
  private activation: CardActivation | undefined;
  private activating: Promise<CardActivation> | undefined;
  /** PIN entries in progress through securePinEntry (what abortPinEntry may abort). */
  private pinEntries = 0;

  constructor(
    readonly name: string,
    readonly driver: CcidDriver,
    readonly slot: number,
    private readonly now: () => number,
    private readonly changed: () => void,
  ) {
    driver.onEvent((event) => {
      if (event.type === 'card-inserted' && event.slot === slot) {
        this.cardPresent = true;
        this.activation = undefined;
        void this.connect().catch(() => undefined);
      } else if ((event.type === 'card-removed' || event.type === 'hardware-error') && event.slot === slot) {
        this.cardPresent = event.type === 'hardware-error' && this.cardPresent;
        this.activation = undefined;
      } else if (event.type === 'device-gone') {
        this.cardPresent = false;
        this.activation = undefined;
      } else {
        return;
      }
      this.changed();
    });
  }

  snapshot(): BackendReader {
    return { name: this.name, cardPresent: this.cardPresent, atr: this.activation ? toHex(this.activation.atr).toUpperCase() : null };
  }

  /** Reads the slot state and powers a present card (what pcscd does on insertion, so the ATR is known). */
  async start(): Promise<void> {
    const state = await this.driver.slotStatus(this.slot);
    this.cardPresent = state !== 'absent';
    if (this.cardPresent) await this.connect();
    this.changed();
  }

  /** With `signal`, the caller stops waiting when it fires, and the command in flight is aborted (see stoppable). */
  async transmit(apdu: Uint8Array, signal?: AbortSignal): Promise<ReaderTransmitResult> {
    throwIfStopped(signal, `the answer of the card in ${this.name}`);
    const activation = await this.stoppable(this.connect(), signal, `the card in ${this.name} to power on`);
    const started = this.now();
    const response = await this.stoppable(
      this.run(() => this.driver.transmit(this.slot, apdu)),
      signal,
      `the answer of the card in ${this.name}`,
    );
    return { response, ms: this.now() - started, protocol: activation.protocol as ActiveProtocol };
  }

  async control(code: number, data: Uint8Array, signal?: AbortSignal): Promise<Uint8Array> {
    const code32 = code >>> 0;
    if (code32 === CM_IOCTL_GET_FEATURE_REQUEST_LINUX || code32 === CM_IOCTL_GET_FEATURE_REQUEST_WINDOWS) {
      const features: { tag: number; controlCode: number }[] = [];
      const pin = this.driver.descriptor.pinSupport;
      if (pin.verify) features.push({ tag: FEATURE_VERIFY_PIN_DIRECT, controlCode: VERIFY_PIN_DIRECT_CODE });
      if (pin.modify) features.push({ tag: FEATURE_MODIFY_PIN_DIRECT, controlCode: MODIFY_PIN_DIRECT_CODE });
      return encodeFeatureList(features);
    }
    if (code32 === VERIFY_PIN_DIRECT_CODE || code32 === MODIFY_PIN_DIRECT_CODE) {
      throwIfStopped(signal, `the PIN entry on ${this.name}`);
      await this.stoppable(this.connect(), signal, `the card in ${this.name} to power on`);
      const outcome = await this.stoppable(
        this.run(() =>
          code32 === VERIFY_PIN_DIRECT_CODE ? this.driver.verifyPin(this.slot, data) : this.driver.modifyPin(this.slot, data),
        ),
        signal,
        `the PIN entry on ${this.name}`,
      );
      return responseOf(outcome);
    }
    throw new CardbenchError('operation-failed', `Control code ${hexLiteral(code32, 1)} is not supported by ${this.name}.`);
  }

  /**
   * PC_to_RDR_Secure with abData as built for this request: the reader's answer as it came, the
   * card's response or the bError of a refused or stopped entry (cancelled, timeout, aborted,
   * a field the reader does not support), so the caller explains it from the real value.
   */
  async securePinEntry(entry: SecurePinEntry): Promise<SecurePinAnswer> {
    await this.connect();
    this.pinEntries++;
    try {
      return await this.run(async (): Promise<SecurePinAnswer> => {
        try {
          const outcome = await this.driver.secure(this.slot, entry.operation, entry.abData, entry.template);
          if (outcome.response) return { response: outcome.response };
          return { bError: outcome.bError ?? 0 };
        } catch (error) {
          if (error instanceof CcidError && error.bError !== undefined && (error.code === 'command-failed' || error.code === 'unsupported'))
            return { bError: error.bError };
          throw error;
        }
      });
    } finally {
      this.pinEntries--;
    }
  }

  /** CCID Abort of the PIN entry in progress (the reader answers it CMD_ABORTED); false when none is. */
  async abortPinEntry(): Promise<boolean> {
    if (this.pinEntries === 0) return false;
    return this.driver.abort(this.slot);
  }

  async disconnect(disposition: Disposition = 'leave'): Promise<void> {
    if (disposition === 'leave' || !this.activation) return;
    this.activation = undefined;
    if (disposition === 'unpower') await this.run(() => this.driver.powerOff(this.slot));
    else await this.connect();
    this.changed();
  }

  /** The active card, powering it on when needed (one activation at a time). */
  private connect(): Promise<CardActivation> {
    if (this.activation) return Promise.resolve(this.activation);
    this.activating ??= this.run(() => this.driver.powerOn(this.slot))
      .then((activation) => {
        this.activation = activation;
        this.cardPresent = true;
        this.changed();
        return activation;
      })
      .finally(() => {
        this.activating = undefined;
      });
    return this.activating;
  }

  /**
   * Waits for `operation` unless `signal` fires first. Then the command still waiting on the
   * reader is aborted (CCID §5.3.1: the reader answers it CMD_ABORTED, and the bulk pipe is free
   * for the next one), and the card, left mid-exchange, is powered anew by the next call.
   */
  private async stoppable<T>(operation: Promise<T>, signal: AbortSignal | undefined, what: string): Promise<T> {
    try {
      return await abandonOnAbort(operation, signal, what);
    } catch (error) {
      if (error instanceof CallStoppedError) {
        this.activation = undefined;
        void this.driver.abort(this.slot).catch(() => false);
      }
      throw error;
    }
  }

  /** CcidError → CardbenchError with the driver's advice; a lost activation is dropped. */
  private async run<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (error instanceof CcidError) {
        if (['no-card', 'card-inactive', 'card-mute', 'device-gone', 't1-failed', 'reader-timeout'].includes(error.code))
          this.activation = undefined;
        if (error.code === 'no-card') this.cardPresent = false;
        throw new CardbenchError('operation-failed', `${this.name}: ${error.message}`, `ccid:${error.code}`);
      }
      throw error;
    }
  }
}

/** What SCardControl returns for a PIN entry: the card's SW, or the part 10 SW the reader makes up. */
export function responseOf(outcome: PinOperationOutcome): Uint8Array {
  if (outcome.response) return outcome.response;
  if (outcome.kind === 'cancelled') return Uint8Array.of(0x64, 0x01);
  if (outcome.kind === 'timeout') return Uint8Array.of(0x64, 0x00);
  return Uint8Array.of(0x6f, 0x00);
}
