import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createBackend, type Backend } from '../../../../electron/backend/backend.js';
import { createVirtualReaderBackend } from '../../../../electron/backend/virtual-reader/virtual-reader-backend.js';
import { readerReportFileName, useNativeSave } from '../../../../renderer/src/lib/download.js';
import ReadersWorkbench from '../../../../renderer/src/workbenches/readers/ReadersWorkbench.svelte';
import { controllableProbes } from '../../../support/fake-probes.js';
import { inProcessApi } from '../../../support/in-process-api.js';

let backend: Backend;
let dataDir: string;
/** What the "native dialog" was asked, and the path it answers (null: the user cancelled). */
let dialogAsked: { fileName: string; mimeType: string }[];
let dialogAnswer: string | null;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'cardbench-report-'));
  dialogAsked = [];
  dialogAnswer = null;
  backend = createBackend({
    shell: 'electron',
    electron: { available: true },
    probes: controllableProbes({ pcsc: { available: false, reason: 'no pcscd' }, usb: { available: false, reason: 'no USB' } }),
    readers: { backends: () => [createVirtualReaderBackend()], dataDir },
    // The one part of the desktop save that cannot run here is the dialog: this one answers at once.
    chooseSavePath: (suggestion) => {
      dialogAsked.push(suggestion);
      return Promise.resolve(dialogAnswer);
    },
  });
});
afterEach(() => {
  cleanup();
  useNativeSave(undefined);
  backend.dispose();
  vi.restoreAllMocks();
  rmSync(dataDir, { recursive: true, force: true });
});

async function inspectedVirtualReader(): Promise<void> {
  render(ReadersWorkbench, { props: { api: inProcessApi(backend), info: undefined } });
  await screen.findByRole('heading', { name: 'Cardbench Virtual Pinpad' });
  await waitFor(() => expect((screen.getByRole('button', { name: 'Export report (text)' }) as HTMLButtonElement).disabled).toBe(false));
}

describe('reader report exports', () => {
  it('are named for the reader, without the app name twice', () => {
    expect(readerReportFileName('Cardbench Virtual Pinpad', 'json')).toBe('virtual-pinpad-report.json');
    expect(readerReportFileName('Gemalto PC Twin Reader 00 00', 'txt')).toBe('gemalto-pc-twin-reader-00-00-report.txt');
    expect(readerReportFileName('Cardbench', 'json')).toBe('cardbench-report.json');
  });

  it('go through the native save dialog in the desktop app, with the decoded CCID descriptor in the text', async () => {
    useNativeSave(inProcessApi(backend));
    await inspectedVirtualReader();
    const path = join(dataDir, 'chosen.txt');
    dialogAnswer = path;
    await fireEvent.click(screen.getByRole('button', { name: 'Export report (text)' }));
    await waitFor(() => expect(dialogAsked).toHaveLength(1));
    expect(dialogAsked[0]).toEqual({ fileName: 'virtual-pinpad-report.txt', mimeType: 'text/plain' });
    await waitFor(() => expect(readFileSync(path, 'utf8')).toContain('dwFeatures: 0x00010230 (TPDU level)'));
    const text = readFileSync(path, 'utf8');
    expect(text).toContain('Reader: Cardbench Virtual Pinpad');
    expect(text).toMatch(/^ {2}bPINSupport: 0x03 \(verification, modification\)$/m);
    expect(text).toMatch(/^ {4}0x00010000: TPDU level exchanges$/m);

    // Cancelled: nothing written, nothing downloaded instead.
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click');
    dialogAnswer = null;
    await fireEvent.click(screen.getByRole('button', { name: 'Export report (JSON)' }));
    await waitFor(() => expect(dialogAsked).toHaveLength(2));
    expect(dialogAsked[1]).toEqual({ fileName: 'virtual-pinpad-report.json', mimeType: 'application/json' });
    expect(click).not.toHaveBeenCalled();
  });

  it('are browser downloads in browser mode, under the same name', async () => {
    const names: string[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      names.push(this.download);
    });
    await inspectedVirtualReader();
    await fireEvent.click(screen.getByRole('button', { name: 'Export report (JSON)' }));
    await waitFor(() => expect(names).toEqual(['virtual-pinpad-report.json']));
    expect(dialogAsked).toEqual([]);
  });
});
