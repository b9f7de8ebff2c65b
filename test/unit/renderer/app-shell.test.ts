import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { tick } from 'svelte';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBackend, type Backend } from '../../../electron/backend/backend.js';
import { electronStatusFor } from '../../../electron/backend/electron-status.js';
import App from '../../../renderer/src/App.svelte';
import StatusBar from '../../../renderer/src/shell/StatusBar.svelte';
import { shellCommandFor, type KeyChord } from '../../../renderer/src/shell/shortcuts.js';
import { neighbourTab, workbenchFromHash } from '../../../renderer/src/shell/workbenches.js';
import { inProcessApi } from '../../support/in-process-api.js';
import { controllableProbes } from '../../support/fake-probes.js';

let backend: Backend;
let probes: ReturnType<typeof controllableProbes>;

beforeEach(() => {
  location.hash = '';
  probes = controllableProbes({
    pcsc: { available: false, reason: 'PC/SC service not running. Start pcscd.' },
    usb: { available: false, reason: 'USB access unavailable: this system has no USB bus.' },
  });
  backend = createBackend({
    shell: 'browser',
    electron: electronStatusFor('browser'),
    probes,
    statusPollMs: 20,
    readers: { backends: () => [] },
  });
});
afterEach(() => {
  cleanup();
  backend.dispose();
});

describe('App shell', () => {
  it('renders the four workbenches as tabs with Readers selected', async () => {
    render(App, { props: { api: inProcessApi(backend) } });
    const tabs = screen.getAllByRole('tab');
    expect(tabs.map((t) => t.textContent?.trim())).toEqual(['Readers', 'Console', 'Pinpad', 'Captures']);
    expect(screen.getByRole('tab', { name: 'Readers' }).getAttribute('aria-selected')).toBe('true');
    expect(screen.getByRole('tabpanel').dataset.workbench).toBe('readers');
  });

  it('shows why each backend is unavailable in the status bar and the Readers empty state', async () => {
    const { container } = render(App, { props: { api: inProcessApi(backend) } });
    await waitFor(() => expect(container.querySelector('[data-ready]')?.getAttribute('data-ready')).toBe('true'));
    const status = screen.getByRole('contentinfo');
    expect(status.textContent).toContain('PC/SC');
    expect(status.textContent).toContain('PC/SC service not running. Start pcscd.');
    expect(status.textContent).toContain('USB access unavailable');
    expect(status.textContent).toContain('browser mode');
    expect(screen.getByRole('tabpanel').textContent).toContain('PC/SC service not running. Start pcscd.');
  });

  it('switches workbench by click, Alt+Shift+digit and arrow keys', async () => {
    const { container } = render(App, { props: { api: inProcessApi(backend) } });
    await waitFor(() => expect(container.querySelector('[data-ready]')?.getAttribute('data-ready')).toBe('true'));
    await fireEvent.click(screen.getByRole('tab', { name: 'Captures' }));
    expect(screen.getByRole('tabpanel').dataset.workbench).toBe('captures');
    expect(location.hash).toBe('#/captures');

    // Shift makes the 2 an '@' (or anything, on other layouts): the physical key counts.
    await fireEvent.keyDown(window, { key: '@', code: 'Digit2', altKey: true, shiftKey: true });
    expect(screen.getByRole('tabpanel').dataset.workbench).toBe('console');
    expect(document.activeElement).toBe(screen.getByRole('tab', { name: 'Console' }));
    expect(screen.getByRole('tab', { name: 'Pinpad' }).getAttribute('aria-keyshortcuts')).toBe('Alt+Shift+3');

    await fireEvent.keyDown(screen.getByRole('tablist'), { key: 'ArrowRight' });
    expect(screen.getByRole('tabpanel').dataset.workbench).toBe('pinpad');
    await fireEvent.keyDown(screen.getByRole('tablist'), { key: 'Home' });
    expect(screen.getByRole('tabpanel').dataset.workbench).toBe('readers');
  });

  it('gives every workbench an honest empty state', async () => {
    render(App, { props: { api: inProcessApi(backend) } });
    for (const [name, phrase] of [
      ['Console', 'The APDU console needs a reader'],
      ['Pinpad', 'No reader is listed.'],
      ['Captures', 'No capture open'],
    ] as const) {
      await fireEvent.click(screen.getByRole('tab', { name }));
      expect(screen.getByRole('tabpanel').textContent).toContain(phrase);
    }
  });

  it('updates the status bar live when a backend comes up', async () => {
    const { container } = render(App, { props: { api: inProcessApi(backend) } });
    await waitFor(() => expect(container.querySelector('[data-ready]')?.getAttribute('data-ready')).toBe('true'));
    expect(container.querySelector('[data-backend="PC/SC"]')?.classList.contains('available')).toBe(false);
    probes.setPcsc({ available: true });
    await waitFor(() => expect(container.querySelector('[data-backend="PC/SC"]')?.classList.contains('available')).toBe(true));
  });

  it('says so when the backend does not answer', async () => {
    const broken = {
      invoke: () => Promise.reject(new Error('socket closed')),
      on: () => () => undefined,
    };
    render(App, { props: { api: broken } });
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('socket closed'));
  });
});

