/**
 * APDU-level trace import benchmark (issue 11): a pcsc-spy log and an exported-PDU recording of
 * the same N exchanges (default 100,000, drawn in order from the GCC capture's 208 real APDUs),
 * decoded by core/trace in-process (time, MB/s, exchanges/s, peak heap growth, whole and in 64 KiB
 * chunks) and by `cardbench decode --ndjson` (the CLI, its worker, wall time and peak RSS), against
 * the peers that read the same files: pcsc-lite's own pcsc-spy (Python) for the log, tshark 4.0
 * for the recording (`-T fields -e iso7816.apdu.ins -e iso7816.apdu.sw1 -e iso7816.apdu.sw2`).
 *
 *   npx tsx --expose-gc test/bench/apdu-trace-import.ts [--exchanges N]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fromHex, toHex } from '#core/bytes/hex.js';
import { encodeExportedPduTags, formatTraceComment } from '#core/capture/exported-pdu.js';
import { decodeTraceBytes, TraceDecoder } from '#core/trace/index.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const SOURCE = resolve(process.env.CARDBENCH_SHARED ?? resolve(ROOT, '..', 'shared'), 'captures/usbpcap-emv-gcc2024/usb.pcapng');
const { values } = parseArgs({ options: { exchanges: { type: 'string' } } });
const N = Number(values.exchanges ?? 100_000);

const real = decodeTraceBytes(readFileSync(SOURCE), { foldTransactions: false }).exchanges;
const pool = real.map((e) => ({ command: fromHex(e.command), response: fromHex(e.response) }));

/** The log libpcscspy writes for one SCardConnect and N SCardTransmit calls, 2 ms apart. */
function spyLog(): Uint8Array {
  const T = '7F31B2E79B80@';
  const hex32 = (n: number) => `0x${n.toString(16).toUpperCase().padStart(8, '0')}`;
  const spaced = (bytes: Uint8Array) => toHex(bytes).replace(/(..)/g, '$1 ');
  const time = (us: number) => `${1_796_213_879 + Math.floor(us / 1e6)}|${us % 1e6}`;
  const parts: string[] = [
    `${T}>|${time(0)}|SCardConnect`,
    ...[
      '0x7D9F60F4',
      'Gemalto PC Twin Reader 00 00',
      '0x00000002',
      '0x00000003',
      '0x00000000',
      '0x00000000',
      '0x2D73C307',
      '0x00000002',
    ].map((a) => T + a),
    `${T}<|${time(100)}|SCardConnect|Command successful.|0x00000000`,
  ];
  for (let i = 0; i < N; i++) {
    const { command, response } = pool[i % pool.length]!;
    const at = 1000 + i * 2000;
    parts.push(
      `${T}>|${time(at)}|SCardTransmit`,
      `${T}0x2D73C307`,
      `${T}0x00000002`,
      `${T}0x00000010`,
      T + hex32(command.length),
      T + spaced(command),
      `${T}0x00000001`,
      `${T}0x00000010`,
      T + hex32(response.length),
      T + spaced(response),
      `${T}<|${time(at + 1500)}|SCardTransmit|Command successful.|0x00000000`,
    );
  }
  return new TextEncoder().encode(`${parts.join('\n')}\n`);
}

