/**
 * `cardbench virtual-reader --gempc-serial [NAME|PATH]`: the virtual pinpad reader
 * (core/sim/reader) with the virtual card inserted, served over the GemPC serial framing on a
 * pty, so pcscd's libccidtwin driver (and every PC/SC application) sees a reader with a PIN pad.
 * The pty link goes to a private directory unless a path is given (see pty-location.ts).
 */
import { readFileSync } from 'node:fs';
import { toHex } from '#core/bytes/hex.js';
import { VirtualSmartCard } from '#core/sim/card/virtual-smart-card.js';
import { FixedPinKeypad, parseKeypadScript, ScriptedKeypad, type Keypad } from '#core/sim/reader/keypad.js';
import { VirtualCcidReader, type ReaderActivity } from '#core/sim/reader/virtual-ccid-reader.js';
import { gemPcReaderConf, startGemPcSerialServer, type GemPcSerialServer } from '../../backend/gempc-serial/gempc-serial-server.js';
import { DEFAULT_PTY_NAME, PtyLocationError, resolvePtyLocation } from '../../backend/gempc-serial/pty-location.js';
import { SocatUnavailableError } from '../../backend/gempc-serial/socat-pty.js';
import { TerminalKeypad } from '../../backend/gempc-serial/terminal-keypad.js';
import type { CommandContext } from '../command.js';
import { CliError, EXIT } from '../exit-codes.js';
import { parseCommandOptions } from '../parse-options.js';

export const VIRTUAL_READER_USAGE = '--gempc-serial [NAME|PATH] [--card t0|t1|none] [--keypad-script FILE] [--pin PIN]';

/** The --help table (the shape of CommandHelp in command.ts). */
export const VIRTUAL_READER_HELP = {
  options: [
    {
      syntax: '--gempc-serial [NAME|PATH]',
      text:
        "serve the reader on a pty for pcscd's GemPC serial driver. Without a value or with a bare NAME, the link is " +
        'made in a private directory ($XDG_RUNTIME_DIR/cardbench, else /tmp/cardbench-UID, mode 700); a PATH ' +
        '(with a /) is used as given and must not exist yet: an existing file or symbolic link is never replaced',
      default: DEFAULT_PTY_NAME,
    },
    { syntax: '--card t0|t1|none', text: 'the virtual card inserted in the reader, by protocol, or no card', default: 't1' },
    { syntax: '--keypad-script FILE', text: 'what the keypad "types" for each PIN entry: digits, cancel, timeout, delay MS' },
    { syntax: '--pin PIN', text: 'the PIN the keypad types every time (1 to 15 digits)' },
  ],
  examples: [
    'cardbench virtual-reader --gempc-serial   # link in the private directory, prints the reader.conf entry',
    'cardbench virtual-reader --gempc-serial ./pinpad --card t0 --pin 123456',
  ],
  notes: ['Start it before pcscd and stop it after: pcscd drops a reader that is mute when it opens it, and does not retry.'],
} as const;

export interface VirtualReaderOptions {
  /** As given to --gempc-serial: '' or a bare name for the private directory, else a path. */
  pty: string;
  card: 't0' | 't1' | 'none';
  keypadScript?: string;
  pin?: string;
}

export function parseVirtualReaderOptions(args: readonly string[]): VirtualReaderOptions {
  const { values } = parseCommandOptions('virtual-reader', withGemPcSerialValue(args), {
    'gempc-serial': { type: 'string' },
    card: { type: 'string' },
    'keypad-script': { type: 'string' },
    pin: { type: 'string' },
  });
  const pty = values['gempc-serial'];
  if (pty === undefined) {
    throw new CliError(
      'virtual-reader: say where to serve the reader: --gempc-serial [NAME|PATH] (alone: a link named pinpad in a private directory).',
      EXIT.usage,
    );
  }
  const card = values.card ?? 't1';
  if (card !== 't0' && card !== 't1' && card !== 'none') {
    throw new CliError(`virtual-reader: --card must be t0, t1 or none, not '${card}'.`, EXIT.usage);
  }
  const pin = values.pin;
  // The message never repeats the value: it may be a mistyped PIN.
  if (pin !== undefined && !/^\d{1,15}$/.test(pin)) throw new CliError('virtual-reader: --pin takes 1 to 15 digits.', EXIT.usage);
  return {
    pty,
    card,
    ...(values['keypad-script'] !== undefined ? { keypadScript: values['keypad-script'] } : {}),
    ...(pin !== undefined ? { pin } : {}),
  };
}

/** `--gempc-serial` takes an optional value, which parseArgs cannot express: alone, it means the default. */
function withGemPcSerialValue(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg !== '--gempc-serial') {
      out.push(arg);
      continue;
    }
    const next = args[i + 1];
    if (next !== undefined && !next.startsWith('-')) {
      out.push(`--gempc-serial=${next}`);
      i++;
    } else {
      out.push('--gempc-serial=');
    }
  }
  return out;
}

