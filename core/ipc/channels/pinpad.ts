/**
 * Pinpad workbench channels (the wizard, `cardbench pin` through the same backend), merged into
 * the contract by contract.ts. Everything that only computes — presets, the preview of the
 * bytes, capabilities — is pure core/pinpad behind the backend; running touches the reader.
 *
 * PINs: only `pinpad.runSoftware` (the software path, for readers without a keypad) and
 * `pinpad.keypadInput` (the on-screen keypad of the built-in virtual reader) accept digits. They
 * are validated as digits only, never echoed in a result, never logged or stored; a schema
 * failure names the field, not its value.
 *
 * Flow of a keypad run (what the backend implements):
 *   pinpad.build (preview, no reader I/O) → pinpad.readTries (SELECT, then the preset's probe when
 *   safe) → pinpad.run: SELECT (when `select`), the retry guard again (refuses at 0 tries, asks at 1
 *   unless `confirmLastTry`), then SCardControl(VERIFY/MODIFY_PIN_DIRECT) on PC/SC or
 *   PC_to_RDR_Secure on direct-USB/virtual readers, with `pinpad.runState` events; the outcome is
 *   explained by core/pinpad explainPinOutcome. `pinpad.cancel` aborts the pending entry
 *   (CCID Abort; on PC/SC nothing can, see the channel). With the built-in virtual reader the backend emits
 *   `pinpad.keypadRequest` for each PIN the simulated reader asks for and waits for
 *   `pinpad.keypadInput`; `pinpad.keypadDone` closes the on-screen keypad.
 *
 * Every `reader` in results and events is the hub's reader id (`pcsc:NAME`, `virtual:NAME`, `usb:NAME`).
 */
import { z } from 'zod';
import type { PinOperationName } from '#core/pcsc/pin-bit-fields.js';
import type { KeypadStep } from '#core/pinpad/keypad-prompts.js';
import type { PinpadOutcome } from '#core/pinpad/pin-outcome.js';
import type { PinPresetView, PinRequestView } from '#core/pinpad/pin-request-view.js';
import type { RetryProbeSupport } from '#core/pinpad/presets.js';
import { MAX_PROFILE_FILE_BYTES, type PinProfile } from '#core/pinpad/profiles.js';
import type { PinpadCapabilities } from '#core/pinpad/reader-capabilities.js';
import type { RetryCounterReading, RunDecision } from '#core/pinpad/retry-guard.js';
import { channel } from './define.js';

export type PinpadPath = 'pcsc-part10' | 'ccid-secure' | 'software';

/** What the retry-counter guard found before a verify. */
export interface PinTriesResult {
  reader: string;
  /** The probe sent (hex), null when the preset forbids it (the card would count it). */
  probe: string | null;
  support: RetryProbeSupport;
  /** SW of the SELECT sent first (hex), null when none was sent. */
  selectSw: string | null;
  reading: RetryCounterReading;
  decision: RunDecision;
}

export interface PinRunResult {
  reader: string;
  preset: string;
  operation: PinOperationName;
  path: PinpadPath;
  /** The request as built for this reader (the bytes sent on the keypad path; on the software path the template, never the APDU with the PIN). */
  request: PinRequestView;
  select: { apdu: string; sw: string } | null;
  /** The guard's reading before the run; null when it was not asked (modify, or no probe). */
  tries: PinTriesResult | null;
  /** False when the guard stopped the run ('confirm' or 'refuse'): outcome is then null. */
  ran: boolean;
  decision: RunDecision;
  /** What the reader returned (hex): the status word. Never a PIN. */
  response: string | null;
  outcome: PinpadOutcome | null;
  durationMs: number;
}

export interface PinProfilesExport {
  fileName: string;
  mimeType: string;
  text: string;
}

/** Where a run is, for the wizard's "enter the PIN on the reader's keypad" countdown. */
export interface PinpadRunState {
  reader: string;
  state: 'select' | 'retry-check' | 'keypad' | 'done';
  /** While 'keypad': how long the reader will wait (bTimerOut, or the backend's default when 0). */
  timeoutMs: number | null;
}

/** The built-in virtual reader asks its on-screen keypad for one PIN. */
export interface PinpadKeypadRequest {
  /** Answer with pinpad.keypadInput { requestId }. */
  requestId: string;
  reader: string;
  operation: PinOperationName;
  step: KeypadStep;
  minDigits: number;
  maxDigits: number;
  /** How long the simulated reader waits before it answers timeout (bError F0). */
  timeoutMs: number;
  /** What the simulated reader's display shows, e.g. ["Enter PIN"]. */
  messages: string[];
}

export interface PinpadKeypadDone {
  requestId: string;
  reader: string;
  outcome: 'entered' | 'cancelled' | 'timeout' | 'aborted';
}

const readerArg = z.string().min(1).max(400);
const presetArg = z.string().min(1).max(60);
const operationArg = z.enum(['verify', 'modify']);
/** FIELD → decimal/hex value or text (`apdu`: hex); parsed by core/pinpad parseParameterValue. */
const overridesArg = z
  .record(z.string().min(1).max(40), z.union([z.number().int().min(0).max(0xffffff), z.string().max(140_000)]))
  .refine((o) => Object.keys(o).length <= 40, { message: 'at most 40 overrides' });
