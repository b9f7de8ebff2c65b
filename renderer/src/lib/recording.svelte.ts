/**
 * The app's session recording as the renderer sees it: whether it runs, into which file, how many
 * packets so far (from the backend's record.changed events), and the start/stop actions the Console
 * offers. One instance for the app (the shell makes it and hands it to the status bar and the
 * Console), since one recording covers every reader and workbench.
 */
import type { Api } from '#core/ipc/contract.js';
import type { RecordingPins, RecordingState } from '#core/ipc/channels/record.js';
import { downloadBytes } from './download.js';
import { recordingFileName } from './recording-file-name.js';

export { baseName } from './recording-file-name.js';

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

export class RecordingControl {
  state = $state<RecordingState | undefined>(undefined);
  busy = $state(false);
  problem = $state<string | undefined>(undefined);
  /** What the last stop did with the file ("Saved … to …", "Downloaded …"). */
  saved = $state<string | undefined>(undefined);
  pins = $state<RecordingPins>('masked');

  constructor(private readonly api: Api) {}

  get active(): boolean {
    return this.state?.active === true;
  }

  /** Follows the backend; returns the function that stops following. */
  start(): () => void {
    const off = this.api.on('record.changed', (state) => (this.state = state));
    this.api
      .invoke('record.state', {})
      .then((state) => (this.state ??= state))
      .catch(() => undefined);
    return off;
  }

  async toggle(): Promise<void> {
    await (this.active ? this.stop() : this.begin());
  }

  async begin(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.problem = undefined;
    this.saved = undefined;
    try {
      const started = await this.api.invoke('record.start', { pins: this.pins, fileName: recordingFileName() });
      if (!started.cancelled) this.state = started;
    } catch (error) {
      this.problem = error instanceof Error ? error.message : String(error);
    } finally {
      this.busy = false;
    }
  }

  async stop(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.problem = undefined;
    try {
      const stopped = await this.api.invoke('record.stop', {});
      this.state = stopped.state;
      const packets = `${stopped.state.packets} packet${stopped.state.packets === 1 ? '' : 's'}`;
      if (stopped.download) {
        downloadBytes(stopped.download.fileName, fromBase64(stopped.download.base64), 'application/x-pcapng');
        this.saved = `Downloaded ${stopped.download.fileName} (${packets}).`;
      } else if (stopped.path) this.saved = `Saved ${packets} to ${stopped.path}.`;
    } catch (error) {
      this.problem = error instanceof Error ? error.message : String(error);
    } finally {
      this.busy = false;
    }
  }
}
