/**
 * "Compare with…" in the Captures workbench (happy-dom, real backend in process): the open
 * labcard capture against the same session seen by QEMU (they match), then against the pinpad
 * capture (3 same, 2 only in A, 30 only in B), by keyboard: the path field takes the focus,
 * Enter compares, the aligned list moves with the arrows and shows the selected row's two sides.
 * "Replay on a reader…" sends a session's commands to the built-in virtual reader again.
 */
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBackend, type Backend } from '../../../../electron/backend/backend.js';
import { createVirtualReaderBackend } from '../../../../electron/backend/virtual-reader/virtual-reader-backend.js';
import CapturesWorkbench from '../../../../renderer/src/workbenches/captures/CapturesWorkbench.svelte';
import { requireShared, sharedPath } from '../../../shared-path.js';
import { controllableProbes } from '../../../support/fake-probes.js';
import { apduUsbTrace } from '../../../support/apdu-usb-trace.js';
import { inProcessApi } from '../../../support/in-process-api.js';
import { backendWithoutReaders, openCaptureByPath } from './open-capture.js';

const LABCARD = sharedPath('captures', 'usbmon-qemu-labcard', 'labcard-basic.usbmon.pcapng');
const QEMU = sharedPath('captures', 'usbmon-qemu-labcard', 'labcard-basic.qemu.pcap');
const PINPAD = sharedPath('captures', 'usbmon-qemu-pinpad', 'pinpad-labcard.usbmon.pcap');
const missing = requireShared('captures', 'usbmon-qemu-labcard');

let backend: Backend;
beforeEach(() => {
  localStorage.clear();
  backend = backendWithoutReaders();
});
afterEach(() => {
  cleanup();
  backend.dispose();
});

function openLabcard(): Promise<HTMLElement> {
  return openCaptureByPath(inProcessApi(backend), LABCARD);
}

async function compareWith(path: string): Promise<void> {
  const field = await waitFor(() => screen.getByLabelText('Trace to compare with'));
  expect(document.activeElement).toBe(field);
  await fireEvent.input(field, { target: { value: path } });
  await fireEvent.submit(field.closest('form')!);
}

