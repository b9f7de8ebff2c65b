/**
 * Recording the reader session (issue 11): every exchange the Console, scripts and the Pinpad make
 * on any reader, written as a .pcapng Wireshark decodes (core/record). The desktop app writes the
 * file chosen in its save dialog as the session goes; browser mode keeps it in the backend and
 * hands it over for a download when the recording stops.
 */
import { z } from 'zod';
import { channel } from './define.js';

export type RecordingPins = 'masked' | 'exact';

export interface RecordingState {
  active: boolean;
  /** The file's name (desktop: the path chosen); null when nothing was recorded yet. */
  fileName: string | null;
  packets: number;
  bytes: number;
  pins: RecordingPins;
  /** 'file': written as it goes (desktop app); 'download': handed over at stop (browser mode). */
  target: 'file' | 'download';
  /** Why the last recording ended by itself (browser mode's size limit), or null. */
  ended: string | null;
}

export type RecordingStart = RecordingState & {
  /** True when the user closed the save dialog: nothing started. */
  cancelled: boolean;
};

export interface RecordingStopped {
  state: RecordingState;
  /** Desktop app: where the file is. */
  path: string | null;
  /** Browser mode: the file to download, its bytes as base64. */
  download: { fileName: string; base64: string } | null;
}

/** Browser mode keeps a recording in the backend's memory until it is downloaded: this bounds it. */
export const MAX_DOWNLOAD_RECORDING_BYTES = 64 * 1024 * 1024;

export const RECORDING_FILE_NAME = /^[^/\\:*?"<>|\0]{1,200}\.pcapng$/;

export const recordChannels = {
  'record.state': channel<RecordingState>()(z.object({}).strict()),
  /** Starts recording every reader (the desktop app asks where to save first). */
  'record.start': channel<RecordingStart>()(
    z
      .object({
        pins: z.enum(['masked', 'exact']),
        /** The name suggested in the save dialog, or the download's name. */
        fileName: z.string().regex(RECORDING_FILE_NAME),
      })
      .strict(),
  ),
  /** Stops it: the desktop file is complete; browser mode gets the bytes to download. */
  'record.stop': channel<RecordingStopped>()(z.object({}).strict()),
} as const;

export interface RecordEvents {
  /** Started, stopped, or more packets (at most every 200 ms while a session runs). */
  'record.changed': RecordingState;
}

export const RECORD_EVENT_NAMES: readonly (keyof RecordEvents)[] = ['record.changed'];
