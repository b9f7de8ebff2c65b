/**
 * `--record FILE` and `--record-exact-pins`, shared by `send`, `run` and `pin`: the session is
 * written to FILE as a pcapng trace (link type 252, see core/record) while it runs. The file is
 * opened before anything is sent, so an unwritable path stops the command with one sentence and
 * nothing reaches the card; it is written packet by packet, so Ctrl-C leaves a valid file.
 */
import type { ReaderBackend } from '../backend/reader-backend.js';
import { openRecordFile, RecordFileError } from '../backend/record/record-file.js';
import { recordingBackend, RecordingSwitch } from '../backend/record/recording-backend.js';
import { SessionRecorder } from '../backend/record/session-recorder.js';
import { APP_VERSION } from '../backend/version.js';
import type { OptionHelp } from './command.js';
import { CliError, EXIT } from './exit-codes.js';
import type { OptionsConfig } from './parse-options.js';

export const RECORD_USAGE = '[--record FILE [--record-exact-pins]]';

export const RECORD_OPTIONS = {
  record: { type: 'string' },
  'record-exact-pins': { type: 'boolean' },
} as const satisfies OptionsConfig;

export const RECORD_OPTION_HELP: readonly OptionHelp[] = [
  {
    syntax: '--record FILE',
    text: 'write the session to FILE as a .pcapng trace Wireshark decodes as ISO 7816 (commands, answers, ATR, keypad PIN entries, card events)',
    default: 'not recorded',
  },
  {
    syntax: '--record-exact-pins',
    text: 'keep PIN and key bytes in the recording (VERIFY, CHANGE REFERENCE DATA… data, keypad PIN blocks)',
    default: "masked with '*' bytes; the file says pins: masked",
  },
];

export interface CliRecording {
  readonly path: string;
  /** The command's reader sources with their calls recorded. */
  backends(base: () => ReaderBackend[]): () => ReaderBackend[];
  /** Closes the file and returns the sentence that says what it holds. */
  close(): string;
  /** True when the file could not take every packet (disk full…): the command then exits 1. */
  readonly failed: boolean;
}

/** Opens the recording the options ask for (undefined without --record); a path that cannot be written is a CliError. */
export function openCliRecording(
  command: string,
  values: { record?: string | boolean | undefined; 'record-exact-pins'?: string | boolean | undefined },
): CliRecording | undefined {
  const path = typeof values.record === 'string' ? values.record : undefined;
  if (path === undefined) {
    if (values['record-exact-pins']) throw new CliError(`${command}: --record-exact-pins needs --record FILE.`, EXIT.usage);
    return undefined;
  }
  if (path === '' || path === '-')
    throw new CliError(`${command}: --record needs a file name (a recording is binary: it does not go to standard output).`, EXIT.usage);
  let file;
  try {
    file = openRecordFile(path);
  } catch (error) {
    if (error instanceof RecordFileError) throw new CliError(`${command}: ${error.message} Nothing was sent.`, EXIT.failure);
    throw error;
  }
  const pins = values['record-exact-pins'] ? 'exact' : 'masked';
  const recorder = new SessionRecorder(file, { pins, application: `Cardbench ${APP_VERSION}` });
  const recording = new RecordingSwitch();
  recording.start(recorder);
  return {
    path,
    backends: (base) => () => base().map((backend) => recordingBackend(backend, recording)),
    get failed() {
      return recorder.failed !== undefined;
    },
    close() {
      recording.stop();
      const packets = `${recorder.packets} packet${recorder.packets === 1 ? '' : 's'}`;
      if (recorder.failed) {
        return `cardbench: ${command}: the recording to ${path} stopped early: ${recorder.failed}; it holds the ${packets} before that.`;
      }
      return `Recorded ${packets} to ${path} (${file.bytes} bytes, PINs ${pins}).`;
    },
  };
}
