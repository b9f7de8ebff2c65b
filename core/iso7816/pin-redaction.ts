/**
 * PINs never leave the process in clear: not in logs, history, exports or CLI output. Commands
 * that carry reference data (VERIFY, CHANGE REFERENCE DATA, RESET RETRY COUNTER, both INS forms)
 * keep their header and lengths, and their data bytes are masked.
 */
import { toHex } from '../bytes/hex.js';
import { parseCommandApdu } from './command-apdu.js';

const PIN_CARRYING_INS: ReadonlySet<number> = new Set([0x20, 0x21, 0x24, 0x25, 0x2c, 0x2d]);

export function carriesPin(ins: number): boolean {
  return PIN_CARRYING_INS.has(ins);
}

/**
 * The command as uppercase hex with every PIN data byte shown as '**'. A malformed PIN command
 * masks everything after its 4-byte header, since its data boundaries cannot be trusted.
 */
export function redactedCommandHex(command: Uint8Array): string {
  if (command.length < 2 || !carriesPin(command[1]!)) return toHex(command);
  const parsed = parseCommandApdu(command);
  const wellFormed = parsed.apduCase !== undefined && !parsed.problems.some((p) => p.severity === 'error');
  if (!wellFormed) return toHex(command.subarray(0, 4)) + '**'.repeat(Math.max(0, command.length - 4));
  if (parsed.data.length === 0) return toHex(command);
  const dataStart = command.length - parsed.data.length - (parsed.le === undefined ? 0 : parsed.extended ? 2 : 1);
  return toHex(command.subarray(0, dataStart)) + '**'.repeat(parsed.data.length) + toHex(command.subarray(dataStart + parsed.data.length));
}
