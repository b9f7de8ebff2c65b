/**
 * PC/SC round-trip benchmark (issue "Readers and Console"): a short APDU (SELECT of the OpenPGP
 * application, answered 9000) through a real pcscd and libccid's GemPC serial driver to the
 * virtual pinpad reader on a pty, sent by
 *   - ours: the reader hub over the PC/SC adapter (what the Console and `cardbench send` use),
 *   - raw: the `pcsclite` binding alone (connect once, transmit in a loop),
 *   - pyscard: python3-pyscard in a child process, timing its own loop,
 * in the same run, interleaved in rounds so drift in the rig hits every peer alike. Prints
 * medians, p95 and our overhead over the raw binding (target ≤ 5 %).
 *
 *   bash test/rigs/in-private-namespace.sh npx tsx test/bench/pcsc-roundtrip.ts [--rounds N] [--per-round N]
 */
import { existsSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { fromHex, toHex } from '#core/bytes/hex.js';
import type { PcscLiteReader } from '../../electron/backend/pcsc/pcsc-binding.js';
import { createPcscReaderBackend } from '../../electron/backend/readers/pcsc-reader-backend.js';
import { ReaderHub } from '../../electron/backend/readers/reader-hub.js';
import { pcscdRigUnavailableReason, waitFor } from '../rigs/pcscd-rig.js';
import { PINPAD_PCSC_NAME, startPinpadRig } from '../rigs/pinpad-reader-rig.js';

const APDU = '00A4040006D27600012401';
/** Debian's python3-pyscard installs for the system Python; a pyenv or venv python3 first in PATH would not see it. */
const PYTHON = process.env.CARDBENCH_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
const { values } = parseArgs({ options: { rounds: { type: 'string', default: '20' }, 'per-round': { type: 'string', default: '100' } } });
const ROUNDS = Number(values.rounds);
const PER_ROUND = Number(values['per-round']);

function quantile(sorted: readonly number[], q: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index]!;
}

function summary(samples: readonly number[]): { median: number; p95: number; n: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: quantile(sorted, 0.5), p95: quantile(sorted, 0.95), n: sorted.length };
}

function pyscardUnavailable(): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import smartcard'], { encoding: 'utf8' });
  if (probe.error) return `python3 not found (${probe.error.message})`;
  if (probe.status !== 0) return `python3 -c "import smartcard" failed: ${probe.stderr.trim().split('\n').at(-1)}`;
  return undefined;
}

/** pyscard times its own loop (excluding Python start-up), one line of milliseconds per exchange. */
function runPyscard(count: number): Promise<number[]> {
  // LEAVE_CARD on disconnect: pyscard's default resets the card, which would break the other peers' handles.
  const script = `
import sys, time
from smartcard.System import readers
from smartcard.scard import SCARD_SHARE_SHARED, SCARD_LEAVE_CARD
r = [x for x in readers() if str(x) == sys.argv[1]][0]
c = r.createConnection(); c.connect(mode=SCARD_SHARE_SHARED, disposition=SCARD_LEAVE_CARD)
apdu = list(bytes.fromhex(sys.argv[2]))
for _ in range(int(sys.argv[3])):
    t = time.perf_counter(); data, sw1, sw2 = c.transmit(apdu); dt = (time.perf_counter() - t) * 1000
    assert (sw1, sw2) == (0x90, 0), (sw1, sw2)
    print(dt)
c.disconnect()
`;
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, ['-c', script, PINPAD_PCSC_NAME, APDU, String(count)]);
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('exit', (code) =>
      code === 0 ? resolve(out.trim().split('\n').map(Number)) : reject(new Error(`pyscard failed (${code}): ${err}`)),
    );
  });
}

