/**
 * The Pinpad workbench's backend, behind every channel of core/ipc/channels/pinpad.ts and
 * `cardbench pin`: presets and previews (pure core/pinpad), what a reader offers (the Readers
 * inspection), the retry-counter guard, PIN entry on the reader's keypad — SCardControl with the
 * control code the reader announced on PC/SC, PC_to_RDR_Secure through Cardbench's CCID driver on
 * the built-in virtual reader and direct USB — its cancellation, the software path and profiles.
 *
 * One PIN entry per reader at a time: a second run, a retry query or an inspection of a reader
 * whose keypad is waiting is refused with a sentence (the reader is busy, and on PC/SC another
 * call would queue behind the entry inside pcscd).
 *
 * PINs: only runSoftware sees digits. They go into one APDU buffer, which is wiped once sent;
 * errors name sizes and fields, never digits; nothing here logs, stores or returns them.
 */
import { toHex } from '#core/bytes/hex.js';
import type { PinpadRunState, PinRunResult, PinTriesResult, PinpadPath } from '#core/ipc/channels/pinpad.js';
import { CardbenchError } from '#core/ipc/errors.js';
import type { PinOperationName } from '#core/pcsc/pin-format.js';
import { pinEntryTimeoutMs } from '#core/pinpad/keypad-prompts.js';
import { PinParameterError, settingsFromRecord } from '#core/pinpad/parameters.js';
import { explainPinOutcome, type PinpadOutcome } from '#core/pinpad/pin-outcome.js';
import { buildPinRequest, type PinRequest } from '#core/pinpad/pin-request.js';
import { pinPresetView, pinRequestView, type PinPresetView, type PinRequestView } from '#core/pinpad/pin-request-view.js';
import { PIN_PRESETS } from '#core/pinpad/presets.js';
import { pinpadCapabilities, type PinpadCapabilities } from '#core/pinpad/reader-capabilities.js';
import { decideRun, probeUnavailable, readRetryCounter, type RunDecision } from '#core/pinpad/retry-guard.js';
import { buildSoftwarePinApdu, SoftwarePinError, type SoftwarePins } from '#core/pinpad/software-pin.js';
import { decodeConfirmPin } from '#core/pcsc/pin-format.js';
import { CallStoppedError } from '../abortable.js';
import type { ReaderBackend, SecurePinAnswer } from '../reader-backend.js';
import { inspectReader } from '../readers/reader-inspector.js';
import type { HubReader, ReaderHub } from '../readers/reader-hub.js';

export interface PinRunArgs {
  reader: string;
  preset: string;
  operation: PinOperationName;
  overrides?: Record<string, number | string> | undefined;
  select: boolean;
  confirmLastTry: boolean;
  /** A SELECT to send instead of the preset's (`cardbench pin --select`), e.g. for the generic ISO presets. */
  selectApdu?: Uint8Array;
}

export type PinSoftwareRunArgs = PinRunArgs & SoftwarePins;

export interface PinpadServiceOptions {
  hub: ReaderHub;
  /** Each step of a run, for the wizard's countdown and the CLI's prompt. */
  onRunState?: (state: PinpadRunState) => void;
  smartcardListPaths?: readonly string[];
  now?: () => number;
}

/** What the reader offers, and the control codes it announced (PC/SC part 10 feature list). */
interface ReaderOffer {
  capabilities: PinpadCapabilities;
  features: Record<string, string>;
}

/** A run holding a reader, and how to end its PIN entry. */
interface PendingRun {
  stage: 'before-keypad' | 'keypad' | 'after';
  cancelRequested: boolean;
  cancel: () => Promise<{ cancelled: boolean; detail: string }>;
}

/** How a keypad run reaches the reader. */
type KeypadRoute =
  | { path: 'pcsc-part10'; controlCode: number }
  | { path: 'ccid-secure'; backend: ReaderBackend & Required<Pick<ReaderBackend, 'securePinEntry'>> };

const PCSC_CANNOT_CANCEL =
  'PC/SC cannot stop a PIN entry in progress here: with pcsc-lite and libccid, SCardCancel returns at once and changes nothing, and SCardDisconnect or releasing the context wait until the entry ends. Press Cancel on the reader, or let its timeout end the entry.';

