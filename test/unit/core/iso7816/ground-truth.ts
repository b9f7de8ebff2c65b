/**
 * Reads the `N C: …` / `R: …` exchange lists of ../shared/captures (ground truth written by
 * people and tools other than our decoders). Test-only: uses node:fs.
 */
import { readFileSync } from 'node:fs';
import { fromHex } from '#core/bytes/hex.js';
import { sharedPath } from '../../../shared-path.js';

export interface GroundTruthExchange {
  number: number;
  command: Uint8Array;
  response: Uint8Array;
}

/**
 * @param section when given, only exchanges under the `## ` heading that starts with it are read
 *   (labcard-basic.txt also lists other things in the same format)
 */
export function readExchanges(relativePath: string, section?: string): GroundTruthExchange[] {
  return parseExchangeList(readFileSync(sharedPath(relativePath), 'utf8'), section);
}

/** The same, from text already read. */
export function parseExchangeList(text: string, section?: string): GroundTruthExchange[] {
  const exchanges: GroundTruthExchange[] = [];
  let active = section === undefined;
  let pending: { number: number; command: Uint8Array } | undefined;
  for (const line of text.split('\n')) {
    if (section !== undefined && line.startsWith('## ')) {
      active = line.startsWith(section);
      continue;
    }
    if (!active) continue;
    const command = /^\s*(\d+) C: ([0-9A-F ]+)$/.exec(line);
    if (command) {
      pending = { number: Number(command[1]), command: fromHex(command[2]!) };
      continue;
    }
    const response = /^\s+R: ([0-9A-F ]+)$/.exec(line);
    if (response && pending) {
      exchanges.push({ ...pending, response: fromHex(response[1]!) });
      pending = undefined;
    }
  }
  return exchanges;
}

export const EMV_EXPECT = 'captures/usbpcap-emv-gcc2024/usb.expect';
export const LABCARD_TXT = 'captures/usbmon-qemu-labcard/labcard-basic.txt';
export const LABCARD_SECTION = '## APDUs through SCardTransmit';
