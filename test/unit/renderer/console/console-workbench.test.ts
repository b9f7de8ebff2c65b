import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Api } from '#core/ipc/contract.js';
import { createBackend, type Backend } from '../../../../electron/backend/backend.js';
import ConsoleWorkbench from '../../../../renderer/src/workbenches/console/ConsoleWorkbench.svelte';
import ReadersWorkbench from '../../../../renderer/src/workbenches/readers/ReadersWorkbench.svelte';
import { controllableProbes } from '../../../support/fake-probes.js';
import { inProcessApi } from '../../../support/in-process-api.js';
import { FakeReaderBackend } from '../../electron/backend/readers/fake-reader-backend.js';

let backend: Backend;
let reader: FakeReaderBackend;
let dataDir: string;

const ATR = '3B8A8131FE458031C073F4014082900024';
const OTHER_ATR = '3B0A4C41422D434152443031';

/** The Api, with the readers each readers.inspect call asked about. */
function inspectingApi(inspected: string[]): Api {
  const api = inProcessApi(backend);
  return {
    ...api,
    invoke: (channel, args) => {
      if (channel === 'readers.inspect') inspected.push((args as { reader: string }).reader);
      return api.invoke(channel, args);
    },
  };
}

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'cardbench-renderer-'));
  reader = new FakeReaderBackend('pcsc');
  reader.list = [{ name: 'Fake Reader 00 00', cardPresent: true, atr: ATR }];
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
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById('apdu-check')?.textContent).toContain('Odd number of hex digits');
    expect((screen.getByRole('button', { name: 'Send' }) as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.input(input, { target: { value: '00 ca 00 6e 00' } });
    expect(input.getAttribute('aria-invalid')).toBe('false');
    expect(document.getElementById('apdu-check')?.textContent).toContain('✓ case 2S, GET DATA, Le 256');
    await fireEvent.keyDown(input, { key: 'Enter', ctrlKey: true });
    const responses = screen.getByTestId('responses');
    await waitFor(() => expect(responses.querySelector('article')?.getAttribute('data-sw')).toBe('9000'));
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

  it('keeps sending to the reader it sent to when a reader listed before it gets a card', async () => {
    reader.set([
      { name: 'Empty Reader 00 00', cardPresent: false, atr: null },
      { name: 'Fake Reader 01 00', cardPresent: true, atr: ATR },
    ]);
    render(ConsoleWorkbench, { props: { api: inProcessApi(backend) } });
    const select = (await screen.findByLabelText('Reader')) as HTMLSelectElement;
    expect(select.value).toBe('pcsc:Fake Reader 01 00');
    await fireEvent.input(screen.getByLabelText(/APDU \(hex/), { target: { value: '00CA006E00' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(reader.sent).toEqual(['Fake Reader 01 00:00CA006E00']));

    reader.set([
      { name: 'Empty Reader 00 00', cardPresent: true, atr: OTHER_ATR },
      { name: 'Fake Reader 01 00', cardPresent: true, atr: ATR },
    ]);
    await waitFor(() => expect(select.options[0]!.textContent).toBe('Empty Reader 00 00'));
    expect(select.value).toBe('pcsc:Fake Reader 01 00');
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

  it("inspects the shown reader again when its card changes, not when another reader's does", async () => {
    reader.set([
      { name: 'Fake Reader 00 00', cardPresent: true, atr: ATR },
      { name: 'Other Reader 01 00', cardPresent: false, atr: null },
    ]);
    const inspected: string[] = [];
    render(ReadersWorkbench, { props: { api: inspectingApi(inspected), info: undefined } });
    await waitFor(() => expect(screen.getByTestId('features').textContent).toContain('VERIFY_PIN_DIRECT'));
    expect(inspected).toEqual(['pcsc:Fake Reader 00 00']);

    reader.set([
      { name: 'Fake Reader 00 00', cardPresent: true, atr: ATR },
      { name: 'Other Reader 01 00', cardPresent: true, atr: OTHER_ATR },
    ]);
    const other = (): HTMLElement => screen.getByRole('button', { name: /Other Reader 01 00/ });
    await waitFor(() => expect(other().textContent).toContain('card present'));
    expect(inspected).toEqual(['pcsc:Fake Reader 00 00']);

    reader.set([
      { name: 'Fake Reader 00 00', cardPresent: false, atr: null },
      { name: 'Other Reader 01 00', cardPresent: true, atr: OTHER_ATR },
    ]);
    await waitFor(() => expect(screen.getByRole('region', { name: 'Card' }).textContent).toContain('No card in this reader.'));
    expect(inspected).toEqual(['pcsc:Fake Reader 00 00', 'pcsc:Fake Reader 00 00']);

    // The clicked reader is shown (and inspected) while it is listed; the first one when it goes.
    await fireEvent.click(other());
    await waitFor(() => expect(screen.getByRole('heading', { level: 2 }).textContent).toBe('Other Reader 01 00'));
    expect(inspected.at(-1)).toBe('pcsc:Other Reader 01 00');
    reader.set([{ name: 'Fake Reader 00 00', cardPresent: false, atr: null }]);
    await waitFor(() => expect(screen.getByRole('heading', { level: 2 }).textContent).toBe('Fake Reader 00 00'));
  });
});