/** SW 90 00 or 61 xx: the application is there. */
function selectWorked(response: Uint8Array): boolean {
  const sw1 = response[response.length - 2];
  const sw2 = response[response.length - 1];
  return response.length >= 2 && ((sw1 === 0x90 && sw2 === 0x00) || sw1 === 0x61);
}

function swHex(response: Uint8Array): string {
  return response.length >= 2 ? toHex(response.subarray(response.length - 2)) : toHex(response);
}

export class PinpadService {
  private readonly pending = new Map<string, PendingRun>();
  private readonly offers = new Map<string, ReaderOffer>();
  private readonly now: () => number;

  constructor(private readonly options: PinpadServiceOptions) {
    this.now = options.now ?? (() => performance.now());
  }

  presets(): PinPresetView[] {
    return PIN_PRESETS.map(pinPresetView);
  }

  /** The request as built, for a preview; with a reader, its capabilities shape it (as a run would). */
  async build(args: {
    preset: string;
    operation: PinOperationName;
    overrides?: Record<string, number | string> | undefined;
    reader?: string | undefined;
  }): Promise<PinRequestView> {
    let capabilities: PinpadCapabilities | null = null;
    if (args.reader) {
      const { reader } = this.options.hub.resolve(args.reader);
      // A reader whose keypad is waiting is not asked again: its last answer stands.
      capabilities = this.pending.has(reader.id)
        ? (this.offers.get(reader.id)?.capabilities ?? null)
        : (await this.offer(reader)).capabilities;
    }
    return pinRequestView(this.request(args, capabilities));
  }

  async capabilities(readerName: string, signal?: AbortSignal): Promise<PinpadCapabilities> {
    const { reader } = this.options.hub.resolve(readerName);
    this.assertFree(reader);
    return (await this.offer(reader, signal)).capabilities;
  }

  /** SELECT (when asked), then the preset's retry-counter probe when the card answers it safely. */
  async readTries(
    args: {
      reader: string;
      preset: string;
      operation?: PinOperationName | undefined;
      overrides?: Record<string, number | string> | undefined;
      select: boolean;
      selectApdu?: Uint8Array;
    },
    signal?: AbortSignal,
  ): Promise<PinTriesResult> {
    const { reader } = this.options.hub.resolve(args.reader);
    return this.holding(reader, async () => {
      const request = this.request({ ...args, operation: args.operation ?? 'verify' }, null);
      const select = await this.select(reader, request, args.select, signal, args.selectApdu);
      if (select && !selectWorked(select.response)) {
        return {
          reader: reader.id,
          probe: null,
          support: request.retryProbe.support,
          selectSw: select.sw,
          reading: probeUnavailable(`the SELECT of the application failed (${select.sw}).`),
          decision: { decision: 'refuse', sentence: `The application is not on this card: its SELECT answered ${select.sw}.` },
        };
      }
      return this.tries(reader, request, select?.sw ?? null, false, signal);
    });
  }

  /** A PIN entry on the reader's keypad: SELECT, the guard, then the keypad, with runState events. */
  async run(args: PinRunArgs, options: { signal?: AbortSignal } = {}): Promise<PinRunResult> {
    const { backend, reader } = this.options.hub.resolve(args.reader);
    return this.holding(reader, async (pending) => {
      // What the reader announced does not change while it is plugged in; asking again would also
      // close the card connection (the inspection does), and pcscd powers down a card nobody holds,
      // losing an application selected just before with --no-select.
      const offer = this.offers.get(reader.id) ?? (await this.offer(reader, options.signal));
      const request = this.request(args, offer.capabilities);
      const route = this.keypadRoute(backend, reader, offer, args.operation);
      return this.runRequest(reader, request, args, pending, 'keypad', options.signal, async () => {
        const timeoutMs = pinEntryTimeoutMs(request.parameters.bTimerOut);
        this.state(reader, 'keypad', timeoutMs);
        return route.path === 'pcsc-part10'
          ? this.pcscEntry(backend, reader, request, route.controlCode, pending, options.signal)
          : this.ccidEntry(route.backend, reader, request, pending, options.signal);
      });
    });
  }

  /** Ends the PIN entry waiting on a reader's keypad, where that is possible. */
  async cancel(readerName: string): Promise<{ cancelled: boolean; detail: string }> {
    const { reader } = this.options.hub.resolve(readerName);
    const pending = this.pending.get(reader.id);
    if (!pending) return { cancelled: false, detail: `No PIN entry is waiting on ${reader.name}.` };
    return pending.cancel();
  }

