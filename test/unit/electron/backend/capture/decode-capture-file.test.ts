import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CaptureAbortedError,
  CaptureFileError,
  decodeCaptureFile,
  type CaptureProgress,
} from '../../../../../electron/backend/capture/decode-capture-file.js';
import { requireShared, sharedPath } from '../../../../shared-path.js';

const skip = requireShared('captures');
const GCC = sharedPath('captures', 'usbpcap-emv-gcc2024', 'usb.pcapng');
const dir = mkdtempSync(join(tmpdir(), 'cardbench-capture-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('decodeCaptureFile', () => {
  it.skipIf(skip)('reads a capture in chunks, reporting progress up to the file size', async () => {
    const progress: CaptureProgress[] = [];
    const report = await decodeCaptureFile(GCC, { chunkSize: 64 * 1024, onProgress: (p) => progress.push(p) });
    expect(report.exchanges).toHaveLength(208);
    expect(report.format).toBe('pcapng');
    expect(progress.length).toBe(Math.ceil(444_200 / (64 * 1024)));
    expect(progress.at(-1)).toEqual({ bytesRead: 444_200, totalBytes: 444_200 });
    expect(progress.map((p) => p.bytesRead)).toEqual([...progress.map((p) => p.bytesRead)].sort((a, b) => a - b));
  });

  it.skipIf(skip)('gives the same report as with the default 4 MiB chunks', async () => {
    const small = await decodeCaptureFile(GCC, { chunkSize: 4096 });
    const large = await decodeCaptureFile(GCC);
    expect(small).toEqual(large);
  });

  it.skipIf(skip)('stops when cancelled', async () => {
    const abort = new AbortController();
    const reading = decodeCaptureFile(GCC, { chunkSize: 4096, signal: abort.signal, onProgress: () => abort.abort() });
    await expect(reading).rejects.toBeInstanceOf(CaptureAbortedError);
  });

  it('says which file is missing', async () => {
    const missing = join(dir, 'nope.pcapng');
    await expect(decodeCaptureFile(missing)).rejects.toMatchObject({ code: 'not-found', message: `no such file: ${missing}` });
  });

  it('refuses a directory and a file that is not a capture, without quoting its bytes', async () => {
    await expect(decodeCaptureFile(dir)).rejects.toMatchObject({ code: 'is-a-directory' });
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'hello, this is text');
    const error = await decodeCaptureFile(text).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CaptureFileError);
    expect((error as CaptureFileError).message).toBe(`${text}: not a pcap/pcapng file or pcsc-spy log`);
  });

  it('names the file by the report name in its errors (an upload is stored under a temporary path)', async () => {
    const text = join(dir, '4f2a-upload.bin');
    writeFileSync(text, 'hello, this is text');
    await expect(decodeCaptureFile(text, { reportName: 'notes.txt' })).rejects.toMatchObject({
      message: 'notes.txt: not a pcap/pcapng file or pcsc-spy log',
    });
    await expect(decodeCaptureFile(join(dir, 'gone.bin'), { reportName: 'trace.pcapng' })).rejects.toMatchObject({
      message: 'no such file: trace.pcapng',
    });
  });

  it('reports an empty file clearly', async () => {
    const empty = join(dir, 'empty.pcap');
    writeFileSync(empty, '');
    await expect(decodeCaptureFile(empty)).rejects.toMatchObject({ code: 'not-a-capture', message: expect.stringContaining('empty file') });
  });
});
