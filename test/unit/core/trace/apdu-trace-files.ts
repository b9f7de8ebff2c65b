/**
 * APDU-level traces for the tests: an exported-PDU recording (link type 252) built by hand the way
 * a recording is written (interface comments naming the reader, the ATR packet after a card
 * connected, commands and responses of two readers interleaved, a VERIFY carrying a PIN, a
 * command left unanswered), and the real pcsc-spy logs recorded in the pcscd rig
 * (test/fixtures/pcsc-spy/README.md says how).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromHex } from '#core/bytes/hex.js';
import { encodeExportedPduTags, formatTraceComment, ISO7816_ATR_DISSECTOR, ISO7816_DISSECTOR } from '#core/capture/exported-pdu.js';
import { concatBytes, epb, epbWithComment, idb, shb } from '../capture/capture-builder.js';

export const RECORDED_ATR = '3B8A8131FE458031C073F4014082900024';
export const RECORDED_PIN = '313233343536';

const pdu = (dissector: string, direction: number, hex: string): Uint8Array =>
  concatBytes(encodeExportedPduTags(dissector, direction), fromHex(hex));
const command = (hex: string) => pdu(ISO7816_DISSECTOR, 0, hex);
const response = (hex: string) => pdu(ISO7816_DISSECTOR, 1, hex);

/** Microseconds (the default if_tsresol) from a base of 1,800,000,000 s. */
const at = (ms: number): bigint => 1_800_000_000_000_000n + BigInt(Math.round(ms * 1000));

/** Frames as tshark numbers them: 1 is the ATR. */
export function exportedPduRecording(): Uint8Array {
  const readerComment = formatTraceComment({ reader: 'Virtual PCD 00 00', backend: 'pcsc', protocol: 'T=1', pins: 'exact' });
  return concatBytes(
    shb(),
    idb({ linkType: 252, comment: readerComment }),
    // A second reader whose interface names no reader: it is `interface 1`.
    idb({ linkType: 252 }),
    epbWithComment(0, at(0), pdu(ISO7816_ATR_DISSECTOR, 1, RECORDED_ATR), `event: card connected\natr: ${RECORDED_ATR}`), // 1
    epb(0, at(1), command('00A4040006D2760001240100')), // 2
    epb(0, at(1.5), response('9000')), // 3
    epb(1, at(2), command('00CA006E00')), // 4
    epb(0, at(2.25), command(`0020008106${RECORDED_PIN}`)), // 5
    epb(1, at(3), response('6E0A4F08D27600012401030490 00'.replace(/ /g, ''))), // 6
    epb(0, at(3.5), response('9000')), // 7
    epb(0, at(4), command('00B0000010')), // 8: never answered
    epb(0, at(5), command('00CA004F00')), // 9
    epb(0, at(5.75), response('D276000124010304FFFF0000000100009000')), // 10
    epbWithComment(0, at(6), response('6A82'), 'event: card removed'), // 11: answers nothing
  );
}

const SPY_FIXTURES = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'pcsc-spy');

/** A real pcsc-spy log from the fixtures folder. */
export function spyLog(name: 'opensc-tool-piv.pcsc-spy' | 'scriptor-openpgp.pcsc-spy'): Uint8Array {
  return new Uint8Array(readFileSync(join(SPY_FIXTURES, name)));
}

/** The virtual card's log of the APDUs it received, fixture of the same run as the spy logs. */
export function virtualCardApduLog(): string {
  return readFileSync(join(SPY_FIXTURES, 'virtual-card-apdus.txt'), 'utf8');
}

/** What a card saw of one APDU: header (CLA INS P1 P2), command data, status word, all hex. */
export interface SeenApdu {
  header: string;
  data: string;
  sw: string;
}

/**
 * The virtual card's log lines `> 00A40400 SELECT A000000308 Le=256  < 50 byte(s), SW 9000 (…)`
 * as header, data and SW (`cardbench virtual-card` prints one per APDU it answers).
 */
export function apdusSeenByCard(log: string): SeenApdu[] {
  const out: SeenApdu[] = [];
  for (const line of log.split('\n')) {
    const m = /^> ([0-9A-F]{8}) (.*?) {2}< .*SW ([0-9A-F]{4})/.exec(line);
    if (!m) continue;
    const data = m[2]!.split(' ').find((token) => /^(?:[0-9A-F]{2})+$/.test(token)) ?? '';
    out.push({ header: m[1]!, data, sw: m[3]! });
  }
  return out;
}

/** The same view of a command APDU and its response (short APDUs: Lc at byte 4 when data follows). */
export function apduSeenInTrace(command: string, sw: string | null): SeenApdu {
  const bytes = fromHex(command);
  const data = bytes.length > 5 ? command.slice(10, 10 + bytes[4]! * 2) : '';
  return { header: command.slice(0, 8), data, sw: sw ?? '' };
}
