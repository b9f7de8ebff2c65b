/**
 * What the Console shows of what the card said (issue 10, items 1–4): a 61xx that came with data
 * followed up and the whole answer decoded once; an APDU longer than the reader takes held back
 * with a warning, then sent exactly as typed and shown folded; a script named from the
 * application it selected; a capture's script export read as a test.
 */
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
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
const SELECT_OPENPGP = '00A4040006D27600012401';
/** 6E { 73 { C4 01 20 20 20 } }: C4 is "PW status bytes" for OpenPGP, a load file AID for GlobalPlatform. */
const APPLICATION_DATA = '6E0A73087306C40401202020';

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'cardbench-renderer-'));
  reader = new FakeReaderBackend('pcsc');
  reader.list = [{ name: 'Fake Reader 00 00', cardPresent: true, atr: ATR }];
  reader.answers.set(SELECT_OPENPGP, '9000');
  reader.answers.set('00CA006E00', `${APPLICATION_DATA}9000`);
  // Le 6: six bytes and 61 06 for the six still waiting.
  reader.answers.set('00CA006E06', `${APPLICATION_DATA.slice(0, 12)}6106`);
  reader.answers.set('00C0000006', `${APPLICATION_DATA.slice(12)}9000`);
  // GET_FEATURE_REQUEST: VERIFY_PIN_DIRECT and GET_TLV_PROPERTIES; the TLV properties say dwMaxAPDUDataSize 255.
  reader.controls.set(0x42000d48, Uint8Array.of(0x06, 0x04, 0x42, 0x33, 0x00, 0x06, 0x12, 0x04, 0x42, 0x33, 0x00, 0x12));
  reader.controls.set(0x42330012, Uint8Array.of(0x0a, 0x04, 0xff, 0x00, 0x00, 0x00));
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

