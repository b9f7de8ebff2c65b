/** What the shell needs to know about itself and its backends to draw the status bar. */

export type ShellKind = 'electron' | 'browser' | 'cli';

export interface BackendStatus {
  available: boolean;
  /** Why not, in a sentence that says what to do; absent when available. */
  reason?: string;
  /** Extra facts for the curious (error codes, paths), never needed to act. */
  detail?: string;
}

export interface AppInfo {
  name: 'Cardbench';
  version: string;
  shell: ShellKind;
  platform: string;
  backends: {
    pcsc: BackendStatus;
    usb: BackendStatus;
    /** The desktop shell: available when running inside Electron. */
    electron: BackendStatus;
  };
}

export const BACKEND_LABELS: Record<keyof AppInfo['backends'], string> = {
  pcsc: 'PC/SC',
  usb: 'USB',
  electron: 'Desktop app',
};
