/**
 * Crafted captures through the real backend (issue 8, items 6–8): the capture channels the
 * viewer uses, with the decoder in its worker. A file that still exhausts the decoder's heap ends
 * that import with a clear message; the backend goes on answering — other channels, and the
 * next capture.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CaptureStatus } from '#core/ipc/channels/captures.js';
import { createBackend, type Backend } from '../../../../../electron/backend/backend.js';
import { electronStatusFor } from '../../../../../electron/backend/electron-status.js';
import { descriptorFloodCapture, hugeLengthCapture, largeResponsesCapture } from '../../../core/capture/hostile-capture-files.js';
import { requireShared, sharedPath } from '../../../../shared-path.js';
import { controllableProbes } from '../../../../support/fake-probes.js';

const GCC = sharedPath('captures', 'usbpcap-emv-gcc2024', 'usb.pcapng');
const skip = requireShared('captures');
const dir = mkdtempSync(join(tmpdir(), 'cardbench-hostile-'));
const files = {
  flood: join(dir, 'descriptor-flood.pcap'),
  lengths: join(dir, 'huge-lengths.pcap'),
  large: join(dir, 'large-responses.pcap'),
};
beforeAll(() => {
  writeFileSync(files.flood, descriptorFloodCapture());
  writeFileSync(files.lengths, hugeLengthCapture());
  writeFileSync(files.large, largeResponsesCapture());
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let backend: Backend;
afterEach(() => {
  backend?.dispose();
  delete process.env.CARDBENCH_DECODE_HEAP_MB;
});

function start(): { backend: Backend; finished: (id: string) => Promise<CaptureStatus> } {
  backend = createBackend({
    shell: 'browser',
    electron: electronStatusFor('browser'),
    probes: controllableProbes({ pcsc: { available: false, reason: 'no' }, usb: { available: false, reason: 'no' } }),
  });
  const waiting = new Map<string, (status: CaptureStatus) => void>();
  const ended = new Map<string, CaptureStatus>();
  backend.subscribe((e) => {
    if (e.event !== 'capture.progress' || e.payload.state === 'importing') return;
    ended.set(e.payload.id, e.payload);
    waiting.get(e.payload.id)?.(e.payload);
  });
  const finished = (id: string) =>
    new Promise<CaptureStatus>((resolve) => {
      const done = ended.get(id);
      if (done) resolve(done);
      else waiting.set(id, resolve);
    });
  return { backend, finished };
}

async function open(b: Backend, path: string): Promise<string> {
  const opened = await b.call('capture.open', { path });
  expect(opened).toMatchObject({ ok: true });
  return (opened as { result: { id: string } }).result.id;
}

describe('crafted captures through the backend', () => {
  it('the 32 MB descriptor flood imports, its two drops counted as problems', async () => {
    const { backend: b, finished } = start();
    const status = await finished(await open(b, files.flood));
    expect(status).toMatchObject({ state: 'done', rows: 0, devices: [{ id: '1.1' }] });
    expect(status.problems).toBe(2);
  });

  it('4 GiB dwLength claims import as messages marked with the problem', async () => {
    const { backend: b, finished } = start();
    const status = await finished(await open(b, files.lengths));
    expect(status).toMatchObject({ state: 'done', rows: 3600 });
    const detail = await b.call('capture.detail', { id: status.id, row: 0 });
    expect(JSON.stringify(detail)).toContain('dwLength 4294967280 exceeds the CCID maximum');
  });

  it.skipIf(skip)(
    'a capture beyond the decoder heap ends that import with the reason; readers.list and the next capture still work',
    async () => {
      process.env.CARDBENCH_DECODE_HEAP_MB = '8';
      const { backend: b, finished } = start();
      // The viewer's decoder keeps nothing per exchange (rows go to this thread in batches, card events
      // and problems are capped), so no file outgrows its default heap by design; a heap too small for
      // 400 answers of 60,000 bytes in flight stands in for one that would.
      const failed = await finished(await open(b, files.large));
      expect(failed.state).toBe('failed');
      expect(failed.problem).toBe(
        `large-responses.pcap: this capture needs more memory than the decoder is allowed (8 MiB); it may be crafted to exhaust memory. If you trust it, allow more with CARDBENCH_DECODE_HEAP_MB=16.`,
      );
      expect(await b.call('readers.list', {})).toMatchObject({ ok: true });
      delete process.env.CARDBENCH_DECODE_HEAP_MB;
      const next = await finished(await open(b, GCC));
      expect(next).toMatchObject({ state: 'done', rows: 426, exchanges: 208 });
      expect(await b.call('capture.rows', { id: next.id, start: 0, count: 3 })).toMatchObject({ ok: true, result: { total: 426 } });
    },
    60_000,
  );
});
