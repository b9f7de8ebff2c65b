/**
 * The recording wrapper around the real built-in virtual reader (backend → CCID driver →
 * in-process USB → reader model → card): every reader call a session makes lands in the file as
 * Wireshark decodes it (read back with tshark), card events as comments, keypad entries through
 * PC/SC-style control codes and CCID Secure alike, and nothing at all while no recording runs.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { fromHex } from '#core/bytes/hex.js';
import { encodeSecureVerifyData } from '#core/ccid/secure.js';
import { CM_IOCTL_GET_FEATURE_REQUEST_LINUX } from '#core/pcsc/control-codes.js';
import { encodePinVerifyStructure } from '#core/pcsc/pin-structures.js';
import { VirtualSmartCard } from '#core/sim/card/virtual-smart-card.js';
import { ScriptedKeypad } from '#core/sim/reader/keypad.js';
import { VERIFY_PIN_DIRECT_CODE } from '../../../../../electron/backend/ccid-usb/ccid-driver-reader.js';
import type { ReaderBackend } from '../../../../../electron/backend/reader-backend.js';
import { recordingBackend, RecordingSwitch } from '../../../../../electron/backend/record/recording-backend.js';
import { SessionRecorder } from '../../../../../electron/backend/record/session-recorder.js';
import {
  createVirtualReaderBackend,
  VIRTUAL_READER_NAME,
  type VirtualReaderBackend,
} from '../../../../../electron/backend/virtual-reader/virtual-reader-backend.js';
import { tsharkFields, tsharkInfo, tsharkUnavailableReason } from '../../../../support/tshark.js';

const noTshark = tsharkUnavailableReason();
if (noTshark) console.warn(`[skip] recording backend read back by tshark: ${noTshark}`);

const dir = mkdtempSync(join(tmpdir(), 'cardbench-recording-backend-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SELECT = fromHex('00A4040006D27600012401');
let inner: VirtualReaderBackend | undefined;
afterEach(async () => {
  await inner?.dispose();
  inner = undefined;
});

interface Recording {
  backend: ReaderBackend;
  recording: RecordingSwitch;
  recorder: SessionRecorder;
  chunks: Uint8Array[];
  counts: number[];
  /** Stops the recording and writes the file for tshark. */
  save(name: string): string;
}

function recordVirtual(keypad?: ScriptedKeypad): Recording {
  inner = createVirtualReaderBackend(keypad ? { keypad } : {});
  const recording = new RecordingSwitch();
  const chunks: Uint8Array[] = [];
  const counts: number[] = [];
  const recorder = new SessionRecorder(
    { write: (chunk) => chunks.push(chunk.slice()) },
    { pins: 'masked', onPacket: (n) => counts.push(n) },
  );
  recording.start(recorder);
  return {
    backend: recordingBackend(inner, recording),
    recording,
    recorder,
    chunks,
    counts,
    save(name) {
      recording.stop();
      const path = join(dir, name);
      writeFileSync(path, Buffer.concat(chunks));
      return path;
    },
  };
}

const scripted = (...steps: ConstructorParameters<typeof ScriptedKeypad>[0]) =>
  new ScriptedKeypad(steps, { sleep: () => Promise.resolve() });

