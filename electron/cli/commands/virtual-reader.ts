/**
 * `cardbench virtual-reader --gempc-serial PTY_PATH`: the virtual pinpad reader (core/sim/reader)
 * with the virtual card inserted, served over the GemPC serial framing on a pty, so pcscd's
 * libccidtwin driver (and every PC/SC application) sees a reader with a PIN pad.
 */
import { readFileSync } from 'node:fs';
import { toHex } from '../../../core/bytes/hex.js';
import { VirtualSmartCard } from '../../../core/sim/card/virtual-smart-card.js';
import { FixedPinKeypad, parseKeypadScript, ScriptedKeypad, type Keypad } from '../../../core/sim/reader/keypad.js';
import { VirtualCcidReader, type ReaderActivity } from '../../../core/sim/reader/virtual-ccid-reader.js';
import { gemPcReaderConf, startGemPcSerialServer, type GemPcSerialServer } from '../../backend/gempc-serial/gempc-serial-server.js';
import { SocatUnavailableError } from '../../backend/gempc-serial/socat-pty.js';
import { TerminalKeypad } from '../../backend/gempc-serial/terminal-keypad.js';
import type { CommandContext } from '../command.js';
import { CliError, EXIT } from '../exit-codes.js';
import { parseCommandOptions } from '../parse-options.js';

export const VIRTUAL_READER_USAGE = '--gempc-serial PTY_PATH [--card t0|t1|none] [--keypad-script FILE] [--pin PIN]';

export interface VirtualReaderOptions {
  ptyPath: string;
  card: 't0' | 't1' | 'none';
  keypadScript?: string;
  pin?: string;
}

export function parseVirtualReaderOptions(args: readonly string[]): VirtualReaderOptions {
  const { values } = parseCommandOptions('virtual-reader', args, {
    'gempc-serial': { type: 'string' },
    card: { type: 'string' },
    'keypad-script': { type: 'string' },
    pin: { type: 'string' },
  });
  const ptyPath = values['gempc-serial'];
  if (!ptyPath) throw new CliError(`virtual-reader: --gempc-serial PTY_PATH is required (e.g. /tmp/cardbench-pinpad).`, EXIT.usage);
  const card = values.card ?? 't1';
  if (card !== 't0' && card !== 't1' && card !== 'none') {
    throw new CliError(`virtual-reader: --card must be t0, t1 or none, not '${card}'.`, EXIT.usage);
  }
  const pin = values.pin;
  // The message never repeats the value: it may be a mistyped PIN.
  if (pin !== undefined && !/^\d{1,15}$/.test(pin)) throw new CliError('virtual-reader: --pin takes 1 to 15 digits.', EXIT.usage);
  return {
    ptyPath,
    card,
    ...(values['keypad-script'] !== undefined ? { keypadScript: values['keypad-script'] } : {}),
    ...(pin !== undefined ? { pin } : {}),
  };
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
    server = await startGemPcSerialServer({ ptyPath: options.ptyPath, device: reader, log: (line) => log(`serial: ${line}`) });
  } catch (error) {
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
