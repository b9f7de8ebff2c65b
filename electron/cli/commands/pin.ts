/**
 * `cardbench pin verify|modify [--reader R] --preset NAME [--set FIELD=VALUE …] [--no-select]
 * [--dry-run] [--json] [--software] [--yes-last-try]` and `cardbench pin presets [--json]`: the
 * Pinpad workbench on the command line, through the same PinpadService as the app. It prints the
 * structure it sends (every field with its offset and meaning, the PC/SC and CCID bytes), then the
 * SELECT, the retry counter and the decoded outcome. The built-in virtual reader's keypad is the
 * terminal (hidden input), or standard input when it is not a terminal (one keypad-script line per
 * PIN entry). Software-path PINs come from a hidden prompt or standard input, never from argv.
 */
import { intHex, parseHex } from '#core/bytes/hex.js';
import type { PinRunResult } from '#core/ipc/channels/pinpad.js';
import { CardbenchError } from '#core/ipc/errors.js';
import type { PinOperationName } from '#core/pcsc/pin-format.js';
import { decodeConfirmPin, decodePinMaxExtraDigit } from '#core/pcsc/pin-format.js';
import { parseParameterSetting, settingsToRecord, type PinParameterSetting } from '#core/pinpad/parameters.js';
import { PinParameterError } from '#core/pinpad/parameters.js';
import { buildPinRequest } from '#core/pinpad/pin-request.js';
import { pinOutcomeText, pinRequestText } from '#core/pinpad/pin-request-text.js';
import { pinPresetView, pinRequestView, type PinRequestView } from '#core/pinpad/pin-request-view.js';
import { PIN_PRESETS } from '#core/pinpad/presets.js';
import { parseReaderIdentity } from '#core/pinpad/reader-models.js';
import type { Keypad } from '#core/sim/reader/keypad.js';
import type { SoftwarePins } from '#core/pinpad/software-pin.js';
import { CallStoppedError } from '../../backend/abortable.js';
import { TerminalKeypad } from '../../backend/gempc-serial/terminal-keypad.js';
import { PinpadService, type PinRunArgs } from '../../backend/pinpad/pinpad-service.js';
import { LINE_WAIT_STOPPED, NO_LINE_BEFORE_TIMEOUT, StreamLines } from '../../backend/pinpad/stream-lines.js';
import { defaultReaderBackends, virtualReaderWanted } from '../../backend/readers/default-backends.js';
import type { HubReader, ReaderHub } from '../../backend/readers/reader-hub.js';
import { openAppSettings } from '../../backend/settings/app-settings.js';
import { cardbenchDataDir } from '../../backend/settings/data-dir.js';
import { LineKeypad } from '../../backend/virtual-reader/line-keypad.js';
import { stopCause, type CliCommand, type CommandContext } from '../command.js';
import { CliError, EXIT } from '../exit-codes.js';
import { parseCommandOptions } from '../parse-options.js';
import { withReaderHub } from '../reader-session.js';
import { openCliRecording, RECORD_OPTION_HELP, RECORD_OPTIONS, RECORD_USAGE, type CliRecording } from '../record-option.js';