async function main(): Promise<void> {
  const unavailable = pcscdRigUnavailableReason();
  if (unavailable) {
    console.error(`pcsc-roundtrip: ${unavailable}`);
    process.exit(3);
  }
  const pyscardWhyNot = pyscardUnavailable();
  const rig = await startPinpadRig({ card: 't1' });
  const hub = new ReaderHub([createPcscReaderBackend(200)]);
  type PcscLite = () => { on(event: string, listener: (value: never) => void): void; close(): void };
  const pcsc = (createRequire(import.meta.url)('pcsclite') as PcscLite)();
  try {
    pcsc.on('error', () => undefined);
    const raw = await new Promise<PcscLiteReader>((resolve) =>
      pcsc.on('reader', (reader: PcscLiteReader) => {
        reader.on('error', () => undefined);
        if (reader.name === PINPAD_PCSC_NAME) resolve(reader);
      }),
    );
    await waitFor(
      () => hub.snapshot().readers.some((r) => r.name === PINPAD_PCSC_NAME && r.cardPresent),
      20_000,
      () => 'pinpad reader has no card',
    );
    const protocol = await new Promise<number>((resolve, reject) =>
      raw.connect({ share_mode: raw.SCARD_SHARE_SHARED, protocol: raw.SCARD_PROTOCOL_T1 }, (e, p) => (e ? reject(e) : resolve(p))),
    );
    const apdu = fromHex(APDU);
    const apduBuffer = Buffer.from(apdu);
    const rawOnce = (): Promise<number> =>
      new Promise((resolve, reject) => {
        const started = performance.now();
        raw.transmit(apduBuffer, 258, protocol, (e, data) => {
          const ms = performance.now() - started;
          if (e) return reject(e);
          if (data.toString('hex') !== '9000') return reject(new Error(`raw: unexpected ${data.toString('hex')}`));
          resolve(ms);
        });
      });
    const oursOnce = async (): Promise<number> => {
      // Measured around the whole hub call (name resolution, connection reuse, promise), not the backend's own ms.
      const started = performance.now();
      const { response } = await hub.transmit(PINPAD_PCSC_NAME, apdu);
      const ms = performance.now() - started;
      if (toHex(response) !== '9000') throw new Error(`ours: unexpected ${toHex(response)}`);
      return ms;
    };

    for (let i = 0; i < 20; i++) {
      await oursOnce();
      await rawOnce();
    }
    const ours: number[] = [];
    const rawSamples: number[] = [];
    const py: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate who goes first, so neither peer always follows the other's warm-up.
      const order = round % 2 === 0 ? ['ours', 'raw'] : ['raw', 'ours'];
      for (const peer of order) {
        for (let i = 0; i < PER_ROUND; i++) (peer === 'ours' ? ours : rawSamples).push(await (peer === 'ours' ? oursOnce() : rawOnce()));
      }
      if (!pyscardWhyNot) py.push(...(await runPyscard(PER_ROUND + 5)).slice(5));
    }

    const o = summary(ours);
    const r = summary(rawSamples);
    const fmt = (s: { median: number; p95: number; n: number }) =>
      `median ${s.median.toFixed(3)} ms, p95 ${s.p95.toFixed(3)} ms (n=${s.n})`;
    console.log(`Round trip of ${APDU} → 9000 through pcscd + libccidtwin to the virtual pinpad reader (T=1):`);
    console.log(`  ours (reader hub → PC/SC adapter)  ${fmt(o)}`);
    console.log(`  raw pcsclite binding               ${fmt(r)}`);
    if (pyscardWhyNot) {
      console.log(`  pyscard                            skipped: ${pyscardWhyNot}`);
      console.log('    (install the Debian package python3-pyscard to compare with it)');
    } else {
      console.log(`  pyscard                            ${fmt(summary(py))}`);
    }
    const overhead = ((o.median - r.median) / r.median) * 100;
    console.log(`  our overhead over the raw binding: ${overhead.toFixed(2)} % (median; target ≤ 5 %)`);
    console.log(`  our overhead at p95:               ${(((o.p95 - r.p95) / r.p95) * 100).toFixed(2)} %`);
    await new Promise<void>((resolve) => raw.disconnect(raw.SCARD_LEAVE_CARD, () => resolve()));
    if (overhead > 5) process.exitCode = 1;
  } finally {
    await hub.dispose();
    pcsc.close();
    await rig.stop();
  }
}

await main();
