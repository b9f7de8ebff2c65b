/**
 * Reader backends that can be recorded: each wraps one backend (PC/SC, direct USB, the built-in
 * virtual reader) and, while a recording runs, hands its transmits, keypad PIN entries and
 * disconnects to the SessionRecorder. The Console, `run` scripts and the Pinpad all go through the
 * reader hub, so wrapping the hub's backends records all of them. With no recording running a
 * call costs one property read.
 *
 * PC/SC keypad entries are SCardControl calls whose code the reader announced in its feature
 * list: the wrapper reads every GET_FEATURE_REQUEST answer that passes (recording or not) so it
 * knows VERIFY_PIN_DIRECT and MODIFY_PIN_DIRECT when a recording later sees them. Other control
 * calls (features, escapes, properties) carry no APDU and are not recorded.
 */
import { hexLiteral, toHex } from '#core/bytes/hex.js';
import { CM_IOCTL_GET_FEATURE_REQUEST_LINUX, CM_IOCTL_GET_FEATURE_REQUEST_WINDOWS } from '#core/pcsc/control-codes.js';
import { decodeFeatureList } from '#core/pcsc/features.js';
import { PIN_MODIFY_HEADER_LENGTH, PIN_VERIFY_HEADER_LENGTH } from '#core/pcsc/pin-structures.js';
import type { ReaderBackend, ReaderTransmitOptions } from '../reader-backend.js';
import type { SessionRecorder } from './session-recorder.js';

const VERIFY_PIN_DIRECT = 0x06;
const MODIFY_PIN_DIRECT = 0x07;

/** Where the recording of every wrapped backend is switched on and off (one per hub). */
export class RecordingSwitch {
  private current: SessionRecorder | undefined;

  get recorder(): SessionRecorder | undefined {
    return this.current?.active ? this.current : undefined;
  }

  /** Starts `recorder`; the one running before (if any) is closed. */
  start(recorder: SessionRecorder): void {
    this.current?.close();
    this.current = recorder;
  }

  /** Closes the running recording and returns it (undefined when none ran). */
  stop(): SessionRecorder | undefined {
    const stopped = this.current;
    this.current = undefined;
    stopped?.close();
    return stopped;
  }
}

/** `backend` with its calls recorded whenever `recording` has a recorder. Optional methods stay absent where the backend has none. */
export function recordingBackend(backend: ReaderBackend, recording: RecordingSwitch): ReaderBackend {
  /** reader → control code → 'verify' | 'modify', learned from feature lists. */
  const pinCodes = new Map<string, Map<number, 'verify' | 'modify'>>();
  const atrOf = (reader: string): string | null => backend.readers().find((r) => r.name === reader)?.atr ?? null;
  const call = (reader: string, options?: ReaderTransmitOptions) => ({
    backend: backend.kind,
    reader,
    atr: () => atrOf(reader),
    asked: options?.protocol ?? 'any',
  });

  const wrapped: ReaderBackend = {
    kind: backend.kind,
    status: () => backend.status(),
    readers: () => backend.readers(),
    onChange: (listener) =>
      backend.onChange(() => {
        recording.recorder?.readersChanged(backend.kind, backend.readers());
        listener();
      }),
    settled: () => backend.settled(),
    transmit(reader, apdu, options) {
      const recorder = recording.recorder;
      if (!recorder) return backend.transmit(reader, apdu, options);
      return recorder.transmit(call(reader, options), apdu, () => backend.transmit(reader, apdu, options));
    },
    disconnect(reader, disposition) {
      recording.recorder?.disconnected(backend.kind, reader, disposition ?? 'leave');
      return backend.disconnect(reader, disposition);
    },
    dispose: () => backend.dispose(),
  };

  if (backend.control) {
    const control = backend.control.bind(backend);
    wrapped.control = async (reader, controlCode, data, options) => {
      const code = controlCode >>> 0;
      const pin = pinCodes.get(reader)?.get(code);
      const recorder = recording.recorder;
      if (pin && recorder) {
        const header = pin === 'verify' ? PIN_VERIFY_HEADER_LENGTH : PIN_MODIFY_HEADER_LENGTH;
        const comments = [
          `request: PC/SC ${pin === 'verify' ? 'VERIFY' : 'MODIFY'}_PIN_DIRECT (control code ${hexLiteral(code, 8)})`,
          `structure: ${toHex(data.subarray(0, header))}`,
        ];
        return recorder.pinEntry(call(reader), data.subarray(header), comments, () => control(reader, controlCode, data, options));
      }
      const answer = await control(reader, controlCode, data, options);
      if (code === CM_IOCTL_GET_FEATURE_REQUEST_LINUX || code === CM_IOCTL_GET_FEATURE_REQUEST_WINDOWS) {
        const codes = new Map<number, 'verify' | 'modify'>();
        for (const feature of decodeFeatureList(answer).features) {
          if (feature.tag === VERIFY_PIN_DIRECT) codes.set(feature.controlCode >>> 0, 'verify');
          if (feature.tag === MODIFY_PIN_DIRECT) codes.set(feature.controlCode >>> 0, 'modify');
        }
        pinCodes.set(reader, codes);
      }
      return answer;
    };
  }
  if (backend.securePinEntry) {
    const secure = backend.securePinEntry.bind(backend);
    wrapped.securePinEntry = (reader, entry) => {
      const recorder = recording.recorder;
      if (!recorder) return secure(reader, entry);
      // abData = bPINOperation + the PIN parameters + the template: the parameters hold no secret.
      const parameters = entry.abData.subarray(0, entry.abData.length - entry.template.length);
      const comments = [`request: CCID PC_to_RDR_Secure (${entry.operation})`, `parameters: ${toHex(parameters)}`];
      return recorder.pinEntry(call(reader), entry.template, comments, () => secure(reader, entry));
    };
  }
  if (backend.abortPinEntry) wrapped.abortPinEntry = backend.abortPinEntry.bind(backend);
  if (backend.ccidDescriptor) wrapped.ccidDescriptor = backend.ccidDescriptor.bind(backend);
  return wrapped;
}