/** The same exchanges as a recording: pcapng, one exported-PDU interface, microsecond timestamps. */
function recording(): Uint8Array {
  const blocks: Uint8Array[] = [];
  const block = (type: number, body: Uint8Array) => {
    const padded = (body.length + 3) & ~3;
    const out = new Uint8Array(12 + padded);
    const view = new DataView(out.buffer);
    view.setUint32(0, type, true);
    view.setUint32(4, out.length, true);
    out.set(body, 8);
    view.setUint32(out.length - 4, out.length, true);
    blocks.push(out);
  };
  const shb = new Uint8Array(16);
  new DataView(shb.buffer).setUint32(0, 0x1a2b3c4d, true);
  new DataView(shb.buffer).setUint16(4, 1, true);
  new DataView(shb.buffer).setBigInt64(8, -1n, true);
  block(0x0a0d0d0a, shb);
  const comment = new TextEncoder().encode(formatTraceComment({ reader: 'Gemalto PC Twin Reader 00 00', backend: 'pcsc', pins: 'exact' }));
  const idb = new Uint8Array(8 + 4 + ((comment.length + 3) & ~3) + 4);
  const idbView = new DataView(idb.buffer);
  idbView.setUint16(0, 252, true);
  idbView.setUint16(8, 1, true);
  idbView.setUint16(10, comment.length, true);
  idb.set(comment, 12);
  block(1, idb);
  const toCard = encodeExportedPduTags('iso7816', 0);
  const fromCard = encodeExportedPduTags('iso7816', 1);
  const packet = (us: number, tags: Uint8Array, pdu: Uint8Array) => {
    const body = new Uint8Array(20 + ((tags.length + pdu.length + 3) & ~3));
    const view = new DataView(body.buffer);
    const ts = BigInt(1_796_213_879_000_000 + us);
    view.setUint32(4, Number(ts >> 32n), true);
    view.setUint32(8, Number(ts & 0xffffffffn), true);
    view.setUint32(12, tags.length + pdu.length, true);
    view.setUint32(16, tags.length + pdu.length, true);
    body.set(tags, 20);
    body.set(pdu, 20 + tags.length);
    block(6, body);
  };
  for (let i = 0; i < N; i++) {
    const { command, response } = pool[i % pool.length]!;
    packet(1000 + i * 2000, toCard, command);
    packet(2500 + i * 2000, fromCard, response);
  }
  const out = new Uint8Array(blocks.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of blocks) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

const gc = (globalThis as { gc?: () => void }).gc;

function inProcess(bytes: Uint8Array, chunkSize: number): { ms: number; heapMiB: number; exchanges: number } {
  gc?.();
  const before = process.memoryUsage().heapUsed;
  let peak = before;
  let exchanges = 0;
  const started = performance.now();
  const decoder = new TraceDecoder({ keepExchanges: false, foldTransactions: false, handlers: { rawExchange: () => exchanges++ } });
  for (let at = 0; at < bytes.length; at += chunkSize) {
    decoder.push(bytes.subarray(at, at + chunkSize));
    if ((at / chunkSize) % 64 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
  }
  decoder.end();
  decoder.result();
  const ms = performance.now() - started;
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  return { ms, heapMiB: (peak - before) / 2 ** 20, exchanges };
}

function timed(command: string, args: string[]): { ms: number; rssMiB: number; stdout: string; status: number | null } {
  const run = spawnSync('/usr/bin/time', ['-f', '%M', command, ...args], { encoding: 'utf8', maxBuffer: 1 << 30, cwd: ROOT });
  const lines = run.stderr.trim().split('\n');
  const rssKiB = Number(lines[lines.length - 1]);
  const started = performance.now();
  const again = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 30, cwd: ROOT });
  return { ms: performance.now() - started, rssMiB: rssKiB / 1024, stdout: again.stdout, status: again.status };
}

const dir = mkdtempSync(join(tmpdir(), 'cardbench-apdu-bench-'));
try {
  const files = { 'pcsc-spy log': spyLog(), 'exported-PDU recording': recording() };
  const paths: Record<string, string> = {};
  for (const [name, bytes] of Object.entries(files)) {
    paths[name] = join(dir, name.replace(/ /g, '-'));
    writeFileSync(paths[name], bytes);
  }
  console.log(`${N} exchanges (the GCC capture's ${pool.length} APDUs in turn)\n`);
  for (const [name, bytes] of Object.entries(files)) {
    const mb = bytes.length / 1e6;
    console.log(`${name}: ${mb.toFixed(1)} MB`);
    for (const chunk of [bytes.length, 64 * 1024]) {
      const r = inProcess(bytes, chunk);
      if (r.exchanges !== N) throw new Error(`${name}: ${r.exchanges} exchanges decoded, not ${N}`);
      const label = chunk === bytes.length ? 'whole' : '64 KiB chunks';
      console.log(
        `  core/trace (${label.padEnd(13)}) ${r.ms.toFixed(0).padStart(6)} ms  ${(mb / (r.ms / 1000)).toFixed(1).padStart(6)} MB/s  ${((N / r.ms) * 1000).toFixed(0).padStart(8)} exchanges/s  heap +${r.heapMiB.toFixed(0)} MiB`,
      );
    }
    const cli = timed(process.execPath, ['out/main/cli.js', 'decode', paths[name]!, '--ndjson']);
    const lines = cli.stdout.split('\n').filter(Boolean).length;
    const cliNote = cli.status === 0 && lines === N ? '' : ` (status ${cli.status}, ${lines} lines: is out/ built? npm run build)`;
    console.log(`  cardbench decode --ndjson   ${cli.ms.toFixed(0).padStart(6)} ms  peak RSS ${cli.rssMiB.toFixed(0)} MiB${cliNote}`);
    const peer =
      name === 'pcsc-spy log'
        ? { label: 'pcsc-spy -n (Python)', run: timed('pcsc-spy', ['-n', paths[name]!]) }
        : {
            label: 'tshark -T fields (4.0)',
            run: timed('tshark', [
              '-r',
              paths[name]!,
              '-T',
              'fields',
              '-e',
              'iso7816.apdu.ins',
              '-e',
              'iso7816.apdu.sw1',
              '-e',
              'iso7816.apdu.sw2',
            ]),
          };
    console.log(
      `  ${peer.label.padEnd(27)} ${peer.run.ms.toFixed(0).padStart(6)} ms  peak RSS ${peer.run.rssMiB.toFixed(0)} MiB  → cardbench CLI ${(peer.run.ms / cli.ms).toFixed(1)}x as fast`,
    );
    console.log('');
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
