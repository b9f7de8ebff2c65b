/**
 * The Console, keyboard first (issue 10, item 6): ArrowUp/ArrowDown recall the history in the
 * APDU input when the caret is on the first/last line, Enter sends a one-line APDU (Shift+Enter
 * is a new line), the builder's Le is hex like every other field, and the card's decoded ATR
 * stays in view.
 */
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBackend, type Backend } from '../../../../electron/backend/backend.js';
import ConsoleWorkbench from '../../../../renderer/src/workbenches/console/ConsoleWorkbench.svelte';
import { controllableProbes } from '../../../support/fake-probes.js';
import { inProcessApi } from '../../../support/in-process-api.js';
import { FakeReaderBackend } from '../../electron/backend/readers/fake-reader-backend.js';

let backend: Backend;
let reader: FakeReaderBackend;
let dataDir: string;

const ATR = '3B8A8131FE458031C073F4014082900024';

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'cardbench-renderer-'));
  reader = new FakeReaderBackend('pcsc');
  reader.list = [{ name: 'Fake Reader 00 00', cardPresent: true, atr: ATR }];
  reader.answers.set('00A4040006D27600012401', '9000');
  reader.answers.set('00CA006E00', '6E034F01AA9000');
  reader.answers.set('00CA004F00', '4F01AA9000');
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