describe('keyboard shortcuts by shell', () => {
  /** Dispatches like a browser does and says whether the page kept the key from the browser. */
  async function press(init: KeyboardEventInit): Promise<boolean> {
    const event = new KeyboardEvent('keydown', { bubbles: true, cancelable: true, ...init });
    window.dispatchEvent(event);
    await tick();
    return event.defaultPrevented;
  }

  async function readyApp(shell: 'browser' | 'electron'): Promise<void> {
    backend.dispose();
    backend = createBackend({ shell, electron: electronStatusFor(shell), probes, readers: { backends: () => [] } });
    const { container } = render(App, { props: { api: inProcessApi(backend) } });
    await waitFor(() => expect(container.querySelector('[data-ready]')?.getAttribute('data-ready')).toBe('true'));
  }

  it('browser mode leaves Ctrl+1…4 and Ctrl+O to the browser (its tabs, its Open File)', async () => {
    await readyApp('browser');
    expect(await press({ key: '2', code: 'Digit2', ctrlKey: true })).toBe(false);
    expect(screen.getByRole('tabpanel').dataset.workbench).toBe('readers');
    expect(await press({ key: 'o', code: 'KeyO', ctrlKey: true })).toBe(false);
    expect(await press({ key: '@', code: 'Digit2', altKey: true, shiftKey: true })).toBe(true);
    expect(screen.getByRole('tabpanel').dataset.workbench).toBe('console');
    expect(screen.getByRole('tab', { name: 'Readers' }).title).toContain('Alt+Shift+1');
  });

  it('the desktop app takes Ctrl+1…4 (and still Alt+Shift+1…4)', async () => {
    await readyApp('electron');
    expect(await press({ key: '4', code: 'Digit4', ctrlKey: true })).toBe(true);
    expect(screen.getByRole('tabpanel').dataset.workbench).toBe('captures');
    expect(await press({ key: '!', code: 'Digit1', altKey: true, shiftKey: true })).toBe(true);
    expect(screen.getByRole('tabpanel').dataset.workbench).toBe('readers');
    expect(screen.getByRole('tab', { name: 'Readers' }).title).toContain('Ctrl+1');
  });

  it('? opens the list of shortcuts for this shell, except while typing; Escape closes it', async () => {
    await readyApp('browser');
    const list = screen.getByTestId('shortcut-list') as HTMLDialogElement;
    expect(list.open).toBe(false);
    await fireEvent.click(screen.getByRole('tab', { name: 'Captures' }));
    const input = screen.getByLabelText('Capture path');
    input.focus();
    await fireEvent.keyDown(input, { key: '?', code: 'Slash', shiftKey: true });
    expect(list.open).toBe(false);
    input.blur();
    expect(await press({ key: '?', code: 'Slash', shiftKey: true })).toBe(true);
    expect(list.open).toBe(true);
    expect(list.textContent).toContain('Alt+Shift+1…4');
    expect(list.textContent).toContain('Alt+Shift+O');
    expect(list.textContent).toContain('left to the browser');
    list.close();
    expect(list.open).toBe(false);
  });
});