/** A PIN: digits only, 1 to 15 (ISO 9564 and the CCID length fields cap it there). */
const pinArg = z.string().regex(/^\d{1,15}$/, { message: 'a PIN is 1 to 15 digits' });
const noArgs = z.object({}).strict();

const profileArg = z
  .object({
    name: z.string().trim().min(1).max(120),
    reader: readerArg,
    preset: presetArg,
    operation: operationArg,
    settings: overridesArg,
    select: z.boolean(),
    note: z.string().max(1000).optional(),
  })
  .strict();

const runArgs = {
  reader: readerArg,
  preset: presetArg,
  operation: operationArg,
  overrides: overridesArg.optional(),
  /** Send the preset's SELECT first. */
  select: z.boolean(),
  /** Go on when only one try is left. */
  confirmLastTry: z.boolean(),
};

export const pinpadChannels = {
  /** Every preset with its default fields and templates, sources, SELECT and retry-probe safety. */
  'pinpad.presets': channel<PinPresetView[]>()(noArgs),
  /** What a reader offers for PIN entry, in fields and plain sentences. */
  'pinpad.capabilities': channel<PinpadCapabilities>()(z.object({ reader: readerArg }).strict()),
  /** Pure preview: the structures, trees, template roles and warnings (the reader only adds its capabilities). */
  'pinpad.build': channel<PinRequestView>()(
    z.object({ preset: presetArg, operation: operationArg, overrides: overridesArg.optional(), reader: readerArg.optional() }).strict(),
  ),
  /** SELECT (when asked) then the preset's VERIFY-without-data probe, when the card answers it safely. */
  'pinpad.readTries': channel<PinTriesResult>()(
    z
      .object({
        reader: readerArg,
        preset: presetArg,
        operation: operationArg.optional(),
        overrides: overridesArg.optional(),
        select: z.boolean(),
      })
      .strict(),
  ),
  /** Runs the request on the reader's keypad and explains the outcome. */
  'pinpad.run': channel<PinRunResult>()(z.object(runArgs).strict()),
  /**
   * Aborts the PIN entry pending on this reader (CCID Abort on the built-in virtual reader and
   * direct USB). `detail` says what happened in a sentence; on PC/SC `cancelled` is false, because
   * nothing pcsc-lite offers ends a pending SCardControl: the reader's Cancel key or its timeout do.
   */
  'pinpad.cancel': channel<{ cancelled: boolean; detail: string }>()(z.object({ reader: readerArg }).strict()),
  /** The software path: the PIN typed here goes into the APDU (for readers without a keypad). Never echoed. */
  'pinpad.runSoftware': channel<PinRunResult>()(
    z
      .object({
        ...runArgs,
        pin: pinArg.optional(),
        currentPin: pinArg.optional(),
        newPin: pinArg.optional(),
        newPinAgain: pinArg.optional(),
      })
      .strict(),
  ),
  /** Saved profiles, all or one reader's. */
  'pinpad.profiles': channel<PinProfile[]>()(z.object({ reader: readerArg.optional() }).strict()),
  /** Saves (or replaces, same name and reader) a profile; answers the whole list. */
  'pinpad.saveProfile': channel<PinProfile[]>()(z.object({ profile: profileArg }).strict()),
  'pinpad.deleteProfile': channel<PinProfile[]>()(z.object({ name: z.string().min(1).max(120), reader: readerArg }).strict()),
  /** The profiles as a JSON file's text (core/pinpad exportProfilesJson). */
  'pinpad.exportProfiles': channel<PinProfilesExport>()(z.object({ reader: readerArg.optional() }).strict()),
  /** Imports an exported file; refuses the whole file with a message when one profile is bad. */
  'pinpad.importProfiles': channel<{ profiles: PinProfile[]; imported: number }>()(
    z.object({ text: z.string().max(MAX_PROFILE_FILE_BYTES), mode: z.enum(['merge', 'replace']).optional() }).strict(),
  ),
  /**
   * The on-screen keypad of the built-in virtual reader: 'digits' appends, 'clear' empties, 'ok'
   * validates (with optional last digits), 'cancel' is the reader's Cancel key. Answers how many
   * digits are entered, never which.
   */
  'pinpad.keypadInput': channel<{ requestId: string; accepted: boolean; digitsEntered: number }>()(
    z
      .object({
        requestId: z.string().min(1).max(64),
        action: z.enum(['digits', 'clear', 'ok', 'cancel']),
        digits: pinArg.optional(),
      })
      .strict(),
  ),
} as const;

export interface PinpadEvents {
  'pinpad.runState': PinpadRunState;
  'pinpad.keypadRequest': PinpadKeypadRequest;
  'pinpad.keypadDone': PinpadKeypadDone;
}

export const PINPAD_EVENT_NAMES: readonly (keyof PinpadEvents)[] = ['pinpad.runState', 'pinpad.keypadRequest', 'pinpad.keypadDone'];