async function apduInput(): Promise<HTMLTextAreaElement> {
  return (await screen.findByLabelText(/APDU \(hex/)) as HTMLTextAreaElement;
}

/** Types into the field as a person does: the text, then the caret where the test says. */
async function type(input: HTMLTextAreaElement, text: string, caret = text.length): Promise<void> {
  await fireEvent.input(input, { target: { value: text } });
  input.setSelectionRange(caret, caret);
}

async function sendWithEnter(input: HTMLTextAreaElement, text: string): Promise<void> {
  const before = reader.sent.length;
  await type(input, text);
  await fireEvent.keyDown(input, { key: 'Enter' });
  await waitFor(() => expect(reader.sent).toHaveLength(before + 1));
  // The history is read back after each send: recall walks it.
  await waitFor(() =>
    expect(screen.getByRole('complementary').querySelector('.history li code')?.textContent?.replace(/\s/g, '')).toBe(text),
  );
}

describe('Console keyboard', () => {
  it('Enter sends a one-line APDU; Shift+Enter and Enter in a multi-line APDU do not', async () => {
    render(ConsoleWorkbench, { props: { api: inProcessApi(backend) } });
    const input = await apduInput();
    await type(input, '00CA006E00');
    expect((await fireEvent.keyDown(input, { key: 'Enter', shiftKey: true })) as boolean).toBe(true);
    expect(reader.sent).toEqual([]);
    await type(input, '00CA006E\n00');
    // Not prevented: the browser inserts the new line.
    expect((await fireEvent.keyDown(input, { key: 'Enter' })) as boolean).toBe(true);
    expect(reader.sent).toEqual([]);
    await type(input, '00CA006E00');
    expect((await fireEvent.keyDown(input, { key: 'Enter' })) as boolean).toBe(false);
    await waitFor(() => expect(reader.sent).toEqual(['Fake Reader 00 00:00CA006E00']));
  });

  it('ArrowUp walks back through what was sent, ArrowDown forward to what was being typed', async () => {
    render(ConsoleWorkbench, { props: { api: inProcessApi(backend) } });
    const input = await apduInput();
    await sendWithEnter(input, '00A4040006D27600012401');
    await sendWithEnter(input, '00CA006E00');
    await sendWithEnter(input, '00CA004F00');
    await type(input, '00B0');
    await fireEvent.keyDown(input, { key: 'ArrowUp' });
    expect(input.value).toBe('00CA004F00');
    await fireEvent.keyDown(input, { key: 'ArrowUp' });
    expect(input.value).toBe('00CA006E00');
    await fireEvent.keyDown(input, { key: 'ArrowUp' });
    expect(input.value).toBe('00A4040006D27600012401');
    // The oldest: the key does nothing more.
    expect((await fireEvent.keyDown(input, { key: 'ArrowUp' })) as boolean).toBe(true);
    expect(input.value).toBe('00A4040006D27600012401');
    await fireEvent.keyDown(input, { key: 'ArrowDown' });
    expect(input.value).toBe('00CA006E00');
    await fireEvent.keyDown(input, { key: 'ArrowDown' });
    await fireEvent.keyDown(input, { key: 'ArrowDown' });
    expect(input.value).toBe('00B0');
    // The recalled APDU is what Enter sends.
    await fireEvent.keyDown(input, { key: 'ArrowUp' });
    await fireEvent.keyDown(input, { key: 'Enter' });
    await waitFor(() => expect(reader.sent.at(-1)).toBe('Fake Reader 00 00:00CA004F00'));
  });

  it('in a multi-line APDU the arrows move the caret until it is on the first or last line', async () => {
    render(ConsoleWorkbench, { props: { api: inProcessApi(backend) } });
    const input = await apduInput();
    await sendWithEnter(input, '00CA006E00');
    const draft = '00 A4 04 00 06\nD2 76 00 01 24 01';
    await type(input, draft, draft.length);
    expect((await fireEvent.keyDown(input, { key: 'ArrowUp' })) as boolean).toBe(true);
    expect(input.value).toBe(draft);
    input.setSelectionRange(3, 3);
    expect((await fireEvent.keyDown(input, { key: 'ArrowDown' })) as boolean).toBe(true);
    expect(input.value).toBe(draft);
    await fireEvent.keyDown(input, { key: 'ArrowUp' });
    expect(input.value).toBe('00CA006E00');
    await fireEvent.keyDown(input, { key: 'ArrowDown' });
    expect(input.value).toBe(draft);
  });

  it("the builder's Le is hex: 1A asks for 26 bytes, 00 for 256, two bytes make it extended", async () => {
    render(ConsoleWorkbench, { props: { api: inProcessApi(backend) } });
    await apduInput();
    await fireEvent.click(screen.getByRole('button', { name: 'APDU builder' }));
    const builder = screen.getByRole('group', { name: 'APDU builder' });
    const le = screen.getByLabelText(/^Le \(hex\)/) as HTMLInputElement;
    await fireEvent.input(screen.getByLabelText(/^INS/), { target: { value: 'CA' } });
    await fireEvent.input(screen.getByLabelText(/^P1/), { target: { value: '00' } });
    await fireEvent.input(screen.getByLabelText(/^P2/), { target: { value: '6E' } });
    await fireEvent.input(le, { target: { value: '1A' } });
    expect(builder.querySelector('.out code')?.textContent).toBe('00CA006E1A');
    expect(builder.querySelector('.out')?.textContent).toContain('Ne 26');
    await fireEvent.input(le, { target: { value: '00' } });
    expect(builder.querySelector('.out code')?.textContent).toBe('00CA006E00');
    expect(builder.querySelector('.out')?.textContent).toContain('Ne 256');
    await fireEvent.input(le, { target: { value: '0100' } });
    expect(builder.querySelector('.out code')?.textContent).toBe('00CA006E000100');
    await fireEvent.input(le, { target: { value: 'zz' } });
    expect(builder.textContent).toContain('Le is hex like every other field');
    await fireEvent.input(le, { target: { value: '1A' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Use this APDU' }));
    expect((await apduInput()).value).toBe('00CA006E1A');
  });

  it("keeps the connected card's decoded ATR in view", async () => {
    render(ConsoleWorkbench, { props: { api: inProcessApi(backend) } });
    const card = await screen.findByRole('region', { name: 'Card in this reader' });
    await waitFor(() => expect(card.textContent).toContain('3B 8A 81 31 FE 45 80 31 C0 73 F4 01 40 82 90 00 24'));
    expect(card.textContent).toContain('T=1');
    expect(card.querySelector('[role="tree"]')).not.toBeNull();
    reader.set([{ name: 'Fake Reader 00 00', cardPresent: false, atr: null }]);
    await waitFor(() => expect(card.textContent).toContain('No card in this reader.'));
  });
});
