import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { expect } from 'vitest';
import type { Api } from '#core/ipc/contract.js';
import { createBackend, type Backend } from '../../../../electron/backend/backend.js';
import CapturesWorkbench from '../../../../renderer/src/workbenches/captures/CapturesWorkbench.svelte';
import { controllableProbes } from '../../../support/fake-probes.js';

/** The real backend in browser mode with no reader backends: what the Captures workbench needs. */
export function backendWithoutReaders(): Backend {
  return createBackend({
    shell: 'browser',
    electron: { available: false, reason: 'test' },
    probes: controllableProbes({ pcsc: { available: false, reason: 'test' }, usb: { available: false, reason: 'test' } }),
    readers: { backends: () => [] },
  });
}

/** Renders the workbench, opens `path` through "Open path" and waits for the end of its import. */
export async function openCaptureByPath(api: Api, path: string): Promise<HTMLElement> {
  const { container } = render(CapturesWorkbench, { props: { api } });
  await fireEvent.input(screen.getByLabelText('Capture path'), { target: { value: path } });
  await fireEvent.click(screen.getByRole('button', { name: 'Open path' }));
  await waitFor(() => expect(container.querySelector<HTMLElement>('.captures')!.dataset.state).toBe('done'), { timeout: 20_000 });
  return container;
}
