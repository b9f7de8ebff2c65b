import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBackend, type Backend } from '../../../electron/backend/backend.js';
import { electronStatusFor } from '../../../electron/backend/electron-status.js';
import App from '../../../renderer/src/App.svelte';
import StatusBar from '../../../renderer/src/shell/StatusBar.svelte';
import { neighbourTab, workbenchForShortcut, workbenchFromHash } from '../../../renderer/src/shell/workbenches.js';
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

  it('switches workbench by click, Ctrl+digit and arrow keys', async () => {
    render(App, { props: { api: inProcessApi(backend) } });
    await fireEvent.click(screen.getByRole('tab', { name: 'Captures' }));
    expect(screen.getByRole('tabpanel').dataset.workbench).toBe('captures');
    expect(location.hash).toBe('#/captures');

    await fireEvent.keyDown(window, { key: '2', ctrlKey: true });
    expect(screen.getByRole('tabpanel').dataset.workbench).toBe('console');
    expect(document.activeElement).toBe(screen.getByRole('tab', { name: 'Console' }));

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
    expect(workbenchForShortcut({ key: '4', ctrlKey: true, metaKey: false, altKey: false, shiftKey: false })).toBe('captures');
    expect(workbenchForShortcut({ key: '4', ctrlKey: false, metaKey: true, altKey: false, shiftKey: false })).toBe('captures');
    expect(workbenchForShortcut({ key: '5', ctrlKey: true, metaKey: false, altKey: false, shiftKey: false })).toBeUndefined();
    expect(workbenchForShortcut({ key: '1', ctrlKey: false, metaKey: false, altKey: false, shiftKey: false })).toBeUndefined();
    expect(neighbourTab('readers', 'ArrowLeft')).toBe('captures');
    expect(neighbourTab('captures', 'ArrowRight')).toBe('readers');
    expect(neighbourTab('console', 'End')).toBe('captures');
    expect(neighbourTab('console', 'a')).toBeUndefined();
  });
});
