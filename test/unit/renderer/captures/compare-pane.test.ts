/**
 * "Compare with…" in the Captures workbench (happy-dom, real backend in process): the open
 * labcard capture against the same session seen by QEMU (they match), then against the pinpad
 * capture (3 same, 2 only in A, 30 only in B), by keyboard: the path field takes the focus,
 * Enter compares, the aligned list moves with the arrows and shows the selected row's two sides.
 */
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBackend, type Backend } from '../../../../electron/backend/backend.js';
import CapturesWorkbench from '../../../../renderer/src/workbenches/captures/CapturesWorkbench.svelte';
import { requireShared, sharedPath } from '../../../shared-path.js';
import { controllableProbes } from '../../../support/fake-probes.js';
import { inProcessApi } from '../../../support/in-process-api.js';

const LABCARD = sharedPath('captures', 'usbmon-qemu-labcard', 'labcard-basic.usbmon.pcapng');
const QEMU = sharedPath('captures', 'usbmon-qemu-labcard', 'labcard-basic.qemu.pcap');
const PINPAD = sharedPath('captures', 'usbmon-qemu-pinpad', 'pinpad-labcard.usbmon.pcap');
const missing = requireShared('captures', 'usbmon-qemu-labcard');

let backend: Backend;
beforeEach(() => {
  localStorage.clear();
  backend = createBackend({
    shell: 'browser',
    electron: { available: false, reason: 'test' },
    probes: controllableProbes({ pcsc: { available: false, reason: 'test' }, usb: { available: false, reason: 'test' } }),
    readers: { backends: () => [] },
  });
});
afterEach(() => {
  cleanup();
  backend.dispose();
});

async function openLabcard(): Promise<HTMLElement> {
  const { container } = render(CapturesWorkbench, { props: { api: inProcessApi(backend) } });
  await fireEvent.input(screen.getByLabelText('Capture path'), { target: { value: LABCARD } });
  await fireEvent.click(screen.getByRole('button', { name: 'Open path' }));
  await waitFor(() => expect(container.querySelector<HTMLElement>('.captures')!.dataset.state).toBe('done'), { timeout: 20_000 });
  return container;
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