  /** The software path: the PIN typed on the computer goes into the APDU (readers without a keypad). */
  async runSoftware(args: PinSoftwareRunArgs, options: { signal?: AbortSignal } = {}): Promise<PinRunResult> {
    const { reader } = this.options.hub.resolve(args.reader);
    return this.holding(reader, async (pending) => {
      const request = this.request(args, null);
      // Refuse missing or malformed PINs before anything reaches the card (no SELECT, no try spent).
      this.softwareApdu(request, args).fill(0);
      return this.runRequest(reader, request, args, pending, 'software', options.signal, async () => {
        const apdu = this.softwareApdu(request, args);
        try {
          const { response } = await this.options.hub.transmit(reader.id, apdu, options.signal ? { signal: options.signal } : {});
          return { response, outcome: explainPinOutcome({ operation: args.operation, response }) };
        } finally {
          apdu.fill(0);
        }
      });
    });
  }

  // ---- one run ------------------------------------------------------------------------------------

  private async runRequest(
    reader: HubReader,
    request: PinRequest,
    args: PinRunArgs,
    pending: PendingRun,
    path: PinpadPath | 'keypad',
    signal: AbortSignal | undefined,
    enter: () => Promise<{ response: Uint8Array | null; outcome: PinpadOutcome }>,
  ): Promise<PinRunResult> {
    const started = this.now();
    const result = (fields: Partial<PinRunResult> & Pick<PinRunResult, 'ran' | 'decision'>): PinRunResult => {
      this.state(reader, 'done', null);
      return {
        reader: reader.id,
        preset: request.preset.name,
        operation: args.operation,
        path: path === 'keypad' ? this.routeName(reader) : path,
        request: pinRequestView(request),
        select: null,
        tries: null,
        response: null,
        outcome: null,
        durationMs: Math.round(this.now() - started),
        ...fields,
      };
    };
    this.state(reader, 'select', null);
    const select = await this.select(reader, request, args.select, signal, args.selectApdu);
    const selectView = select ? { apdu: toHex(select.apdu), sw: select.sw } : null;
    if (select && !selectWorked(select.response)) {
      return result({
        ran: false,
        select: selectView,
        decision: {
          decision: 'refuse',
          sentence: `The SELECT of the application answered ${select.sw}: the application is not on this card (or turn the SELECT off if it is already selected).`,
        },
      });
    }
    const tries = await this.tries(reader, request, select?.sw ?? null, args.confirmLastTry, signal);
    if (tries.decision.decision !== 'run' || pending.cancelRequested) {
      const decision: RunDecision = pending.cancelRequested
        ? { decision: 'refuse', sentence: 'Cancelled before the PIN entry began: nothing was sent to the keypad.' }
        : tries.decision;
      return result({ ran: false, select: selectView, tries: tries.probe ? tries : null, decision });
    }
    pending.stage = 'keypad';
    const entered = await enter();
    pending.stage = 'after';
    return result({
      ran: true,
      select: selectView,
      tries: tries.probe ? tries : null,
      decision: tries.decision,
      response: entered.response ? toHex(entered.response) : null,
      outcome: entered.outcome,
    });
  }

  /** SCardControl(VERIFY/MODIFY_PIN_DIRECT): the reader's answer, or the PC/SC error, explained. */
  private async pcscEntry(
    backend: ReaderBackend,
    reader: HubReader,
    request: PinRequest,
    controlCode: number,
    pending: PendingRun,
    signal: AbortSignal | undefined,
  ): Promise<{ response: Uint8Array | null; outcome: PinpadOutcome }> {
    pending.cancel = async () => ({ cancelled: false, detail: PCSC_CANNOT_CANCEL });
    try {
      // Straight to the backend: the hub's "still waiting" notice is for cards, not for a person typing.
      const response = await backend.control!(reader.name, controlCode, request.pcsc.bytes, signal ? { signal } : {});
      return { response, outcome: explainPinOutcome({ operation: request.operation, response }) };
    } catch (error) {
      if (error instanceof CallStoppedError) throw error;
      const text =
        error instanceof CardbenchError ? (error.detail ?? error.message) : error instanceof Error ? error.message : String(error);
      return { response: null, outcome: explainPinOutcome({ operation: request.operation, pcscError: text }) };
    }
  }