describe('recordingBackend', () => {
  it('keeps the optional methods the backend has (the Pinpad chooses its route by them) and forwards its kind', () => {
    const { backend } = recordVirtual();
    expect(backend.kind).toBe('virtual');
    expect(typeof backend.control).toBe('function');
    expect(typeof backend.securePinEntry).toBe('function');
    expect(typeof backend.abortPinEntry).toBe('function');
    const bare: ReaderBackend = {
      ...inner!,
      control: undefined,
      securePinEntry: undefined,
      abortPinEntry: undefined,
      ccidDescriptor: undefined,
    };
    const wrapped = recordingBackend(bare, new RecordingSwitch());
    expect([wrapped.control, wrapped.securePinEntry, wrapped.abortPinEntry, wrapped.ccidDescriptor]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('writes nothing while no recording runs, and nothing after stop', async () => {
    const r = recordVirtual();
    r.recording.stop();
    const before = r.chunks.length;
    await r.backend.transmit(VIRTUAL_READER_NAME, SELECT);
    expect(r.chunks.length).toBe(before);
    expect(r.recorder.active).toBe(false);
  });

  it.skipIf(noTshark)('ATR, exchanges, reset, card removed and inserted: packets and comments tshark shows', async () => {
    const r = recordVirtual();
    await r.backend.settled();
    await r.backend.transmit(VIRTUAL_READER_NAME, SELECT);
    await r.backend.disconnect(VIRTUAL_READER_NAME, 'reset');
    await r.backend.transmit(VIRTUAL_READER_NAME, SELECT);
    // The hub subscribes to onChange; the wrapper hears removals through it.
    const unsubscribe = r.backend.onChange(() => undefined);
    inner!.device.removeCard(0);
    await expect(r.backend.transmit(VIRTUAL_READER_NAME, SELECT)).rejects.toBeDefined();
    inner!.device.insertCard(0, new VirtualSmartCard());
    await r.backend.transmit(VIRTUAL_READER_NAME, fromHex('00CA006E00'));
    unsubscribe();
    const file = r.save('events.pcapng');
    const info = tsharkInfo(file).map((line) => (line.startsWith('ATR') ? 'ATR' : line));
    expect(info).toEqual([
      'ATR',
      'Select file',
      'Response APDU (to Select file)',
      'ATR',
      'Select file',
      'Response APDU (to Select file)',
      'Select file',
      'Get data',
      'Response APDU (to Get data)',
      // The CCID driver powers a new card inside the first transmit: its ATR is known after the answer.
      'ATR',
    ]);
    const comments = tsharkFields(file, ['frame.comment']).map((row) => row[0] ?? '');
    expect(comments[0]).toMatch(/^event: card connected\\natr: 3B/);
    expect(comments[2]).toBe('protocol: T=1');
    expect(comments[3]).toMatch(/^event: card connected\\natr: 3B[0-9A-F]+\\nevent: card reset$/);
    expect(comments[6]).toMatch(/^event: card removed$/);
    expect(comments[7]).toMatch(/^event: no answer \(.+\)$/);
    expect(comments[9]).toMatch(/^event: card connected\\natr: 3B/);
    expect(r.counts.at(-1)).toBe(10);
  });

  it.skipIf(noTshark)('keypad entries: a learned VERIFY_PIN_DIRECT control and a CCID Secure, templates masked, cancel noted', async () => {
    const r = recordVirtual(scripted({ kind: 'digits', digits: '123456' }, { kind: 'cancel' }));
    await r.backend.settled();
    await r.backend.control!(VIRTUAL_READER_NAME, CM_IOCTL_GET_FEATURE_REQUEST_LINUX, new Uint8Array(0));
    await r.backend.transmit(VIRTUAL_READER_NAME, SELECT);
    const parameters = {
      formatString: 0x82,
      pinBlockString: 0x00,
      pinLengthFormat: 0x00,
      minPinSize: 6,
      maxPinSize: 8,
      apdu: fromHex('0020008108FFFFFFFFFFFFFFFF'),
    };
    const answer = await r.backend.control!(VIRTUAL_READER_NAME, VERIFY_PIN_DIRECT_CODE, encodePinVerifyStructure(parameters));
    // Whatever the card said to the PIN the keypad typed, the file holds the same answer.
    expect(answer.length).toBe(2);
    const answerHex = Buffer.from(answer).toString('hex');
    const abData = encodeSecureVerifyData(parameters);
    const cancelled = await r.backend.securePinEntry!(VIRTUAL_READER_NAME, { operation: 'verify', abData, template: parameters.apdu });
    await r.backend.transmit(VIRTUAL_READER_NAME, fromHex('00CA006E00'));
    const file = r.save('keypad.pcapng');
    const info = tsharkInfo(file).slice(1);
    expect(info.slice(0, 4)).toEqual(['Select file', 'Response APDU (to Select file)', 'Verify', 'Response APDU (to Verify)']);
    const sw = tsharkFields(file, ['iso7816.apdu.sw1', 'iso7816.apdu.sw2'], 'frame.number == 5')[0]!;
    expect(sw.map((b) => b.slice(2)).join('')).toBe(answerHex);
    expect(info[4]).toBe('Verify');
    const bodies = tsharkFields(file, ['iso7816.apdu.body'], 'iso7816.apdu.ins == 0x20').map((row) => row[0]);
    expect(bodies).toEqual(['2a2a2a2a2a2a2a2a', '2a2a2a2a2a2a2a2a']);
    const comments = tsharkFields(file, ['frame.comment'], 'iso7816.apdu.ins == 0x20').map((row) => row[0]);
    // The PIN entry's event is its comment's first line (what the importer looks for).
    expect(comments[0]).toMatch(
      /^event: PIN entry on the reader keypad\\nrequest: PC\/SC VERIFY_PIN_DIRECT \(control code 0x[0-9A-F]{8}\)\\nstructure: [0-9A-F]{38}\\nmasked: PIN block of the keypad template$/,
    );
    expect(comments[1]).toMatch(/request: CCID PC_to_RDR_Secure \(verify\)\\nparameters: 00/);
    const last = tsharkFields(file, ['frame.comment'], 'iso7816.apdu.ins == 0xca')[0]![0];
    if ('bError' in cancelled) expect(last).toMatch(/^event: PIN entry ended by the reader \(bError 0x[0-9A-F]{2}\)/);
    else expect(info[5]).toBe('Response APDU (to Verify)');
  });
});
