/**
 * The recording channels' handlers over the real built-in virtual reader: the desktop app writes
 * the file chosen in its save dialog as the session goes (readable mid-session), a cancelled
 * dialog starts nothing, an unwritable choice is a sentence, and browser mode stops by itself at
 * its memory limit, keeping every packet before it.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { fromHex } from '#core/bytes/hex.js';
import type { BackendEvent } from '../../../../../electron/backend/handlers/handler-context.js';
import { createRecordHandlers } from '../../../../../electron/backend/handlers/record-handlers.js';
import { recordingBackend, RecordingSwitch } from '../../../../../electron/backend/record/recording-backend.js';
import {
  createVirtualReaderBackend,
  VIRTUAL_READER_NAME,
  type VirtualReaderBackend,
} from '../../../../../electron/backend/virtual-reader/virtual-reader-backend.js';

const dir = mkdtempSync(join(tmpdir(), 'cardbench-record-handlers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let inner: VirtualReaderBackend | undefined;
const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
  await inner?.dispose();
  inner = undefined;
});

function setUp(options: { chooseSavePath?: () => Promise<string | null>; maxDownloadBytes?: number }) {
  inner = createVirtualReaderBackend();
  const recording = new RecordingSwitch();
  const events: BackendEvent[] = [];
  const handlers = createRecordHandlers(
    { shell: options.chooseSavePath ? 'electron' : 'browser', emit: (e) => events.push(e), onDispose: (c) => cleanups.push(c) },
    { recording: () => recording, ...options },
  );
  return { handlers, events, reader: recordingBackend(inner, recording) };
}
const SELECT = fromHex('00A4040006D27600012401');

describe('record handlers', () => {
  it('desktop: writes the chosen file as the session goes; stop gives its path', async () => {
    const path = join(dir, 'desktop.pcapng');
    const { handlers, events, reader } = setUp({ chooseSavePath: () => Promise.resolve(path) });
    const started = await handlers['record.start']({ pins: 'masked', fileName: 'suggested.pcapng' });
    expect(started).toMatchObject({ active: true, cancelled: false, fileName: path, target: 'file' });
    await reader.transmit(VIRTUAL_READER_NAME, SELECT);
    // Already on disk before the recording stops: a crash now would keep it.
    expect(readFileSync(path).includes(Buffer.from(SELECT))).toBe(true);
    const stopped = await handlers['record.stop']({});
    expect(stopped).toMatchObject({ path, download: null, state: { active: false, packets: 3 } });
    expect(events.at(-1)).toMatchObject({ event: 'record.changed', payload: { active: false } });
  });

  it('desktop: a cancelled dialog starts nothing; an unwritable choice says why', async () => {
    const cancelled = setUp({ chooseSavePath: () => Promise.resolve(null) });
    expect(await cancelled.handlers['record.start']({ pins: 'masked', fileName: 'a.pcapng' })).toMatchObject({
      cancelled: true,
      active: false,
    });
    await inner!.dispose();
    const bad = join(dir, 'missing', 'b.pcapng');
    const unwritable = setUp({ chooseSavePath: () => Promise.resolve(bad) });
    await expect(unwritable.handlers['record.start']({ pins: 'masked', fileName: 'b.pcapng' })).rejects.toThrow(
      `The recording did not start: cannot write the recording to ${bad}: its folder does not exist.`,
    );
    expect(existsSync(bad)).toBe(false);
    expect((await unwritable.handlers['record.state']({})).active).toBe(false);
  });

  it.skipIf(!existsSync('/dev/full'))(
    'desktop: a file that cannot take more (/dev/full) ends the recording with a sentence; the session goes on',
    async () => {
      const { handlers, events, reader } = setUp({ chooseSavePath: () => Promise.resolve('/dev/full') });
      await handlers['record.start']({ pins: 'masked', fileName: 'full.pcapng' });
      const select = await reader.transmit(VIRTUAL_READER_NAME, SELECT);
      expect(Buffer.from(select.response).toString('hex')).toBe('9000');
      const state = await handlers['record.state']({});
      expect(state.active).toBe(false);
      expect(state.ended).toBe('The recording stopped: writing failed (ENOSPC); the file holds the packets before that.');
      expect(events.at(-1)).toMatchObject({ event: 'record.changed', payload: { active: false, ended: state.ended } });
    },
  );

  it('browser mode: stops by itself at its memory limit, says so, and the download holds every packet before it', async () => {
    const { handlers, reader } = setUp({ maxDownloadBytes: 600 });
    await handlers['record.start']({ pins: 'masked', fileName: 'limited.pcapng' });
    for (let i = 0; i < 10; i++) await reader.transmit(VIRTUAL_READER_NAME, SELECT);
    const state = await handlers['record.state']({});
    expect(state.active).toBe(false);
    expect(state.ended).toMatch(/the most browser mode keeps: it stopped there/);
    const stopped = await handlers['record.stop']({});
    const file = Buffer.from(stopped.download!.base64, 'base64');
    expect(file.length).toBeLessThanOrEqual(600);
    expect(file.length).toBeGreaterThan(300);
    // Whole blocks only: the last block's trailing length matches its leading one.
    let at = 0;
    while (at < file.length) at += file.readUInt32LE(at + 4);
    expect(at).toBe(file.length);
  });
});