/** Used when nobody can type: every PIN entry times out, with one note saying why. */
function noKeypad(stderr: (line: string) => void): Keypad {
  return {
    enterPin: () => {
      stderr('[pinpad] PIN entry asked, but there is no keypad input (no --keypad-script, no --pin, no terminal): answering timeout.');
      return Promise.resolve({ kind: 'timeout' });
    },
  };
}

function buildKeypad(options: VirtualReaderOptions, context: CommandContext): { keypad: Keypad; source: string } {
  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
  const interactive = TerminalKeypad.available() ? new TerminalKeypad() : undefined;
  const fallback: Keypad = options.pin !== undefined ? new FixedPinKeypad(options.pin) : (interactive ?? noKeypad(context.stderr));
  if (options.keypadScript !== undefined) {
    let text: string;
    try {
      text = readFileSync(options.keypadScript, 'utf8');
    } catch (error) {
      throw new CliError(
        `virtual-reader: cannot read the keypad script ${options.keypadScript}: ${(error as Error).message}`,
        EXIT.failure,
      );
    }
    const { steps, errors } = parseKeypadScript(text);
    if (errors.length > 0) {
      const lines = errors.map((e) => `  line ${e.line}: ${e.message}`).join('\n');
      throw new CliError(`virtual-reader: the keypad script ${options.keypadScript} has errors:\n${lines}`, EXIT.usage);
    }
    return {
      keypad: new ScriptedKeypad(steps, { sleep, whenExhausted: fallback }),
      source: `script ${options.keypadScript} (${steps.length} steps)`,
    };
  }
  if (options.pin !== undefined) return { keypad: fallback, source: '--pin (the same PIN every time)' };
  if (interactive) return { keypad: interactive, source: 'this terminal (digits are not echoed)' };
  return { keypad: fallback, source: 'none: PIN entries time out' };
}

/** One log line per reader event; PINs and APDU data never appear. */
export function describeActivity(activity: ReaderActivity): string {
  switch (activity.type) {
    case 'power-on':
      return `card powered, ATR ${toHex(activity.atr, ' ').toUpperCase()}`;
    case 'power-off':
      return 'card powered off';
    case 'card':
      return activity.present ? 'card inserted' : 'card removed';
    case 'apdu': {
      const sw = activity.sw === undefined ? 'no SW' : `SW ${activity.sw.toString(16).toUpperCase().padStart(4, '0')}`;
      const via = activity.via === 'secure' ? ' (PIN from the keypad)' : '';
      return `APDU CLA ${hex2(activity.cla)} INS ${hex2(activity.ins)} → ${sw}${via}`;
    }
    case 'escape':
      return `escape: ${activity.command}${activity.ok ? '' : ' (refused)'}`;
    case 'pin-entry':
      return `PIN ${activity.operation}: ${activity.outcome}`;
    case 'refused':
      return `refused: ${activity.message}`;
  }
}

function hex2(v: number): string {
  return v.toString(16).toUpperCase().padStart(2, '0');
}

export async function runVirtualReader(context: CommandContext, options: VirtualReaderOptions): Promise<number> {
  const { keypad, source } = buildKeypad(options, context);
  const log = (line: string) => context.stderr(`[reader] ${line}`);
  const reader = new VirtualCcidReader({ keypad, onActivity: (activity) => log(describeActivity(activity)) });
  if (options.card !== 'none') reader.insertCard(new VirtualSmartCard({ protocol: options.card === 't0' ? 'T=0' : 'T=1' }));

  let server: GemPcSerialServer;
  try {
    const location = resolvePtyLocation(options.pty);
    if (location.note) context.stderr(`[reader] ${location.note}`);
    server = await startGemPcSerialServer({ ptyPath: location.path, device: reader, log: (line) => log(`serial: ${line}`) });
  } catch (error) {
    if (error instanceof PtyLocationError) throw new CliError(`virtual-reader: ${error.message}`, error.byUser ? EXIT.usage : EXIT.failure);
    if (error instanceof SocatUnavailableError) throw new CliError(`virtual-reader: ${error.message}`, EXIT.unavailable);
    throw error;
  }
  context.stdout(`Cardbench virtual pinpad reader on ${server.ptyPath} (card: ${options.card}, keypad: ${source}).`);
  context.stdout("Add this entry to a file in pcscd's reader.conf directory (e.g. /etc/reader.conf.d/cardbench), then restart pcscd:");
  context.stdout('');
  context.stdout(gemPcReaderConf(server.ptyPath));
  context.stdout('');
  context.stdout('Keep this running while pcscd uses the reader (start it before pcscd, stop it after). Press Ctrl-C to stop.');

  const socatGone = server.socatExited.then((exit) => ({ kind: 'socat' as const, exit }));
  const outcome = await Promise.race([context.untilInterrupted().then(() => ({ kind: 'interrupted' as const })), socatGone]);
  context.stderr('Stopping the virtual reader…');
  await server.close();
  if (outcome.kind === 'socat') {
    throw new CliError(
      `virtual-reader: socat stopped (${outcome.exit.code ?? outcome.exit.signal}): ${outcome.exit.stderr.trim()}`,
      EXIT.failure,
    );
  }
  return EXIT.ok;
}