describe.skipIf(missing !== undefined)('Captures: Compare with…', () => {
  it('the labcard capture against QEMU’s recording of the same session: they match, no difference listed', async () => {
    await openLabcard();
    await fireEvent.click(await waitFor(() => screen.getByRole('button', { name: 'Compare with…' })));
    await compareWith(QEMU);
    await waitFor(() => expect(screen.getByTestId('compare-verdict').textContent).toBe('The traces match.'), { timeout: 20_000 });
    expect(screen.getByTestId('compare-counts').textContent?.replace(/\s+/g, ' ').trim()).toBe(
      '33 same · 0 with another answer (0 status word, 0 data) · 0 only in A · 0 only in B · 0 timing',
    );
    expect(screen.getByRole('region', { name: 'Aligned exchanges' }).textContent).toContain('No differences.');
    // All rows: 33, each A#n against B#n.
    await fireEvent.click(screen.getByLabelText('Differences only'));
    const list = screen.getByRole('listbox', { name: 'aligned exchanges' });
    await waitFor(() => expect(list.querySelector('[data-index="0"] .cells')?.getAttribute('data-kind')).toBe('same'));
    expect(list.querySelector('[data-index="0"]')?.textContent).toContain('SELECT 00A4040009F04C4142434152440100');
  });

  it('against the pinpad capture: the differences, by keyboard, with the selected row in full; back to the capture', async () => {
    await openLabcard();
    await fireEvent.click(await waitFor(() => screen.getByRole('button', { name: 'Compare with…' })));
    await compareWith(PINPAD);
    await waitFor(() => expect(screen.getByTestId('compare-verdict').textContent).toBe('The traces differ.'), { timeout: 20_000 });
    expect(screen.getByTestId('compare-counts').textContent?.replace(/\s+/g, ' ').trim()).toBe(
      '3 same · 0 with another answer (0 status word, 0 data) · 30 only in A · 2 only in B · 0 timing',
    );
    const list = screen.getByRole('listbox', { name: 'aligned exchanges' });
    await waitFor(() => expect(list.querySelector('[data-index="0"] .cells')).not.toBeNull());
    list.focus();
    await fireEvent.keyDown(list, { key: 'ArrowDown' });
    const selected = await waitFor(() => screen.getByTestId('compare-selected'));
    expect(selected.textContent).toMatch(/A\s*#1 · SELECT/);
    // Secret data stays masked in the rows and the details.
    await fireEvent.click(screen.getByLabelText('Differences only'));
    await waitFor(() => expect(list.textContent).toContain('VERIFY 0020008108****************'));
    expect(list.textContent).not.toMatch(/0020008108(31323334|31323335|39393939)/);

    await fireEvent.click(screen.getByRole('button', { name: 'Back to the capture' }));
    await waitFor(() => expect(screen.getByRole('listbox', { name: 'messages' })).toBeTruthy());
  });

  it('a trace that cannot be read: the reason, and the form stays to try another', async () => {
    await openLabcard();
    await fireEvent.click(await waitFor(() => screen.getByRole('button', { name: 'Compare with…' })));
    await compareWith('/nonexistent/trace.pcapng');
    await waitFor(() => expect(screen.getByRole('alert').textContent).toMatch(/Cannot compare \/nonexistent\/trace\.pcapng: no such file/));
    expect(screen.getByLabelText('Trace to compare with')).toBeTruthy();
  });
});

describe('Captures: Replay on a reader…', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'cardbench-replay-ui-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  /** What a fresh virtual card answered: SELECT OpenPGP, the retry counter, a wrong PIN, the counter again. */
  const SESSION = [
    { command: '00A4040006D27600012401', response: '9000' },
    { command: '00200081', response: '63C3' },
    { command: '0020008106313131313131', response: '63C2' },
    { command: '00200081', response: '63C2' },
  ];

  let replayBackend: Backend;
  beforeEach(() => {
    replayBackend = createBackend({
      shell: 'browser',
      electron: { available: false, reason: 'test' },
      probes: controllableProbes({ pcsc: { available: false, reason: 'test' }, usb: { available: false, reason: 'test' } }),
      readers: { backends: () => [createVirtualReaderBackend()], dataDir: scratch },
    });
  });
  afterEach(() => replayBackend.dispose());

  async function replayWith(options: { pins: boolean; session?: typeof SESSION; wait?: boolean }): Promise<void> {
    const trace = join(scratch, 'session.pcapng');
    writeFileSync(trace, apduUsbTrace(options.session ?? SESSION));
    const { container } = render(CapturesWorkbench, { props: { api: inProcessApi(replayBackend) } });
    await fireEvent.input(screen.getByLabelText('Capture path'), { target: { value: trace } });
    await fireEvent.click(screen.getByRole('button', { name: 'Open path' }));
    await waitFor(() => expect(container.querySelector<HTMLElement>('.captures')!.dataset.state).toBe('done'), { timeout: 20_000 });
    await fireEvent.click(await waitFor(() => screen.getByRole('button', { name: 'Replay on a reader…' })));
    const reader = await waitFor(() => screen.getByLabelText('Reader to replay on'));
    expect(document.activeElement).toBe(reader);
    await waitFor(() => expect(reader.textContent).toContain('Cardbench Virtual Pinpad'));
    if (options.pins) await fireEvent.click(screen.getByLabelText('Send PIN commands'));
    await fireEvent.submit(reader.closest('form')!);
    if (options.wait !== false) await waitFor(() => expect(screen.getByTestId('compare-verdict')).toBeTruthy(), { timeout: 20_000 });
  }

  it('without PIN commands: the wrong VERIFY is not sent, so the counter differs (63C2 recorded, 63C3 now)', async () => {
    await replayWith({ pins: false });
    expect(screen.getByTestId('compare-verdict').textContent).toBe('The traces differ.');
    expect(screen.getByTestId('compare-counts').textContent?.replace(/\s+/g, ' ')).toMatch(
      /^ ?2 same · 1 with another answer \(1 status word, 0 data\) · 0 only in A · 0 only in B · \d timing/,
    );
    const report = screen.getByTestId('replay-report').textContent?.replace(/\s+/g, ' ') ?? '';
    expect(report).toContain('Replayed on Cardbench Virtual Pinpad.');
    expect(report).toContain('Not sent: A#3 VERIFY 0020008106************');
    expect(report).not.toContain('313131313131');
    const list = screen.getByRole('listbox', { name: 'aligned exchanges' });
    await waitFor(() =>
      expect(list.querySelector('[data-kind="changed"]')?.textContent).toContain('63C2 PIN not verified yet: 2 tries left'),
    );
    expect(list.querySelector('[data-kind="changed"]')?.textContent).toContain('63C3 PIN not verified yet: 3 tries left');
  });

  it('with PIN commands: every answer the same', async () => {
    await replayWith({ pins: true });
    // The same answers (a duration may differ here: an exchange can wait behind a GC pause on a busy machine).
    expect(screen.getByTestId('compare-counts').textContent?.replace(/\s+/g, ' ')).toMatch(
      /^ ?4 same · 0 with another answer \(0 status word, 0 data\) · 0 only in A · 0 only in B · \d timing/,
    );
  });

  it('Stop while the trace is read: nothing is sent, and the form says so', { timeout: 60_000 }, async () => {
    const long = [SESSION[0]!, ...Array.from({ length: 20_000 }, () => SESSION[1]!)];
    await replayWith({ pins: false, session: long, wait: false });
    expect(screen.getByTestId('replay-progress').textContent).toBe('Reading the trace…');
    await fireEvent.click(screen.getByRole('button', { name: 'Stop' }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('Replay stopped before anything was sent.'), {
      timeout: 30_000,
    });
  });

  it('Stop during a long replay: what was sent is compared, and where it stopped is said', { timeout: 60_000 }, async () => {
    const long = [SESSION[0]!, ...Array.from({ length: 20_000 }, () => SESSION[1]!)];
    await replayWith({ pins: false, session: long, wait: false });
    // Readiness: the backend says commands are being sent.
    await waitFor(() => expect(screen.getByTestId('replay-progress').textContent).toMatch(/^Sent [1-9][\d,]* of 20,001 commands…$/), {
      timeout: 30_000,
    });
    await fireEvent.click(screen.getByRole('button', { name: 'Stop' }));
    // Same answers for what was sent (a duration may differ: an exchange here can wait behind a GC pause).
    await waitFor(() => expect(screen.getByTestId('compare-counts')).toBeTruthy(), { timeout: 20_000 });
    expect(screen.getByTestId('compare-counts').textContent?.replace(/\s+/g, ' ')).toMatch(
      /^ ?\d+ same · 0 with another answer \(0 status word, 0 data\) · 0 only in A · 0 only in B · \d+ timing/,
    );
    const report = screen.getByTestId('replay-report').textContent?.replace(/\s+/g, ' ') ?? '';
    const [, at, after] = /Stopped at A#(\d+) \(VERIFY\): Stop was pressed; (\d+) later command\(s\) not sent\./.exec(report) ?? [];
    expect(Number(at) + Number(after)).toBe(20_001);
    expect(Number(after)).toBeGreaterThan(0);
  });
});
