/**
 * The Captures workbench (the CaptureView rune module and its parts) in happy-dom against the
 * real backend in the same process: the capture store imports a real capture through its decode
 * worker, and the workbench asks for rows, details and transactions over the contract.
 */
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Api } from '#core/ipc/contract.js';
import type { Backend } from '../../../../electron/backend/backend.js';
import CapturesWorkbench from '../../../../renderer/src/workbenches/captures/CapturesWorkbench.svelte';
import { requireShared, sharedPath } from '../../../shared-path.js';
import { inProcessApi } from '../../../support/in-process-api.js';
import { backendWithoutReaders, openCaptureByPath } from './open-capture.js';

const GCC = sharedPath('captures', 'usbpcap-emv-gcc2024', 'usb.pcapng');
const LABCARD = sharedPath('captures', 'usbmon-qemu-labcard', 'labcard-basic.usbmon.pcapng');
const missing = requireShared('captures', 'usbpcap-emv-gcc2024', 'usb.pcapng');
const scratch = mkdtempSync(join(tmpdir(), 'cardbench-workbench-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let backend: Backend;

beforeEach(() => {
  localStorage.clear();
  backend = backendWithoutReaders();
});
afterEach(() => {
  cleanup();
  backend.dispose();
});

/** Opens the GCC capture by its path and waits for the end of the import and the first rows. */
async function openGcc(): Promise<HTMLElement> {
  const container = await openCaptureByPath(inProcessApi(backend), GCC);
  await waitFor(() => expect(screen.getByTestId('matched').textContent).toBe('426 shown'));
  return container;
}

const messages = (): HTMLElement => screen.getByRole('listbox', { name: 'messages' });
const option = (list: HTMLElement, index: number): HTMLElement => list.querySelector<HTMLElement>(`[data-index="${index}"]`)!;
const detail = (): HTMLElement => screen.getByRole('region', { name: 'Decode' });

describe.skipIf(missing !== undefined)('Captures workbench on the GCC capture', () => {
  it('opens it by path: counts, message rows, the selected message decoded, the APDU conversation', async () => {
    await openGcc();
    expect(screen.getByTestId('capture-summary').textContent?.replace(/\s+/g, ' ')).toMatch(
      /^ ?426 messages · 208 exchanges · \d+ transactions/,
    );
    await waitFor(() => expect(option(messages(), 0).textContent).toMatch(/^\d+[\d.]+→/));

    await fireEvent.click(option(messages(), 0));
    expect(option(messages(), 0).getAttribute('aria-selected')).toBe('true');
    await waitFor(() => expect(detail().dataset.forIndex).toBe('0'));
    expect(detail().textContent).toMatch(/Frame \d+ · \d+ bytes/);
    expect(detail().querySelector('[data-field="ccid.bMessageType"]')?.textContent).toContain('bMessageType');

    const conversation = screen.getByRole('listbox', { name: 'transactions' });
    await waitFor(() => expect(conversation.textContent).toContain('GET PROCESSING OPTIONS'));
    await waitFor(() =>
      expect(screen.getByRole('region', { name: 'Timing' }).querySelector('[data-points]')?.getAttribute('aria-label')).toMatch(
        /^Transaction durations over time/,
      ),
    );
  });

  it('shows the capture’s devices: VID:PID, name, the CCID descriptor decoded; readers first in the device filter', async () => {
    await openGcc();
    const devices = screen.getByRole('region', { name: 'Devices' });
    expect(devices.textContent).toContain('2ce3:9563');
    expect(devices.textContent).toContain('CCID 1.10, short and extended APDU level');
    expect(devices.textContent).toContain('426 CCID messages');
    // The other USB devices of the trace (a mouse among them) carry no CCID traffic, and say so.
    expect(devices.textContent).toContain('046d:c05a');
    expect(devices.textContent).toMatch(/046d:c05a[^]*no CCID traffic/);
    // The descriptor, field by field, as `cardbench inspect` shows it.
    expect(devices.querySelector('[data-field="ccid.descriptor.dwMaxCCIDMessageLength"]')?.textContent).toContain(
      'dwMaxCCIDMessageLength: 272 bytes',
    );
    expect(devices.querySelector('[data-field="ccid.descriptor.dwFeatures"]')?.textContent).toContain('0x000404BE');

    const options = [...screen.getByLabelText('Device').querySelectorAll('option')].map((o) => o.textContent?.trim());
    expect(options[0]).toBe('all devices');
    expect(options[1]).toBe('1.2#2 2ce3:9563 (CCID reader)');
    expect(options.slice(2)).toEqual([
      '1.1 80ee:0021 (no CCID traffic)',
      '1.2 138a:0097 (no CCID traffic)',
      '1.3 046d:c05a (no CCID traffic)',
    ]);
  });

  it('flags an INS or a slot the filter cannot use at its field, and the list stays as it was', async () => {
    await openGcc();
    const ins = screen.getByLabelText('INS (hex)');
    await fireEvent.input(ins, { target: { value: 'zz' } });
    expect(ins.getAttribute('aria-invalid')).toBe('true');
    const insWhy = document.getElementById(ins.getAttribute('aria-describedby')!);
    expect(insWhy?.textContent).toBe('“zz” is not an INS: type one byte in hex, e.g. A4 or CA.');
    expect(screen.getByTestId('matched').textContent).toBe('426 shown');

    const slot = screen.getByLabelText('Slot');
    await fireEvent.input(slot, { target: { value: 'x' } });
    expect(slot.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById(slot.getAttribute('aria-describedby')!)?.textContent).toBe(
      '“x” is not a slot: type a number from 0 to 255.',
    );
    // Fixed, the field is no longer flagged and filters.
    await fireEvent.input(ins, { target: { value: 'a8' } });
    expect(ins.getAttribute('aria-invalid')).toBe('false');
    await fireEvent.input(slot, { target: { value: '0' } });
    expect(slot.getAttribute('aria-invalid')).toBe('false');
    await waitFor(() => expect(screen.getByTestId('matched').textContent).toBe('2 shown'));
  });

  it('starts the list over for a new filter, and not for a value the filter ignores', async () => {
    await openGcc();
    await waitFor(() => expect(option(messages(), 3)).not.toBeNull());
    await fireEvent.click(option(messages(), 3));
    await waitFor(() => expect(detail().dataset.forIndex).toBe('3'));

    // A slot of 'x' is no slot: the filter is the same, the selection and its decode stay. (A list
    // starting over clears the selection in the same update, before fireEvent's tick returns.)
    await fireEvent.input(screen.getByLabelText('Slot'), { target: { value: 'x' } });
    expect(option(messages(), 3).getAttribute('aria-selected')).toBe('true');
    expect(detail().dataset.forIndex).toBe('3');
    expect(screen.getByTestId('matched').textContent).toBe('426 shown');

    // INS A8 (GET PROCESSING OPTIONS) is a new filter: two rows, nothing selected.
    await fireEvent.input(screen.getByLabelText('INS (hex)'), { target: { value: 'A8' } });
    await waitFor(() => expect(screen.getByTestId('matched').textContent).toBe('2 shown'));
    expect(messages().querySelector('[aria-selected="true"]')).toBeNull();
    expect(detail().textContent?.trim()).toBe('Select a message to see its fields and bytes.');
    await waitFor(() => expect(option(messages(), 0).textContent).toContain('GET PROCESSING OPTIONS'));
  });

  it('a transaction selects the message that carried its command, unless the filter hides it', async () => {
    await openGcc();
    const conversation = screen.getByRole('listbox', { name: 'transactions' });
    await waitFor(() => expect(conversation.textContent).toContain('GET PROCESSING OPTIONS'));
    const gpo = [...conversation.querySelectorAll<HTMLElement>('[role="option"]')].find((o) =>
      o.textContent?.includes('GET PROCESSING OPTIONS'),
    )!;
    await fireEvent.click(gpo);
    expect(gpo.getAttribute('aria-selected')).toBe('true');
    await waitFor(() => expect(detail().textContent).toContain('Command APDU: GET PROCESSING OPTIONS'));
    const selected = messages().querySelector<HTMLElement>('[aria-selected="true"]')!;
    expect(selected.textContent).toContain('GET PROCESSING OPTIONS');
    expect(detail().dataset.forIndex).toBe(selected.dataset.index);

    await fireEvent.input(screen.getByLabelText('INS (hex)'), { target: { value: 'B2' } });
    await waitFor(() => expect(screen.getByTestId('matched').textContent).not.toBe('426 shown'));
    await fireEvent.click(gpo);
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('That transaction is hidden by the filters.'));
  });
});

describe.skipIf(missing !== undefined)('Captures workbench: one open replacing another', () => {
  it('ignores the last word of a capture a newer open closed: no stale "not open any more"', async () => {
    // 24 sections of the GCC capture: still importing when the second open comes.
    const long = join(scratch, 'gcc-x24.pcapng');
    writeFileSync(long, Buffer.concat(Array.from({ length: 24 }, () => readFileSync(GCC))));
    const api = inProcessApi(backend);
    // The second open's answer is held until the first capture, closed by it, has said its last
    // word (its import cancelled): the order a slow link or a busy backend gives.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    api.on('capture.progress', (status) => {
      if (status.path === long && status.state === 'cancelled') setTimeout(release, 0);
    });
    const slow: Api = {
      ...api,
      invoke: (async (channel: string, args: { path?: string }) => {
        const result = await api.invoke(channel as never, args as never);
        if (channel === 'capture.open' && args.path === LABCARD) await held;
        return result;
      }) as Api['invoke'],
    };
    const { container } = render(CapturesWorkbench, { props: { api: slow } });
    const state = (): string | undefined => container.querySelector<HTMLElement>('.captures')!.dataset.state;
    await fireEvent.input(screen.getByLabelText('Capture path'), { target: { value: long } });
    await fireEvent.click(screen.getByRole('button', { name: 'Open path' }));
    await waitFor(() => expect(state()).toBe('importing'));
    await fireEvent.input(screen.getByLabelText('Capture path'), { target: { value: LABCARD } });
    await fireEvent.click(screen.getByRole('button', { name: 'Open path' }));
    await waitFor(() => expect(state()).toBe('done'), { timeout: 20_000 });
    await waitFor(() => expect(screen.getByRole('listbox', { name: 'transactions' }).textContent).toContain('VERIFY'));
    expect(screen.getByTestId('capture-summary').textContent).toContain('87 messages');
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
