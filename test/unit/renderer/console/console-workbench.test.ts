import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBackend, type Backend } from '../../../../electron/backend/backend.js';
import ConsoleWorkbench from '../../../../renderer/src/workbenches/console/ConsoleWorkbench.svelte';
import ReadersWorkbench from '../../../../renderer/src/workbenches/readers/ReadersWorkbench.svelte';
import { controllableProbes } from '../../../support/fake-probes.js';
import { inProcessApi } from '../../../support/in-process-api.js';
import { FakeReaderBackend } from '../../electron/backend/readers/fake-reader-backend.js';

let backend: Backend;
let reader: FakeReaderBackend;
let dataDir: string;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'cardbench-renderer-'));
  reader = new FakeReaderBackend('pcsc');
  reader.list = [{ name: 'Fake Reader 00 00', cardPresent: true, atr: '3B8A8131FE458031C073F4014082900024' }];
  reader.answers.set('00CA006E00', '6E034F01AA9000');
  reader.answers.set('00A40400022F01', '6104');
  reader.answers.set('00C0000004', '010203049000');
  reader.controls.set(0x42000d48, Uint8Array.of(0x06, 0x04, 0x42, 0x33, 0x00, 0x06));
  backend = createBackend({
    shell: 'browser',
    electron: { available: false, reason: 'test' },
    probes: controllableProbes({ pcsc: { available: true }, usb: { available: false, reason: 'no USB' } }),
    readers: { backends: () => [reader], dataDir },
  });
});
afterEach(() => {
  cleanup();
  backend.dispose();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('Console workbench', () => {
  it('validates as you type, sends with Ctrl+Enter and shows SW meaning and the BER-TLV tree', async () => {
    render(ConsoleWorkbench, { props: { api: inProcessApi(backend) } });
    const input = (await screen.findByLabelText(/APDU \(hex/)) as HTMLTextAreaElement;
    await fireEvent.input(input, { target: { value: '00CA006E0' } });
    expect(screen.getByText(/Odd number of hex digits/)).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Send' }) as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.input(input, { target: { value: '00 ca 00 6e 00' } });
    expect(screen.getByText(/case 2S, GET DATA, Le 256/)).toBeTruthy();
    await fireEvent.keyDown(input, { key: 'Enter', ctrlKey: true });
    const responses = screen.getByTestId('responses');
    await waitFor(() => expect(responses.querySelector('[data-sw="9000"]')).not.toBeNull());
    expect(responses.textContent).toContain('Success');
    expect(responses.textContent).toContain('6E Application related data (3)');
    expect(reader.sent).toEqual(['Fake Reader 00 00:00CA006E00']);
  });

  it('the 61xx/6Cxx toggle shows the automatic GET RESPONSE as its own exchange', async () => {
    render(ConsoleWorkbench, { props: { api: inProcessApi(backend) } });
    const input = await screen.findByLabelText(/APDU \(hex/);
    await fireEvent.click(screen.getByLabelText(/Handle 61xx\/6Cxx/));
    await fireEvent.input(input, { target: { value: '00A40400022F01' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(screen.getByTestId('responses').querySelectorAll('article')).toHaveLength(2));
    expect(screen.getByTestId('responses').querySelector('article.automatic')?.textContent).toContain('00 C0 00 00 04');
  });
});

describe('Readers workbench', () => {
  it('lists the reader and shows its decoded ATR and part 10 features', async () => {
    render(ReadersWorkbench, { props: { api: inProcessApi(backend), info: undefined } });
    await waitFor(() => expect(screen.getByTestId('features').textContent).toContain('VERIFY_PIN_DIRECT'));
    expect(screen.getByTestId('features').textContent).toContain('42330006');
    expect(screen.getByTestId('pinpad').textContent?.trim()).toBe('verify');
    expect(screen.getByRole('region', { name: 'Card' }).textContent).toContain('T=1');
  });
});
