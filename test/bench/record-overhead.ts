/**
 * What recording costs a session (issue 11): the same exchanges on the built-in virtual reader
 * (our CCID driver, the virtual pinpad reader and card, all in process: the fastest reader there
 * is, so the recorder's share is as large as it can get) without a recording, recording to a file
 * (a synchronous write per packet, as --record does) and recording to memory (browser mode). The
 * peer is the session without recording in the same run; it prints µs per exchange, the ratios,
 * bytes per exchange, and the writer alone (SessionTraceWriter into a discarding sink).
 *
 *   npx tsx test/bench/record-overhead.ts [--exchanges N]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fromHex } from '#core/bytes/hex.js';
import { SessionTraceWriter } from '#core/record/session-trace-writer.js';
import { MemoryRecordSink } from '../../electron/backend/record/memory-record-sink.js';
import { openRecordFile } from '../../electron/backend/record/record-file.js';
import { recordingBackend, RecordingSwitch } from '../../electron/backend/record/recording-backend.js';
import { SessionRecorder } from '../../electron/backend/record/session-recorder.js';
import { createVirtualReaderBackend, VIRTUAL_READER_NAME } from '../../electron/backend/virtual-reader/virtual-reader-backend.js';

const { values } = parseArgs({ options: { exchanges: { type: 'string' } } });
const N = Number(values.exchanges ?? 20_000);
/** A mix a script sends: SELECT, a 600-byte READ BINARY, GET DATA, VERIFY (masked). */
const APDUS = ['00A4040006D27600012401', '00CA006E00', '0020008106313233343536', '00A4020C022F01', '00B00000000258'].map(fromHex);

async function session(mode: 'none' | 'file' | 'memory', dir: string): Promise<{ usPerExchange: number; bytes: number }> {
  const inner = createVirtualReaderBackend();
  const recording = new RecordingSwitch();
  const path = join(dir, `bench-${mode}.pcapng`);
  let bytes = () => 0;
  if (mode === 'file') {
    const file = openRecordFile(path);
    recording.start(new SessionRecorder(file, { pins: 'masked' }));
    bytes = () => statSync(path).size;
  } else if (mode === 'memory') {
    const memory = new MemoryRecordSink(1 << 30);
    recording.start(new SessionRecorder(memory, { pins: 'masked' }));
    bytes = () => memory.bytes;
  }
  const backend = recordingBackend(inner, recording);
  await backend.settled();
  for (let i = 0; i < 200; i++) await backend.transmit(VIRTUAL_READER_NAME, APDUS[i % APDUS.length]!);
  const started = process.hrtime.bigint();
  for (let i = 0; i < N; i++) await backend.transmit(VIRTUAL_READER_NAME, APDUS[i % APDUS.length]!);
  const us = Number(process.hrtime.bigint() - started) / 1000;
  recording.stop();
  const size = bytes();
  await inner.dispose();
  return { usPerExchange: us / N, bytes: size };
}

function writerAlone(): number {
  const writer = new SessionTraceWriter(() => undefined, { pins: 'masked' });
  const reader = writer.interfaceOf({ reader: 'R', backend: 'virtual', protocol: 'any' });
  const response = new Uint8Array(602);
  const started = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    writer.command(reader, APDUS[i % APDUS.length]!, BigInt(i));
    writer.response(reader, response, BigInt(i));
  }
  return Number(process.hrtime.bigint() - started) / 1000 / N;
}

const dir = mkdtempSync(join(tmpdir(), 'cardbench-bench-record-'));
try {
  const none = await session('none', dir);
  const file = await session('file', dir);
  const memory = await session('memory', dir);
  const alone = writerAlone();
  const row = (label: string, r: { usPerExchange: number; bytes: number }) =>
    `${label.padEnd(26)} ${r.usPerExchange.toFixed(1).padStart(8)} µs/exchange  ×${(r.usPerExchange / none.usPerExchange).toFixed(2)}  ${(r.bytes / N).toFixed(0).padStart(4)} B/exchange`;
  console.log(`record-overhead: ${N} exchanges on the built-in virtual reader (${APDUS.length} APDUs in turn)`);
  console.log(row('no recording (peer)', none));
  console.log(row('recording to a file', file));
  console.log(row('recording to memory', memory));
  console.log(`${'writer alone'.padEnd(26)} ${alone.toFixed(1).padStart(8)} µs/exchange (command + 602-byte response, no I/O)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