const OPTIONS = {
  reader: { type: 'string' },
  preset: { type: 'string' },
  set: { type: 'string', multiple: true },
  select: { type: 'string' },
  'no-select': { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  json: { type: 'boolean' },
  software: { type: 'boolean' },
  'yes-last-try': { type: 'boolean' },
  ...RECORD_OPTIONS,
} as const;

/** How long a software-path PIN prompt waits for a person. */
const PIN_PROMPT_TIMEOUT_MS = 120_000;

interface PinOptions {
  operation: PinOperationName;
  reader?: string;
  preset: string;
  settings: PinParameterSetting[];
  select: boolean;
  selectApdu?: Uint8Array;
  dryRun: boolean;
  json: boolean;
  software: boolean;
  confirmLastTry: boolean;
  record: { record?: string; 'record-exact-pins'?: boolean };
}

function parsePinOptions(args: readonly string[]): { presets: true; json: boolean } | PinOptions {
  const { values, positionals } = parseCommandOptions('pin', args, OPTIONS, true);
  const [what, ...extra] = positionals;
  if (extra.length > 0)
    throw new CliError(`pin: unexpected argument '${extra[0]!.slice(0, 40)}' (values go after their option).`, EXIT.usage);
  if (what === 'presets') return { presets: true, json: values.json ?? false };
  if (what !== 'verify' && what !== 'modify') {
    throw new CliError(`pin: say what to do: verify, modify or presets${what ? `, not '${what.slice(0, 20)}'` : ''}.`, EXIT.usage);
  }
  if (!values.preset)
    throw new CliError(`pin ${what}: name a preset with --preset NAME (\`cardbench pin presets\` lists them).`, EXIT.usage);
  const settings = (values.set ?? []).map((text) => {
    const parsed = parseParameterSetting(text);
    if (!parsed.ok) throw new CliError(`pin: --set ${parsed.message}.`, EXIT.usage);
    return parsed.setting;
  });
  let selectApdu: Uint8Array | undefined;
  if (values.select !== undefined) {
    if (values['no-select']) throw new CliError('pin: --select HEX and --no-select contradict each other: give one.', EXIT.usage);
    const parsed = parseHex(values.select, 261);
    if (!parsed.ok)
      throw new CliError(`pin: --select is not valid hex: ${parsed.reason} (at character ${parsed.position + 1}).`, EXIT.usage);
    if (parsed.bytes.length < 4) throw new CliError('pin: --select needs a whole APDU (at least CLA INS P1 P2).', EXIT.usage);
    selectApdu = parsed.bytes;
  }
  return {
    operation: what,
    ...(selectApdu ? { selectApdu } : {}),
    ...(values.reader !== undefined ? { reader: values.reader } : {}),
    preset: values.preset,
    settings,
    select: !values['no-select'],
    dryRun: values['dry-run'] ?? false,
    json: values.json ?? false,
    software: values.software ?? false,
    confirmLastTry: values['yes-last-try'] ?? false,
    record: {
      ...(values.record !== undefined ? { record: values.record } : {}),
      ...(values['record-exact-pins'] !== undefined ? { 'record-exact-pins': values['record-exact-pins'] } : {}),
    },
  };
}

/** The request as JSON: fields, the PC/SC structure and the CCID abPINDataStructure as hex. */
function requestJson(view: PinRequestView): Record<string, unknown> {
  const abData = view.ccid.abDataHex;
  return {
    preset: view.preset,
    operation: view.operation,
    fields: view.fields,
    apdu: view.apdu,
    pcsc: view.pcsc.hex,
    ccid: abData ? { bPINOperation: abData.slice(0, 2), abPINDataStructure: abData.slice(2), message: view.ccid.messageHex } : null,
    libccid: view.libccid?.abDataHex ?? null,
    select: view.select,
    warnings: view.warnings.map((w) => ({ severity: w.severity, field: w.field ?? null, message: w.message, source: w.source })),
    problems: [...view.pcsc.problems, ...view.ccid.problems],
  };
}

function runJson(result: PinRunResult): Record<string, unknown> {
  const sw = result.response && result.response.length >= 4 ? result.response.slice(-4) : null;
  return {
    reader: result.reader,
    path: result.path,
    ...requestJson(result.request),
    select: result.select,
    tries: result.tries ? { probe: result.tries.probe, ...result.tries.reading, sw: hexSw(result.tries.reading.sw) } : null,
    decision: result.decision,
    ran: result.ran,
    sw,
    meaning: result.outcome ? result.outcome.title : result.decision.sentence,
    outcome: result.outcome ? { ...result.outcome, sw: hexSw(result.outcome.sw ?? null) } : null,
    durationMs: result.durationMs,
  };
}

const hexSw = (sw: number | null): string | null => (sw === null ? null : intHex(sw, 4));

const spaced = (hex: string): string => hex.replace(/(..)(?=.)/g, '$1 ');

function runLines(result: PinRunResult): string[] {
  const lines: string[] = [];
  if (result.select) lines.push(`SELECT ${spaced(result.select.apdu)} → ${spaced(result.select.sw)}`);
  if (result.tries) lines.push(`Retry counter (${spaced(result.tries.probe ?? '')}): ${result.tries.reading.sentence}`);
  if (!result.ran) {
    lines.push(`Not run: ${result.decision.sentence}`);
    return lines;
  }
  if (!result.tries && result.decision.sentence) lines.push(`Retry counter: ${result.decision.sentence}`);
  if (result.outcome) lines.push(...pinOutcomeText(result.outcome));
  lines.push(`(${result.path}, ${result.durationMs} ms)`);
  return lines;
}

/** The reader sources of this run: the app's, with the virtual reader's keypad at this terminal. */
function pinBackends(keypad: () => Keypad): () => ReturnType<typeof defaultReaderBackends>['backends'] {
  return () => {
    let setting = true;
    try {
      setting = openAppSettings(cardbenchDataDir()).value.virtualReader;
    } catch {
      // Unreadable settings: keep the default.
    }
    return defaultReaderBackends({ virtual: virtualReaderWanted(setting), keypad: lazyKeypad(keypad) }).backends;
  };
}

/** Decides between the terminal and standard input only when the keypad is first used. */
function lazyKeypad(create: () => Keypad): Keypad {
  let keypad: Keypad | undefined;
  return {
    enterPin: (prompt) => (keypad ??= create()).enterPin(prompt),
    abort: () => keypad?.abort?.(),
  };
}

/** One PIN typed at the terminal without echo ('*' per digit); undefined when cancelled (Esc). */
function hiddenPin(label: string, context: CommandContext): Promise<string | undefined> {
  const input = process.stdin;
  process.stderr.write(`${label} (Enter = OK, Esc = cancel): `);
  return new Promise((resolve) => {
    let digits = '';
    const finish = (value: string | undefined): void => {
      clearTimeout(timer);
      context.signal.removeEventListener('abort', onAbort);
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write('\n');
      resolve(value);
    };
    const onAbort = (): void => finish(undefined);
    const onData = (chunk: Buffer): void => {
      for (const byte of chunk) {
        if (byte >= 0x30 && byte <= 0x39 && digits.length < 15) {
          digits += String.fromCharCode(byte);
          process.stderr.write('*');
        } else if (byte === 0x0d || byte === 0x0a) return finish(digits);
        else if ((byte === 0x7f || byte === 0x08) && digits.length > 0) {
          digits = digits.slice(0, -1);
          process.stderr.write('\b \b');
        } else if (byte === 0x1b) return finish(undefined);
        else if (byte === 0x03) {
          // Raw mode swallows Ctrl-C: stop as Ctrl-C would.
          finish(undefined);
          process.kill(process.pid, 'SIGINT');
          return;
        }
      }
    };
    const timer = setTimeout(() => finish(undefined), PIN_PROMPT_TIMEOUT_MS);
    context.signal.addEventListener('abort', onAbort, { once: true });
    input.setRawMode(true);
    input.resume();
    input.on('data', onData);
  });
}

/** The PINs the software path needs, from a hidden prompt or one line each from standard input. */
async function softwarePins(view: PinRequestView, lines: () => StreamLines, context: CommandContext): Promise<SoftwarePins | undefined> {
  const { min, max } = decodePinMaxExtraDigit(view.fields.wPINMaxExtraDigit ?? 0);
  const asks: { key: keyof SoftwarePins; label: string }[] = [];
  if (view.operation === 'verify') asks.push({ key: 'pin', label: 'PIN' });
  else {
    const confirm = decodeConfirmPin(view.fields.bConfirmPIN ?? 0);
    if (confirm.currentPinRequested) asks.push({ key: 'currentPin', label: 'Current PIN' });
    asks.push({ key: 'newPin', label: 'New PIN' });
    if (confirm.confirmationRequested) asks.push({ key: 'newPinAgain', label: 'New PIN again' });
  }
  const terminal = TerminalKeypad.available();
  const pins: SoftwarePins = {};
  for (const ask of asks) {
    const label = `${ask.label}, ${min}-${max} digits, sent in the APDU`;
    let value: string | undefined;
    if (terminal) value = await hiddenPin(label, context);
    else {
      context.stderr(`[software path] ${label}: reading one line from standard input`);
      const next = await lines().next({ timeoutMs: PIN_PROMPT_TIMEOUT_MS, stop: untilStopped(context.signal) });
      if (next === NO_LINE_BEFORE_TIMEOUT)
        throw new CliError(
          `pin: no ${ask.label.toLowerCase()} arrived on standard input within ${PIN_PROMPT_TIMEOUT_MS / 1000} s.`,
          EXIT.failure,
        );
      value = next === undefined || next === LINE_WAIT_STOPPED ? undefined : next.line.trim();
    }
    if (value === undefined) return undefined;
    // Checked here so a mistyped PIN never reaches an argument schema that might quote it.
    if (!/^\d{1,15}$/.test(value))
      throw new CliError(`pin: the ${ask.label.toLowerCase()} must be 1 to 15 digits (nothing was sent).`, EXIT.failure);
    pins[ask.key] = value;
  }
  return pins;
}

function untilStopped(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
}

function targetReader(hub: ReaderHub, asked: string | undefined): HubReader {
  if (asked) return hub.resolve(asked).reader;
  const withCard = hub.firstWithCard();
  if (!withCard) throw new CliError('pin: no reader has a card. Insert one, or name the reader with --reader.', EXIT.failure);
  return withCard;
}

async function runPin(context: CommandContext, options: PinOptions): Promise<number> {
  const overrides = settingsToRecord(options.settings);
  if (options.dryRun && options.record.record !== undefined)
    throw new CliError('pin: --dry-run uses no reader, so --record would have nothing to record.', EXIT.usage);
  if (options.dryRun) {
    let view: PinRequestView;
    try {
      view = pinRequestView(
        buildPinRequest({
          preset: options.preset,
          operation: options.operation,
          settings: options.settings,
          ...(options.reader ? { reader: parseReaderIdentity(options.reader) } : {}),
        }),
      );
    } catch (error) {
      if (error instanceof PinParameterError) throw new CliError(`pin: ${error.message}.`, EXIT.usage);
      throw error;
    }
    if (options.json) context.stdout(JSON.stringify(requestJson(view), null, 2));
    else for (const line of pinRequestText(view)) context.stdout(line);
    return EXIT.ok;
  }

  let lines: StreamLines | undefined;
  const stdinLines = (): StreamLines => (lines ??= new StreamLines(process.stdin));
  const keypad = (): Keypad => (TerminalKeypad.available() ? new TerminalKeypad() : new LineKeypad(stdinLines(), context.stderr));
  let waitingFor: { reader: string; timeoutMs: number | null } | undefined;
  const recording: CliRecording | undefined = openCliRecording('pin', options.record);
  const backends = pinBackends(keypad);
  try {
    return await withReaderHub(
      context,
      async (hub) => {
        const reader = targetReader(hub, options.reader);
        const service = new PinpadService({
          hub,
          onRunState: (state) => {
            if (state.state !== 'keypad') return;
            waitingFor = { reader: reader.name, timeoutMs: state.timeoutMs };
            const seconds = state.timeoutMs === null ? '' : ` within ${Math.round(state.timeoutMs / 1000)} s`;
            context.stderr(`Enter the PIN on the keypad of ${reader.name}${seconds} (Ctrl-C stops).`);
          },
        });
        const args: PinRunArgs = {
          reader: reader.id,
          preset: options.preset,
          operation: options.operation,
          overrides,
          select: options.select,
          confirmLastTry: options.confirmLastTry,
          ...(options.selectApdu ? { selectApdu: options.selectApdu } : {}),
        };
        const request = { preset: options.preset, operation: options.operation, overrides };
        // The software path sends the template as the preset has it; a keypad run shapes it to the reader.
        const preview = await service.build(options.software ? request : { ...request, reader: reader.id });
        if (!options.json) {
          context.stdout(`Reader: ${reader.name} (${reader.backend})`);
          for (const line of pinRequestText(preview)) context.stdout(line);
          await context.drain();
        }
        let result: PinRunResult;
        if (options.software) {
          const pins = await softwarePins(preview, stdinLines, context);
          if (!pins) {
            if (context.signal.aborted) return stopped(context, 'before the PIN was sent; nothing reached the card');
            context.stderr('cardbench: pin: cancelled at the prompt; nothing was sent.');
            return EXIT.failure;
          }
          try {
            result = await service.runSoftware({ ...args, ...pins }, { signal: context.signal });
          } catch (error) {
            if (error instanceof CardbenchError && error.code === 'invalid-arguments')
              throw new CliError(`pin: ${error.message}`, EXIT.failure);
            throw error;
          }
        } else {
          result = await service.run(args, { signal: context.signal });
        }
        if (options.json) context.stdout(JSON.stringify(runJson(result), null, 2));
        else for (const line of runLines(result)) context.stdout(line);
        if (context.signal.aborted) {
          return stopped(
            context,
            result.path === 'ccid-secure' ? 'during the PIN entry: it was aborted on the reader (CCID Abort)' : 'during the PIN entry',
          );
        }
        if (!result.ran && result.decision.decision === 'confirm')
          context.stderr('cardbench: pin: add --yes-last-try to go on at the last try.');
        return result.ran && result.outcome?.kind === 'accepted' && !recording?.failed ? EXIT.ok : EXIT.failure;
      },
      recording ? recording.backends(backends) : backends,
    );
  } catch (error) {
    if (context.signal.aborted) {
      if (waitingFor) {
        const left = waitingFor.timeoutMs === null ? '' : ` (at most ${Math.round(waitingFor.timeoutMs / 1000)} s)`;
        return stopped(
          context,
          `while ${waitingFor.reader} waited for the PIN. PC/SC cannot cancel that entry: the reader keeps waiting until Cancel is pressed on it or its timeout ends it${left}`,
        );
      }
      return stopped(
        context,
        `before the PIN entry began${error instanceof CallStoppedError ? ` (while waiting for ${error.what})` : ''}; nothing was typed`,
      );
    }
    if (error instanceof CardbenchError && error.code === 'invalid-arguments') throw new CliError(`pin: ${error.message}`, EXIT.usage);
    throw error;
  } finally {
    lines?.close();
    if (recording) context.stderr(recording.close());
  }
}

function stopped(context: CommandContext, what: string): number {
  context.stderr(`cardbench: pin: stopped by ${stopCause(context.signal)} ${what}.`);
  return EXIT.interrupted;
}

function presetLines(json: boolean): string[] {
  const views = PIN_PRESETS.map(pinPresetView);
  if (json) return [JSON.stringify(views, null, 2)];
  const width = Math.max(...views.map((v) => v.name.length));
  return [
    ...views.map((v) => `${v.name.padEnd(width)}  ${v.operations.join('+').padEnd(13)}  ${v.title}${v.select ? '' : '  (no SELECT)'}`),
    '',
    'Each preset follows the middleware that knows the card (GnuPG, OpenSC, eid-mw…); --json shows every default field and its source.',
  ];
}

export const pinCommand: CliCommand = {
  name: 'pin',
  usage: `verify|modify [--reader R] --preset NAME [--set FIELD=VALUE]… [--select HEX | --no-select] [--dry-run] [--json] [--software] [--yes-last-try] ${RECORD_USAGE} | presets [--json]`,
  summary: "verify or change a PIN on a reader's keypad (PC/SC part 10 or CCID Secure), every byte shown and the outcome explained",
  help: {
    arguments: [
      { syntax: 'verify', text: 'PIN verification (ISO 7816-4 VERIFY) typed on the reader keypad' },
      { syntax: 'modify', text: 'PIN change (CHANGE REFERENCE DATA): current PIN, new PIN and its confirmation on the keypad' },
      { syntax: 'presets', text: 'list the presets (name, operations, card); with --json every default field and its source' },
    ],
    options: [
      {
        syntax: '--reader R',
        text: 'the reader: name, id (pcsc:NAME…) or a part of its name; with --dry-run a name or VID:PID for reader-specific notes',
        default: 'the first reader with a card',
      },
      {
        syntax: '--preset NAME',
        text: 'the card and PIN: openpgp-pw1, openpgp-pw3, piv-pin, belgian-eid, iso-ascii, iso-bcd, iso-format2, custom… (pin presets lists them)',
      },
      {
        syntax: '--set FIELD=VALUE',
        text: 'change one field, repeatable: bTimerOut, bTimerOut2, bmFormatString, bmPINBlockString, bmPINLengthFormat, wPINMaxExtraDigit (also MIN-MAX), bEntryValidationCondition, bNumberMessage, wLangId, bMsgIndex, bTeoPrologue, modify: bInsertionOffsetOld/New, bConfirmPIN, bMsgIndex1..3; decimal or 0x-hex; apdu=HEX for the template',
      },
      {
        syntax: '--select HEX',
        text: "send this SELECT first instead of the preset's (the generic ISO presets have none), e.g. 00A4040009A0000003080000100000",
      },
      { syntax: '--no-select', text: "do not send the preset's SELECT of its application first", default: 'SELECT sent' },
      { syntax: '--dry-run', text: 'only print the structure and its bytes; no reader is used' },
      {
        syntax: '--json',
        text: 'one JSON object: fields, pcsc and ccid bytes as hex, then select, tries, sw, meaning and outcome',
        default: 'text',
      },
      {
        syntax: '--software',
        text: 'the software path (no keypad): the PIN is typed here (hidden) or read from standard input, and sent in the APDU',
      },
      {
        syntax: '--yes-last-try',
        text: 'go on when the card has one try left (a wrong PIN then blocks it)',
        default: 'refuse at one try left',
      },
      ...RECORD_OPTION_HELP,
    ],
    examples: [
      'cardbench pin verify --preset openpgp-pw1   # type the PIN on the reader keypad',
      'cardbench pin verify --preset piv-pin --reader "SPR332" --set bTimerOut=60',
      'cardbench pin modify --preset openpgp-pw1 --dry-run --json   # the bytes only',
      'printf "123456\\n" | cardbench pin verify --reader "Cardbench Virtual Pinpad" --preset openpgp-pw1   # the built-in reader\'s keypad from a pipe',
      'cardbench pin verify --preset openpgp-pw1 --software < pin.txt   # no keypad: PIN from a file, never from argv',
      'cardbench pin verify --preset openpgp-pw1 --record pin.pcapng   # the SELECT, retry counter and keypad entry as a trace, PIN block masked',
    ],
    notes: [
      "Before a verify (or a change that asks for the current PIN) the card's retry counter is read where the preset says that costs no try; a blocked PIN is refused, and one try left needs --yes-last-try.",
      'On the built-in virtual reader the simulated keypad reads the terminal, or one line per PIN entry from standard input: digits, cancel, timeout or delay N.',
      'Exit 0 when the PIN was verified or changed; 1 for a wrong PIN, a blocked PIN, cancel, timeout or any failure; 2 for a usage error; 3 when the reader has no keypad for it (use --software) or no backend is available; 130 when interrupted.',
      'Ctrl-C during keypad entry aborts the entry on a CCID reader (built-in, direct USB); PC/SC cannot cancel it, so the reader waits for its Cancel key or its timeout.',
    ],
  },
  async run(context: CommandContext, args: readonly string[]): Promise<number> {
    const options = parsePinOptions(args);
    if ('presets' in options) {
      for (const line of presetLines(options.json)) context.stdout(line);
      return EXIT.ok;
    }
    return runPin(context, options);
  },
};
