/**
 * Handlers of the recording channels (core/ipc/channels/record.ts). One recording at a time for
 * the whole app: it covers every reader the hub serves, so the Console, scripts and the Pinpad on
 * any reader all land in it. Desktop: the file chosen in the native save dialog is written packet
 * by packet (a crash leaves a valid file). Browser mode: the backend keeps the file in memory, up
 * to MAX_DOWNLOAD_RECORDING_BYTES, and hands it over when the recording stops.
 */
import type { recordChannels, RecordingPins, RecordingState } from '#core/ipc/channels/record.js';
import { MAX_DOWNLOAD_RECORDING_BYTES } from '#core/ipc/channels/record.js';
import type { Handlers } from '#core/ipc/dispatch.js';
import { CardbenchError } from '#core/ipc/errors.js';
import { MemoryRecordSink } from '../record/memory-record-sink.js';
import { openRecordFile, RecordFileError } from '../record/record-file.js';
import type { RecordingSwitch } from '../record/recording-backend.js';
import { SessionRecorder } from '../record/session-recorder.js';
import { APP_VERSION } from '../version.js';
import type { SaveSuggestion } from './app-handlers.js';
import type { HandlerContext } from './handler-context.js';

export type RecordHandlers = Pick<Handlers, keyof typeof recordChannels>;

export interface RecordHandlerOptions {
  /** The switch every reader backend of the hub is wrapped with (created with the hub on first use). */
  recording: () => RecordingSwitch;
  /** The desktop app's native save dialog; absent in browser mode. */
  chooseSavePath?: (suggestion: SaveSuggestion) => Promise<string | null>;
  /** Browser mode's limit (tests lower it). */
  maxDownloadBytes?: number;
}

/** How often, at most, a running recording tells the renderer its packet count. */
const CHANGE_INTERVAL_MS = 200;

export function createRecordHandlers(context: HandlerContext, options: RecordHandlerOptions): RecordHandlers {
  const target = options.chooseSavePath ? 'file' : 'download';
  let current:
    | {
        recorder: SessionRecorder;
        fileName: string;
        pins: RecordingPins;
        bytes: () => number;
        memory?: MemoryRecordSink;
      }
    | undefined;
  let ended: string | null = null;
  let last: RecordingState = { active: false, fileName: null, packets: 0, bytes: 0, pins: 'masked', target, ended: null };
  let timer: ReturnType<typeof setTimeout> | undefined;

  const state = (): RecordingState => {
    if (!current) return { ...last, active: false, ended };
    return {
      active: current.recorder.active,
      fileName: current.fileName,
      packets: current.recorder.packets,
      bytes: current.bytes(),
      pins: current.pins,
      target,
      ended,
    };
  };
  const emit = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    context.emit({ event: 'record.changed', payload: state() });
  };
  const emitSoon = (): void => {
    timer ??= setTimeout(emit, CHANGE_INTERVAL_MS);
  };

  const finish = (): { recorder: SessionRecorder; memory?: MemoryRecordSink; fileName: string } | undefined => {
    const stopped = current;
    if (!stopped) return undefined;
    options.recording().stop();
    last = { ...state(), active: false };
    current = undefined;
    return stopped;
  };

  context.onDispose(() => {
    if (timer) clearTimeout(timer);
    finish();
  });

  return {
    'record.state': () => state(),
    'record.start': async ({ pins, fileName }) => {
      if (current) throw new CardbenchError('operation-failed', `A recording is already running (${current.fileName}): stop it first.`);
      ended = null;
      let sink: { write: (chunk: Uint8Array) => void; close?: () => void };
      let name = fileName;
      let bytes: () => number;
      let memory: MemoryRecordSink | undefined;
      if (options.chooseSavePath) {
        const path = await options.chooseSavePath({ fileName, mimeType: 'application/x-pcapng' });
        if (path === null) return { ...state(), cancelled: true };
        try {
          const file = openRecordFile(path);
          sink = file;
          bytes = () => file.bytes;
        } catch (error) {
          if (error instanceof RecordFileError)
            throw new CardbenchError('operation-failed', `The recording did not start: ${error.message}`);
          throw error;
        }
        name = path;
      } else {
        memory = new MemoryRecordSink(options.maxDownloadBytes ?? MAX_DOWNLOAD_RECORDING_BYTES);
        sink = memory;
        bytes = () => memory!.bytes;
      }
      const recorder = new SessionRecorder(sink, {
        pins,
        application: `Cardbench ${APP_VERSION}`,
        onFailure: (failure) => {
          ended = `The recording stopped: ${failure}; the file holds the packets before that.`;
          options.recording().stop();
          emit();
        },
        onPacket: () => {
          if (memory?.full) {
            ended = `The recording reached ${Math.round(memory.limit / 1024 / 1024)} MiB, the most browser mode keeps: it stopped there. Download it with Stop.`;
            options.recording().stop();
            emit();
            return;
          }
          emitSoon();
        },
      });
      current = { recorder, fileName: name, pins, bytes, ...(memory ? { memory } : {}) };
      options.recording().start(recorder);
      emit();
      return { ...state(), cancelled: false };
    },
    'record.stop': () => {
      const stopped = finish();
      emit();
      if (!stopped) return { state: state(), path: null, download: null };
      if (stopped.memory) {
        const base64 = Buffer.from(stopped.memory.contents()).toString('base64');
        return { state: state(), path: null, download: { fileName: stopped.fileName, base64 } };
      }
      return { state: state(), path: stopped.fileName, download: null };
    },
  };
}