  /** PC_to_RDR_Secure through the CCID driver: the card's answer or the reader's bError, explained. */
  private async ccidEntry(
    backend: ReaderBackend & Required<Pick<ReaderBackend, 'securePinEntry'>>,
    reader: HubReader,
    request: PinRequest,
    pending: PendingRun,
    signal: AbortSignal | undefined,
  ): Promise<{ response: Uint8Array | null; outcome: PinpadOutcome }> {
    const abData = request.ccid.abData;
    if (!abData) {
      const why = request.ccid.problems.map((p) => p.message).join('; ');
      throw new CardbenchError(
        'invalid-arguments',
        `This structure cannot be sent as a CCID Secure: ${why || 'the APDU template is too short'}.`,
      );
    }
    const abort = async (): Promise<{ cancelled: boolean; detail: string }> => {
      // The Secure may still be on its way to the reader: try again briefly before giving up.
      for (let attempt = 0; attempt < 40 && pending.stage === 'keypad'; attempt++) {
        if (await backend.abortPinEntry?.(reader.name)) {
          return { cancelled: true, detail: `The PIN entry on ${reader.name} was aborted (CCID Abort); the reader answers CMD_ABORTED.` };
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      return { cancelled: false, detail: `No PIN entry could be aborted on ${reader.name}: it had already ended.` };
    };
    pending.cancel = abort;
    const onAbort = (): void => void abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const answer: SecurePinAnswer = await backend.securePinEntry(reader.name, {
        operation: request.operation,
        abData,
        template: request.parameters.apdu,
      });
      if ('response' in answer)
        return { response: answer.response, outcome: explainPinOutcome({ operation: request.operation, response: answer.response }) };
      return {
        response: null,
        outcome: explainPinOutcome({
          operation: request.operation,
          bError: answer.bError,
          bNumberMessage: request.parameters.bNumberMessage,
        }),
      };
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  // ---- steps shared by every run ----------------------------------------------------------------

  private async select(
    reader: HubReader,
    request: PinRequest,
    wanted: boolean,
    signal: AbortSignal | undefined,
    instead?: Uint8Array,
  ): Promise<{ apdu: Uint8Array; response: Uint8Array; sw: string } | null> {
    const apdu = instead ?? request.select;
    if (!wanted || !apdu) return null;
    const { response } = await this.options.hub.transmit(reader.id, apdu, signal ? { signal } : {});
    return { apdu, response, sw: swHex(response) };
  }

  /**
   * The retry counter before a PIN the card checks (a verify, or a modify that asks for the current
   * PIN: a wrong one costs a try just the same), probed only where the preset says the card answers
   * it without counting it.
   */
  private async tries(
    reader: HubReader,
    request: PinRequest,
    selectSw: string | null,
    confirmLastTry: boolean,
    signal: AbortSignal | undefined,
  ): Promise<PinTriesResult> {
    const { apdu, support, note } = request.retryProbe;
    const checked = request.operation === 'verify' || decodeConfirmPin(request.parameters.bConfirmPIN).currentPinRequested;
    const base = { reader: reader.id, support, selectSw };
    if (!checked) {
      const reading = probeUnavailable('this change does not ask for the current PIN, so no try can be spent.');
      return { ...base, probe: null, reading, decision: decideRun(reading, { confirmLastTry }) };
    }
    if (!apdu || support !== 'supported') {
      const reading = probeUnavailable(
        support === 'card-dependent'
          ? `${note} Cardbench does not send it by itself; if this card answers it, send ${toHex(request.retryProbe.apdu ?? new Uint8Array(0))} from the Console.`
          : note,
      );
      return { ...base, probe: null, reading, decision: decideRun(reading, { confirmLastTry }) };
    }
    this.state(reader, 'retry-check', null);
    const { response } = await this.options.hub.transmit(reader.id, apdu, signal ? { signal } : {});
    const reading = readRetryCounter(response);
    return { ...base, probe: toHex(apdu), reading, decision: decideRun(reading, { confirmLastTry }) };
  }

  private softwareApdu(request: PinRequest, pins: SoftwarePins): Uint8Array {
    try {
      return buildSoftwarePinApdu(request.operation, request.parameters, pins);
    } catch (error) {
      // SoftwarePinError messages name sizes and fields, never digits.
      if (error instanceof SoftwarePinError) throw new CardbenchError('invalid-arguments', `The PIN cannot be sent: ${error.message}.`);
      throw error;
    }
  }

  // ---- readers ------------------------------------------------------------------------------------

  private async offer(reader: HubReader, signal?: AbortSignal): Promise<ReaderOffer> {
    const inspection = await inspectReader(this.options.hub, reader.id, {
      ...(this.options.smartcardListPaths ? { smartcardListPaths: this.options.smartcardListPaths } : {}),
      ...(signal ? { signal } : {}),
    });
    const offer = { capabilities: pinpadCapabilities(inspection), features: inspection.features };
    this.offers.set(reader.id, offer);
    return offer;
  }

  private keypadRoute(backend: ReaderBackend, reader: HubReader, offer: ReaderOffer, operation: PinOperationName): KeypadRoute {
    const caps = offer.capabilities;
    const via = operation === 'verify' ? caps.verifyVia : caps.modifyVia;
    const what = operation === 'verify' ? 'verify a PIN' : 'change a PIN';
    if (via === null) {
      throw new CardbenchError(
        'unavailable',
        `${reader.name} cannot ${what} on a keypad (it announces no ${operation === 'verify' ? 'VERIFY' : 'MODIFY'}_PIN_DIRECT and no CCID PIN support): use the software path, where the PIN is typed here.`,
      );
    }
    if (backend.kind === 'pcsc') {
      const feature = operation === 'verify' ? 'VERIFY_PIN_DIRECT' : 'MODIFY_PIN_DIRECT';
      const code = offer.features[feature];
      if (!code) {
        throw new CardbenchError(
          'unavailable',
          `${reader.name} offers PIN entry only through ${via}, which Cardbench does not drive: use the software path.`,
        );
      }
      return { path: 'pcsc-part10', controlCode: Number.parseInt(code, 16) >>> 0 };
    }
    if (!backend.securePinEntry)
      throw new CardbenchError('unavailable', `The ${backend.kind} backend has no PIN entry for ${reader.name}.`);
    return { path: 'ccid-secure', backend: backend as ReaderBackend & Required<Pick<ReaderBackend, 'securePinEntry'>> };
  }

  private routeName(reader: HubReader): PinpadPath {
    return reader.backend === 'pcsc' ? 'pcsc-part10' : 'ccid-secure';
  }

  // ---- bookkeeping ----------------------------------------------------------------------------------

  /** The request for these arguments; a setting that does not fit is the caller's mistake, said plainly. */
  private request(
    args: { preset: string; operation: PinOperationName; overrides?: Record<string, number | string> | undefined },
    capabilities: PinpadCapabilities | null,
  ): PinRequest {
    try {
      return buildPinRequest({
        preset: args.preset,
        operation: args.operation,
        settings: settingsFromRecord(args.overrides ?? {}),
        capabilities,
      });
    } catch (error) {
      if (error instanceof PinParameterError) throw new CardbenchError('invalid-arguments', error.message, error.field);
      throw error;
    }
  }

  private assertFree(reader: HubReader): void {
    if (this.pending.has(reader.id)) {
      throw new CardbenchError(
        'operation-failed',
        `A PIN entry is already waiting on the keypad of ${reader.name}: finish it there or cancel it first.`,
      );
    }
  }

  /** Holds the reader for `work`: a second run on it while this one lasts is refused. */
  private async holding<T>(reader: HubReader, work: (pending: PendingRun) => Promise<T>): Promise<T> {
    this.assertFree(reader);
    const pending: PendingRun = {
      stage: 'before-keypad',
      cancelRequested: false,
      cancel: async () => {
        pending.cancelRequested = true;
        return { cancelled: true, detail: `The run on ${reader.name} stops before its PIN entry begins.` };
      },
    };
    this.pending.set(reader.id, pending);
    try {
      return await work(pending);
    } finally {
      this.pending.delete(reader.id);
    }
  }

  private state(reader: HubReader, state: PinpadRunState['state'], timeoutMs: number | null): void {
    this.options.onRunState?.({ reader: reader.id, state, timeoutMs });
  }
}