async function send(apdu: string): Promise<void> {
  const outcomes = (): number => screen.getByTestId('responses').querySelectorAll('.outcome').length;
  await fireEvent.input(await screen.findByLabelText(/APDU \(hex/), { target: { value: apdu } });
  const before = outcomes();
  await fireEvent.click(screen.getByRole('button', { name: 'Send' }));
  await waitFor(() => expect(outcomes()).toBe(before + 1));
}

/** The first element the selector finds once it is there. */
async function appeared(root: () => ParentNode, selector: string): Promise<HTMLElement> {
  return waitFor(() => {
    const found = root().querySelector<HTMLElement>(selector);
    if (!found) throw new Error(`no ${selector} yet`);
    return found;
  });
}

const treeLabels = (root: ParentNode): string[] => [...root.querySelectorAll('[role="treeitem"] .label')].map((n) => n.textContent ?? '');

describe('Console answers', () => {
  it('61xx with data: the GET RESPONSE follows, then the whole answer decoded once', async () => {
    render(ConsoleWorkbench, { props: { api: inProcessApi(backend) } });
    await fireEvent.click(await screen.findByLabelText(/Handle 61xx\/6Cxx/));
    await send(SELECT_OPENPGP);
    await send('00CA006E06');
    const responses = screen.getByTestId('responses');
    await waitFor(() => expect(responses.querySelector('[data-testid="whole-answer"]')).not.toBeNull());
    expect(reader.sent.slice(-2)).toEqual(['Fake Reader 00 00:00CA006E06', 'Fake Reader 00 00:00C0000006']);
    const latest = responses.querySelector('.outcome')!;
    expect([...latest.querySelectorAll('article.exchange')].map((a) => a.getAttribute('data-sw'))).toEqual(['6106', '9000']);
    const whole = within(latest as HTMLElement).getByTestId('whole-answer');
    expect(whole.getAttribute('data-sw')).toBe('9000');
    expect(whole.textContent).toContain('12 bytes from 2 exchanges');
    expect(treeLabels(whole).some((label) => label.startsWith('C4 PW status bytes'))).toBe(true);
    // The parts are no whole template: only the whole answer carries a tree.
    expect(latest.querySelectorAll('[role="tree"]')).toHaveLength(1);
  });

  it('an APDU longer than the reader takes waits for "Send anyway", then goes exactly as typed, folded with its length', async () => {
    render(ConsoleWorkbench, { props: { api: inProcessApi(backend) } });
    const apdu = `00DA00FF00012C${'AB'.repeat(300)}`;
    await fireEvent.input(await screen.findByLabelText(/APDU \(hex/), { target: { value: apdu } });
    await waitFor(() =>
      expect(document.getElementById('apdu-check')?.textContent).toContain("Longer than this reader's Max APDU data (255 bytes)"),
    );
    await fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    const warning = await screen.findByRole('alertdialog', { name: 'Longer than the reader takes' });
    expect(warning.textContent).toContain('This APDU is 307 bytes with 300 bytes of data');
    expect(warning.textContent).toContain('Max APDU data 255 bytes (dwMaxAPDUDataSize (TLV properties))');
    expect(reader.sent).toEqual([]);
    await fireEvent.click(within(warning).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(reader.sent).toEqual([]);

    await fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    await fireEvent.click(within(await screen.findByRole('alertdialog')).getByRole('button', { name: 'Send anyway' }));
    await waitFor(() => expect(reader.sent).toEqual([`Fake Reader 00 00:${apdu}`]));
    const command = await appeared(() => screen.getByTestId('responses'), 'article.exchange .command');
    expect(command.textContent).toContain('(307 bytes)');
    expect(command.textContent).toContain('00 DA 00 FF 00 01 2C AB');
    expect(command.textContent!.length).toBeLessThan(120);
    await fireEvent.click(within(command).getByRole('button', { name: 'show all' }));
    expect(command.textContent).toContain('AB '.repeat(300).trim());
    const entry = await appeared(() => screen.getByRole('complementary'), '.history li:has(code)');
    expect(entry.textContent).toContain('(307 bytes)');
    expect(entry.textContent!.length).toBeLessThan(160);
  });

  it('Send pressed before the limits of the reader arrived still waits for them and warns', async () => {
    const api = inProcessApi(backend);
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const slowInspect: typeof api = {
      ...api,
      invoke: (async (channel: string, args: unknown) => {
        if (channel === 'readers.inspect') await held;
        return api.invoke(channel as never, args as never);
      }) as typeof api.invoke,
    };
    render(ConsoleWorkbench, { props: { api: slowInspect } });
    const apdu = `00DA00FF00012C${'AB'.repeat(300)}`;
    await fireEvent.input(await screen.findByLabelText(/APDU \(hex/), { target: { value: apdu } });
    await waitFor(() => expect((screen.getByRole('button', { name: 'Send' }) as HTMLButtonElement).disabled).toBe(false));
    expect(document.getElementById('apdu-check')?.textContent).not.toContain('Longer than');
    await fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    release();
    const warning = await screen.findByRole('alertdialog', { name: 'Longer than the reader takes' });
    expect(warning.textContent).toContain('Max APDU data 255 bytes');
    expect(reader.sent).toEqual([]);
  });

  it('a script names GET DATA 6E after the application it selected (C4: PW status bytes)', async () => {
    render(ConsoleWorkbench, { props: { api: inProcessApi(backend) } });
    await fireEvent.click(await screen.findByRole('tab', { name: 'Script' }));
    await fireEvent.input(screen.getByLabelText('Script text'), { target: { value: `${SELECT_OPENPGP} => 9000\n00CA006E00 => 9000\n` } });
    await fireEvent.click(screen.getByRole('button', { name: 'Run script' }));
    await waitFor(() => expect(screen.getByTestId('script-summary').textContent).toContain('Passed: 2 passed'));
    const labels = treeLabels(screen.getByRole('region', { name: 'Script' }));
    expect(labels.find((label) => label.startsWith('C4'))).toMatch(/^C4 PW status bytes/);
  });

  it("opens a capture's script export (a file) and runs it as a test: each '# expect' line checked", async () => {
    render(ConsoleWorkbench, { props: { api: inProcessApi(backend) } });
    await fireEvent.click(await screen.findByRole('tab', { name: 'Script' }));
    const exported = [
      '# trace.pcapng: 3 APDU exchange(s), each with the status word the card gave',
      '00 A4 04 00 06 D2 76 00 01 24 01',
      '# expect 9000 (Success)',
      '00 CA 00 6E 00',
      '# expected SW 9000 (Success)',
      '00 CA 00 4F 00',
      '# expect 6A88 (Referenced data not found (no such data object))',
      '',
    ].join('\n');
    const file = new File([exported], 'trace.script', { type: 'text/plain' });
    await fireEvent.change(screen.getByLabelText('Open a script file'), { target: { files: [file] } });
    await waitFor(() => expect((screen.getByLabelText('Script text') as HTMLTextAreaElement).value).toBe(exported));
    expect(screen.getByTestId('script-steps').textContent).toBe('3 step(s), 3 with an expected status word');
    await fireEvent.click(screen.getByRole('button', { name: 'Run script' }));
    // The fake card does not know 00CA004F00 (6D00): the expectation is checked, and fails.
    await waitFor(() => expect(screen.getByTestId('script-summary').textContent).toBe('Failed: 2 passed, 1 failed, 0 without assertion'));
  });
});
