/**
 * Recording from the Console in browser mode, against the real backend and the real built-in
 * virtual reader: Record session shows the red-dot state in the status bar with the file name and
 * a packet count that follows the session, Stop hands the .pcapng over as a download holding the
 * exchange, and a second start while one runs is refused with a sentence.
 */
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createBackend, type Backend } from '../../../../electron/backend/backend.js';
import { createVirtualReaderBackend } from '../../../../electron/backend/virtual-reader/virtual-reader-backend.js';
import { RecordingControl } from '../../../../renderer/src/lib/recording.svelte.js';
import StatusBar from '../../../../renderer/src/shell/StatusBar.svelte';
import ConsoleWorkbench from '../../../../renderer/src/workbenches/console/ConsoleWorkbench.svelte';
import { controllableProbes } from '../../../support/fake-probes.js';
import { inProcessApi } from '../../../support/in-process-api.js';

let backend: Backend;
let dataDir: string;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'cardbench-record-ui-'));
  backend = createBackend({
    shell: 'browser',
    electron: { available: false, reason: 'test' },
    probes: controllableProbes({ pcsc: { available: false, reason: 'test' }, usb: { available: false, reason: 'no USB' } }),
    readers: { backends: () => [createVirtualReaderBackend()], dataDir },
  });
});
afterEach(() => {
  cleanup();
  backend.dispose();
  rmSync(dataDir, { recursive: true, force: true });
  vi.restoreAllMocks();
});

describe('Recording from the Console (browser mode)', () => {
  it('Record session → red dot, file name and packet count in the status bar → Stop downloads the .pcapng', async () => {
    const api = inProcessApi(backend);
    const recording = new RecordingControl(api);
    const off = recording.start();
    // The status bar shows its content once the app's info is known.
    const info = {
      name: 'Cardbench',
      version: 'test',
      shell: 'browser' as const,
      platform: 'test',
      backends: { pcsc: { available: false }, usb: { available: false }, electron: { available: false } },
    };
    render(StatusBar, { props: { info, connectionProblem: undefined, recording } });
    render(ConsoleWorkbench, { props: { api, recording } });

    await fireEvent.click(await screen.findByRole('button', { name: 'Record session' }));
    const indicator = await screen.findByTestId('recording-indicator');
    expect(indicator.textContent).toMatch(/Recording cardbench-session-[\dT-]+Z\.pcapng · 0\s+packets/);
    expect(screen.getByRole('button', { name: /Stop recording/ })).toBeTruthy();

    const input = await screen.findByLabelText(/APDU \(hex/);
    await fireEvent.input(input, { target: { value: '00A4040006D27600012401' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    // ATR, command, response.
    await waitFor(() => expect(screen.getByTestId('recording-packets').textContent).toBe('3'), { timeout: 3000 });

    let blob: Blob | undefined;
    vi.spyOn(URL, 'createObjectURL').mockImplementation((object) => {
      blob = object as Blob;
      return 'blob:recording';
    });
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => undefined);
    await fireEvent.click(screen.getByRole('button', { name: /Stop recording/ }));
    await waitFor(() => expect(screen.queryByTestId('recording-indicator')).toBeNull());
    expect(screen.getByRole('status').textContent ?? '').toMatch(/Downloaded cardbench-session-.*\.pcapng \(3 packets\)\./);
    const bytes = new Uint8Array(await blob!.arrayBuffer());
    expect(Buffer.from(bytes.subarray(0, 4)).toString('hex')).toBe('0a0d0d0a');
    expect(Buffer.from(bytes).includes(Buffer.from('00A4040006D27600012401', 'hex'))).toBe(true);
    expect(Buffer.from(bytes).toString('latin1')).toContain('reader: Cardbench Virtual Pinpad\nbackend: virtual');
    off();
  });

  it('a second start while one runs is refused with a sentence; exact PINs is said in the status bar', async () => {
    const api = inProcessApi(backend);
    await api.invoke('record.start', { pins: 'exact', fileName: 'first.pcapng' });
    await expect(api.invoke('record.start', { pins: 'masked', fileName: 'second.pcapng' })).rejects.toThrow(
      /A recording is already running \(first\.pcapng\): stop it first\./,
    );
    const state = await api.invoke('record.state', {});
    expect(state).toMatchObject({ active: true, fileName: 'first.pcapng', pins: 'exact', target: 'download' });
    await expect(api.invoke('record.start', { pins: 'masked', fileName: '../x.txt' })).rejects.toThrow();
    const stopped = await api.invoke('record.stop', {});
    expect(stopped.download?.fileName).toBe('first.pcapng');
    expect(Buffer.from(stopped.download!.base64, 'base64').toString('latin1')).toContain('Cardbench');
  });
});
