/**
 * The Pinpad wizard's state: which reader, which preset and operation, the user's field
 * settings, the live preview the backend builds from them, the retry-counter guard, the run in
 * progress (keypad countdown, the built-in virtual reader's on-screen keypad), the outcome and
 * the saved profiles. Components read it and call its methods; nothing here touches the DOM.
 *
 * PINs never live here. The software path hands its digits straight to `pinpad.runSoftware`
 * (runSoftware's argument goes into the call and nowhere else) and the on-screen keypad sends
 * each key to the simulated reader as it is pressed, keeping only how many were typed.
 *
 * Failure keeps everything: a failed build keeps the last good preview (marked stale) and the
 * settings that failed; a failed run keeps every edited field.
 *
 * Longer than the ~400 lines a module usually gets, on purpose: the steps are one state machine
 * whose parts read and reset each other (the guard reads the preview's bConfirmPIN, Run reads
 * the guard and the busy phase, a new reader, preset or profile forgets the tries read, the
 * reader-list and run-state events land in the same fields). Split by step, each piece would
 * need most of the others' state passed in. The profiles (at the end) are the one separable part.
 */
import type { PinProfilesExport, PinRunResult, PinTriesResult, PinpadKeypadRequest, PinpadRunState } from '#core/ipc/channels/pinpad.js';
import type { Api, ArgsOf } from '#core/ipc/contract.js';
import type { PinOperationName } from '#core/pcsc/pin-bit-fields.js';
import type { PinPresetView, PinRequestView } from '#core/pinpad/pin-request-view.js';
import type { PinProfile } from '#core/pinpad/profiles.js';
import type { PinpadCapabilities } from '#core/pinpad/reader-capabilities.js';
import type { SoftwarePins } from '#core/pinpad/software-pin.js';
import { LiveReaderList } from '../readers/reader-list.svelte.js';

export const WIZARD_STEPS = [
  { id: 'reader', label: 'Reader' },
  { id: 'card', label: 'Card & operation' },
  { id: 'parameters', label: 'Parameters' },
  { id: 'run', label: 'Run' },
  { id: 'profiles', label: 'Profiles' },
] as const;

export type WizardStep = (typeof WIZARD_STEPS)[number]['id'];
export type RunPath = 'keypad' | 'software';
/** idle: nothing asked yet; checking: reading the retry counter; running: the PIN request is out. */
export type RunPhase = 'idle' | 'checking' | 'running';
export type FieldValue = number | string;