describe('theme', () => {
  it('starts as the settings say, applies a choice at once and keeps it in the settings', async () => {
    await backend.call('app.setPreferences', { theme: 'light' });
    render(App, { props: { api: inProcessApi(backend) } });
    const picker = screen.getByLabelText('Theme') as HTMLSelectElement;
    await waitFor(() => expect(document.documentElement.dataset.theme).toBe('light'));
    expect(picker.value).toBe('light');
    await fireEvent.change(picker, { target: { value: 'dark' } });
    expect(document.documentElement.dataset.theme).toBe('dark');
    await waitFor(async () => expect(await backend.call('app.preferences', {})).toEqual({ ok: true, result: { theme: 'dark' } }));
    await backend.call('app.setPreferences', { theme: 'system' });
  });
});

describe('StatusBar', () => {
  it('shows a lost connection instead of stale backend facts', () => {
    render(StatusBar, { props: { info: undefined, connectionProblem: 'Connection to Cardbench lost' } });
    expect(screen.getByRole('alert').textContent).toContain('Connection to Cardbench lost');
  });
});

describe('workbench navigation helpers', () => {
  it('maps hashes, shortcuts and arrow keys', () => {
    expect(workbenchFromHash('#/pinpad')).toBe('pinpad');
    expect(workbenchFromHash('#/nonsense')).toBe('readers');
    const chord = (init: Partial<KeyChord>): KeyChord => ({
      key: '',
      code: '',
      ctrlKey: false,
      metaKey: false,
      altKey: false,
      shiftKey: false,
      ...init,
    });
    expect(shellCommandFor(chord({ key: '4', code: 'Digit4', ctrlKey: true }), 'electron', false)).toEqual({
      kind: 'workbench',
      id: 'captures',
    });
    expect(shellCommandFor(chord({ key: '4', code: 'Digit4', metaKey: true }), 'electron', false)).toEqual({
      kind: 'workbench',
      id: 'captures',
    });
    expect(shellCommandFor(chord({ key: '4', code: 'Digit4', ctrlKey: true }), 'browser', false)).toBeUndefined();
    expect(shellCommandFor(chord({ key: '$', code: 'Digit4', altKey: true, shiftKey: true }), 'browser', true)).toEqual({
      kind: 'workbench',
      id: 'captures',
    });
    expect(shellCommandFor(chord({ key: '5', code: 'Digit5', ctrlKey: true }), 'electron', false)).toBeUndefined();
    expect(shellCommandFor(chord({ key: '1', code: 'Digit1' }), 'electron', false)).toBeUndefined();
    // Alt+digit is Linux browsers' tab switching too: not taken.
    expect(shellCommandFor(chord({ key: '1', code: 'Digit1', altKey: true }), 'browser', false)).toBeUndefined();
    expect(shellCommandFor(chord({ key: 'O', code: 'KeyO', altKey: true, shiftKey: true }), 'browser', false)).toEqual({
      kind: 'open-capture',
    });
    expect(shellCommandFor(chord({ key: 'o', code: 'KeyO', ctrlKey: true }), 'electron', false)).toEqual({ kind: 'open-capture' });
    expect(shellCommandFor(chord({ key: 'o', code: 'KeyO', ctrlKey: true }), 'browser', false)).toBeUndefined();
    expect(shellCommandFor(chord({ key: '?', code: 'Slash', shiftKey: true }), 'browser', false)).toEqual({ kind: 'shortcuts' });
    expect(shellCommandFor(chord({ key: '?', code: 'Slash', shiftKey: true }), 'browser', true)).toBeUndefined();
    expect(neighbourTab('readers', 'ArrowLeft')).toBe('captures');
    expect(neighbourTab('captures', 'ArrowRight')).toBe('readers');
    expect(neighbourTab('console', 'End')).toBe('captures');
    expect(neighbourTab('console', 'a')).toBeUndefined();
  });
});
