/**
 * A trace file `cardbench decode` reads, made from APDU exchanges: a usbmon pcapng of a CCID
 * reader at APDU level (IccPowerOn, then one XfrBlock → DataBlock per exchange), the form a USB
 * capture of the same session would have. Replay tests write what they sent this way when no
 * recorder is at hand; the decoder finds the reader from its traffic.
 */
import { fromHex } from '#core/bytes/hex.js';
import { encodeDataBlock, encodeIccPowerOn, encodeXfrBlock } from '#core/ccid/index.js';
import { pcapngOf, usbmonCcidPipes } from '../unit/core/capture/capture-builder.js';

export interface HexExchange {
  command: string;
  response: string;
}

const ATR_T0 = fromHex('3B0A4C41422D434152443031');

export function apduUsbTrace(exchanges: readonly HexExchange[], options: { atr?: Uint8Array; firstUrbId?: bigint } = {}): Uint8Array {
  const { out, inn } = usbmonCcidPipes(options.firstUrbId ?? 0x9000n);
  const ok = { slot: 0, iccStatus: 0, commandStatus: 0, bError: 0 };
  const records: Uint8Array[] = [];
  let seq = 0;
  records.push(...out(encodeIccPowerOn({ slot: 0, seq })), ...inn(encodeDataBlock({ ...ok, seq, data: options.atr ?? ATR_T0 })));
  for (const e of exchanges) {
    seq = (seq + 1) & 0xff;
    records.push(...out(encodeXfrBlock({ slot: 0, seq, data: fromHex(e.command), levelParameter: 0 })));
    records.push(...inn(encodeDataBlock({ ...ok, seq, data: fromHex(e.response), chainParameter: 0 })));
  }
  return pcapngOf(220, records);
}