const DEFAULT_PRESET = 'openpgp-pw1';

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class PinpadWizard {
  readonly live = new LiveReaderList();

  step = $state<WizardStep>('reader');
  presets = $state<PinPresetView[]>([]);
  presetsProblem = $state<string | undefined>(undefined);

  readerId = $state<string | undefined>(undefined);
  capabilities = $state<PinpadCapabilities | undefined>(undefined);
  capabilitiesProblem = $state<string | undefined>(undefined);

  presetName = $state(DEFAULT_PRESET);
  operation = $state<PinOperationName>('verify');
  /** The user's settings, FIELD → value, as `cardbench pin --set` takes them; applied over the preset. */
  overrides = $state<Record<string, FieldValue>>({});
  /** Send the preset's SELECT before the PIN command. */
  select = $state(true);

  preview = $state<PinRequestView | undefined>(undefined);
  /** Why the current settings could not be built; the last good preview stays, marked stale. */
  previewProblem = $state<string | undefined>(undefined);
  building = $state(false);

  /** Chosen run path; the keypad is only possible when the reader offers this operation on it. */
  chosenPath = $state<RunPath>('keypad');
  tries = $state<PinTriesResult | undefined>(undefined);
  triesProblem = $state<string | undefined>(undefined);
  /** The user accepted that one wrong PIN now blocks the card; good for one run. */
  lastTryConfirmed = $state(false);

  phase = $state<RunPhase>('idle');
  runState = $state<PinpadRunState | undefined>(undefined);
  /** When the reader stops waiting for the PIN (Date.now() based), while it waits. */
  keypadDeadline = $state<number | undefined>(undefined);
  result = $state<PinRunResult | undefined>(undefined);
  runProblem = $state<string | undefined>(undefined);
  cancelling = $state(false);
  /** What the backend said about a cancel that could not end the entry by itself. */
  cancelNote = $state<string | undefined>(undefined);

  /** The built-in virtual reader asks its on-screen keypad for a PIN. */
  keypad = $state<PinpadKeypadRequest | undefined>(undefined);
  keypadDigits = $state(0);
  keypadProblem = $state<string | undefined>(undefined);

  profiles = $state<PinProfile[]>([]);
  profilesProblem = $state<string | undefined>(undefined);
  profileMessage = $state<string | undefined>(undefined);

  #api: Api | undefined;
  #buildSeq = 0;
  #capsSeq = 0;

  get api(): Api {
    if (!this.#api) throw new Error('PinpadWizard.start(api) was not called');
    return this.#api;
  }

  get readers() {
    return this.live.list?.readers ?? [];
  }

  get reader() {
    return this.readers.find((r) => r.id === this.readerId);
  }

  get preset(): PinPresetView | undefined {
    return this.presets.find((p) => p.name === this.presetName);
  }

  /** The preset's own value of a field for this operation (undefined for ulDataLength and unknown fields). */
  presetValue(name: string): FieldValue | undefined {
    const defaults = this.preset?.defaults[this.operation];
    if (!defaults) return undefined;
    if (name === 'apdu') return defaults.apdu;
    return defaults.fields[name];
  }

  /** Can this reader take the PIN on its keypad for the chosen operation? Unknown capabilities count as no. */
  get keypadOffered(): boolean {
    return this.capabilities ? this.capabilities[this.operation] : false;
  }

  get path(): RunPath {
    return this.keypadOffered ? this.chosenPath : 'software';
  }

  /**
   * Whether a wrong PIN can cost a try: a verify, or a change that asks for the current PIN
   * (bConfirmPIN bit 1). Only then does the guard read the counter.
   */
  get guardApplies(): boolean {
    if (this.operation === 'verify') return true;
    return ((this.preview?.fields.bConfirmPIN ?? 0) & 0x02) !== 0;
  }

  /** The guard's verdict from the last reading: refuse (blocked), confirm (one try left) or run. */
  get guard(): 'run' | 'confirm' | 'refuse' {
    if (!this.guardApplies || !this.tries) return 'run';
    return this.tries.decision.decision;
  }

  get busy(): boolean {
    return this.phase !== 'idle';
  }

  /** Why Run is not possible now, or undefined when it is. */
  get runBlocker(): string | undefined {
    if (!this.reader) return 'Pick a reader first.';
    if (!this.reader.cardPresent) return 'Insert a card in the reader.';
    if (!this.preview || this.previewProblem) return 'Fix the parameters first: the request cannot be built.';
    if (this.busy) return 'A PIN request is already running.';
    if (this.guard === 'refuse') return this.tries?.decision.sentence ?? 'The PIN is blocked.';
    if (this.guard === 'confirm' && !this.lastTryConfirmed) return 'Only one try is left: confirm first.';
    return undefined;
  }

  /** Starts listening to readers and pinpad events, loads presets and profiles. Returns the function that stops. */
  start(api: Api): () => void {
    this.#api = api;
    const offs = [
      this.live.start(api, () => this.#keepReader()),
      api.on('pinpad.runState', (state) => this.#onRunState(state)),
      api.on('pinpad.keypadRequest', (request) => this.#onKeypadRequest(request)),
      api.on('pinpad.keypadDone', (done) => {
        if (this.keypad?.requestId === done.requestId) this.#closeKeypad();
      }),
    ];
    void this.loadPresets();
    void this.loadProfiles();
    return () => offs.forEach((off) => off());
  }

  async loadPresets(): Promise<void> {
    try {
      this.presets = await this.api.invoke('pinpad.presets', {});
      this.presetsProblem = undefined;
      if (!this.preset && this.presets.length > 0) this.presetName = this.presets[0]!.name;
      await this.rebuild();
    } catch (error) {
      this.presetsProblem = `The presets could not be loaded: ${errorText(error)}`;
    }
  }

  /** Picks the first reader (one with a card and a keypad first) when none is chosen or it went away. */
  #keepReader(): void {
    if (this.readerId && this.readers.some((r) => r.id === this.readerId)) return;
    const first = this.readers.find((r) => r.cardPresent) ?? this.readers[0];
    if (first) void this.chooseReader(first.id);
  }

  async chooseReader(id: string): Promise<void> {
    if (this.busy) return;
    this.readerId = id;
    this.capabilities = undefined;
    this.capabilitiesProblem = undefined;
    this.tries = undefined;
    this.triesProblem = undefined;
    this.lastTryConfirmed = false;
    const seq = ++this.#capsSeq;
    try {
      const caps = await this.api.invoke('pinpad.capabilities', { reader: id });
      if (seq === this.#capsSeq) this.capabilities = caps;
    } catch (error) {
      if (seq === this.#capsSeq) this.capabilitiesProblem = `What this reader offers could not be read: ${errorText(error)}`;
    }
    if (seq === this.#capsSeq) await this.rebuild();
  }

  /** A preset starts from its own values: the user's settings are cleared (a profile restores them). */
  async choosePreset(name: string, operation?: PinOperationName): Promise<void> {
    if (this.busy) return;
    this.presetName = name;
    const ops = this.preset?.operations ?? [];
    if (operation && ops.includes(operation)) this.operation = operation;
    else if (!ops.includes(this.operation) && ops[0]) this.operation = ops[0];
    this.overrides = {};
    this.#forgetTries();
    await this.rebuild();
  }

  async setOperation(operation: PinOperationName): Promise<void> {
    if (this.busy || operation === this.operation) return;
    if (!(this.preset?.operations ?? []).includes(operation)) return;
    this.operation = operation;
    // Settings of the other operation may not exist here (bMsgIndex vs bMsgIndex1..3).
    this.overrides = {};
    this.#forgetTries();
    await this.rebuild();
  }

  async setField(name: string, value: FieldValue): Promise<void> {
    this.overrides = { ...this.overrides, [name]: value };
    await this.rebuild();
  }

  async resetField(name: string): Promise<void> {
    if (!(name in this.overrides)) return;
    const next = { ...this.overrides };
    delete next[name];
    this.overrides = next;
    await this.rebuild();
  }

  async resetAllFields(): Promise<void> {
    this.overrides = {};
    await this.rebuild();
  }

  setSelect(select: boolean): void {
    this.select = select;
    this.#forgetTries();
  }

  choosePath(path: RunPath): void {
    this.chosenPath = path;
  }

  #forgetTries(): void {
    this.tries = undefined;
    this.triesProblem = undefined;
    this.lastTryConfirmed = false;
  }

  #overridesArg(): Record<string, FieldValue> | undefined {
    return Object.keys(this.overrides).length > 0 ? { ...this.overrides } : undefined;
  }

  /** Builds the preview for the current settings; only the latest answer counts. */
  async rebuild(): Promise<void> {
    if (!this.preset) return;
    const seq = ++this.#buildSeq;
    const args: ArgsOf<'pinpad.build'> = { preset: this.presetName, operation: this.operation };
    const overrides = this.#overridesArg();
    if (overrides) args.overrides = overrides;
    if (this.readerId) args.reader = this.readerId;
    this.building = true;
    try {
      const view = await this.api.invoke('pinpad.build', args);
      if (seq !== this.#buildSeq) return;
      this.preview = view;
      this.previewProblem = undefined;
    } catch (error) {
      if (seq === this.#buildSeq) this.previewProblem = errorText(error);
    } finally {
      if (seq === this.#buildSeq) this.building = false;
    }
  }

  #runArgs(confirmLastTry: boolean): ArgsOf<'pinpad.run'> {
    const args: ArgsOf<'pinpad.run'> = {
      reader: this.readerId!,
      preset: this.presetName,
      operation: this.operation,
      select: this.select,
      confirmLastTry,
    };
    const overrides = this.#overridesArg();
    if (overrides) args.overrides = overrides;
    return args;
  }

  /** SELECT (when asked) then the preset's VERIFY-without-data probe; the guard decides from it. */
  async readTries(): Promise<void> {
    if (!this.readerId || this.busy) return;
    this.phase = 'checking';
    this.triesProblem = undefined;
    try {
      const args: ArgsOf<'pinpad.readTries'> = {
        reader: this.readerId,
        preset: this.presetName,
        operation: this.operation,
        select: this.select,
      };
      const overrides = this.#overridesArg();
      if (overrides) args.overrides = overrides;
      this.tries = await this.api.invoke('pinpad.readTries', args);
      if (this.guard !== 'confirm') this.lastTryConfirmed = false;
    } catch (error) {
      this.triesProblem = `The retry counter could not be read: ${errorText(error)}`;
    } finally {
      this.phase = 'idle';
    }
  }

  confirmLastTry(confirmed: boolean): void {
    this.lastTryConfirmed = confirmed && this.guard === 'confirm';
  }

  /** Runs on the reader's keypad; the outcome (or the error) lands in result / runProblem. */
  async run(): Promise<void> {
    if (this.runBlocker || this.path !== 'keypad') return;
    await this.#running(() => this.api.invoke('pinpad.run', this.#runArgs(this.lastTryConfirmed)));
  }

  /**
   * The software path: the PINs go into this one call's arguments and nowhere else (not into
   * state, not into an error: the backend's messages name fields, never digits).
   */
  async runSoftware(pins: SoftwarePins): Promise<void> {
    if (this.runBlocker) return;
    await this.#running(() => this.api.invoke('pinpad.runSoftware', { ...this.#runArgs(this.lastTryConfirmed), ...pins }));
  }

  async #running(call: () => Promise<PinRunResult>): Promise<void> {
    this.phase = 'running';
    this.result = undefined;
    this.runProblem = undefined;
    this.runState = undefined;
    this.keypadDeadline = undefined;
    this.cancelNote = undefined;
    try {
      const result = await call();
      this.result = result;
      if (result.tries) this.tries = result.tries;
      if (!result.ran && result.decision.decision === 'confirm') this.lastTryConfirmed = false;
      if (result.ran) this.lastTryConfirmed = false;
    } catch (error) {
      this.runProblem = errorText(error);
    } finally {
      this.phase = 'idle';
      this.keypadDeadline = undefined;
      this.cancelling = false;
      this.cancelNote = undefined;
      this.#closeKeypad();
    }
    if (this.result?.ran) await this.#refreshTriesAfterRun();
  }

  /** The counter changed with the run; read it again where the preset says the probe is safe. */
  async #refreshTriesAfterRun(): Promise<void> {
    const outcome = this.result?.outcome;
    if (!this.guardApplies || !this.preset || this.preset.retryProbe !== 'supported') return;
    if (outcome?.kind === 'reader-error' || outcome?.kind === 'reader-refused') return;
    await this.readTries();
  }

  /**
   * The run panel's Cancel (and Escape while no keypad is on screen): aborts the pending entry on
   * the reader (CCID Abort). The on-screen keypad's own Cancel key is keypadKey('cancel').
   */
  async cancel(): Promise<void> {
    if (this.phase !== 'running' || !this.readerId || this.cancelling) return;
    this.cancelling = true;
    this.cancelNote = undefined;
    try {
      const answer = await this.api.invoke('pinpad.cancel', { reader: this.readerId });
      // On PC/SC nothing ends a pending entry but the reader's own Cancel key or timeout: say so.
      if (this.phase === 'running' && !answer.cancelled) this.cancelNote = answer.detail;
      if (!answer.cancelled) this.cancelling = false;
    } catch (error) {
      this.runProblem = `Cancel failed: ${errorText(error)}`;
      this.cancelling = false;
    }
  }

  /** Events name the reader by id or by name; only this wizard's running request counts. */
  #ours(reader: string): boolean {
    return this.phase === 'running' && (reader === this.readerId || reader === this.reader?.name);
  }

  #onRunState(state: PinpadRunState): void {
    if (!this.#ours(state.reader)) return;
    this.runState = state;
    this.keypadDeadline = state.state === 'keypad' && state.timeoutMs !== null ? Date.now() + state.timeoutMs : undefined;
  }

  #onKeypadRequest(request: PinpadKeypadRequest): void {
    if (!this.#ours(request.reader)) return;
    this.keypad = request;
    this.keypadDigits = 0;
    this.keypadProblem = undefined;
    this.keypadDeadline = Date.now() + request.timeoutMs;
  }

  #closeKeypad(): void {
    this.keypad = undefined;
    this.keypadDigits = 0;
    this.keypadProblem = undefined;
  }

  /**
   * One key of the simulated reader's keypad. A digit goes to the reader at once, like a real
   * keypad's key press; the wizard keeps the count only.
   */
  async keypadKey(key: string): Promise<void> {
    const request = this.keypad;
    if (!request) return;
    let args: ArgsOf<'pinpad.keypadInput'>;
    if (/^\d$/.test(key)) {
      if (this.keypadDigits >= request.maxDigits) return;
      args = { requestId: request.requestId, action: 'digits', digits: key };
    } else if (key === 'ok' || key === 'clear' || key === 'cancel') {
      args = { requestId: request.requestId, action: key };
    } else {
      return;
    }
    try {
      const answer = await this.api.invoke('pinpad.keypadInput', args);
      if (this.keypad?.requestId !== request.requestId) return;
      this.keypadDigits = answer.digitsEntered;
      this.keypadProblem = answer.accepted ? undefined : 'The reader did not take that key.';
    } catch (error) {
      if (this.keypad?.requestId === request.requestId) this.keypadProblem = errorText(error);
    }
  }

  // ---- profiles ------------------------------------------------------------------------------

  async loadProfiles(): Promise<void> {
    try {
      this.profiles = await this.api.invoke('pinpad.profiles', {});
      this.profilesProblem = undefined;
    } catch (error) {
      this.profilesProblem = `Profiles could not be loaded: ${errorText(error)}`;
    }
  }

  /** Saves the current reader + preset + operation + settings under a name (same name on the same reader replaces it). */
  async saveProfile(name: string, note?: string): Promise<boolean> {
    const reader = this.reader;
    if (!reader || !name.trim()) return false;
    const profile: ArgsOf<'pinpad.saveProfile'>['profile'] = {
      name: name.trim(),
      reader: reader.name,
      preset: this.presetName,
      operation: this.operation,
      settings: { ...this.overrides },
      select: this.select,
    };
    if (note?.trim()) profile.note = note.trim();
    try {
      this.profiles = await this.api.invoke('pinpad.saveProfile', { profile });
      this.profilesProblem = undefined;
      this.profileMessage = `Saved “${profile.name}” for ${reader.name}.`;
      return true;
    } catch (error) {
      this.profilesProblem = `The profile was not saved: ${errorText(error)}`;
      return false;
    }
  }

  /** Loads a profile's preset, operation, settings and SELECT choice (the reader stays as chosen). */
  async applyProfile(profile: PinProfile): Promise<void> {
    if (this.busy) return;
    this.presetName = profile.preset;
    this.operation = profile.operation;
    this.overrides = { ...profile.settings };
    this.select = profile.select;
    this.#forgetTries();
    this.profileMessage = `Loaded “${profile.name}”.`;
    await this.rebuild();
  }

  async deleteProfile(profile: PinProfile): Promise<void> {
    try {
      this.profiles = await this.api.invoke('pinpad.deleteProfile', { name: profile.name, reader: profile.reader });
      this.profileMessage = `Deleted “${profile.name}”.`;
    } catch (error) {
      this.profilesProblem = `The profile was not deleted: ${errorText(error)}`;
    }
  }

  async exportProfiles(reader?: string): Promise<PinProfilesExport | undefined> {
    try {
      return await this.api.invoke('pinpad.exportProfiles', reader ? { reader } : {});
    } catch (error) {
      this.profilesProblem = `Export failed: ${errorText(error)}`;
      return undefined;
    }
  }

  async importProfiles(text: string, mode: 'merge' | 'replace' = 'merge'): Promise<void> {
    try {
      const answer = await this.api.invoke('pinpad.importProfiles', { text, mode });
      this.profiles = answer.profiles;
      this.profilesProblem = undefined;
      this.profileMessage = `Imported ${answer.imported} profile${answer.imported === 1 ? '' : 's'}.`;
    } catch (error) {
      this.profilesProblem = `Import refused: ${errorText(error)}`;
    }
  }
}

/**
 * One wizard per backend connection, kept while the Pinpad tab is hidden: leaving for the Readers
 * or Console tab and coming back finds the same reader, preset, edited fields and outcome.
 */
const wizards = new WeakMap<Api, PinpadWizard>();

export function wizardFor(api: Api): PinpadWizard {
  let wizard = wizards.get(api);
  if (!wizard) wizards.set(api, (wizard = new PinpadWizard()));
  return wizard;
}
