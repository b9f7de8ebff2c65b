/**
 * Handlers of the Pinpad channels (core/ipc/channels/pinpad.ts): the pinpad service on the
 * readers the Readers domain sees, the profiles in the data directory, and the keys of the
 * built-in virtual reader's on-screen keypad.
 */
import type { pinpadChannels } from '#core/ipc/channels/pinpad.js';
import type { Handlers } from '#core/ipc/dispatch.js';
import { PinpadProfiles } from '../pinpad/pinpad-profiles.js';
import { PinpadService } from '../pinpad/pinpad-service.js';
import type { ReaderHub } from '../readers/reader-hub.js';
import { openPinpadProfileStore } from '../settings/pinpad-profile-store.js';
import type { OnScreenKeypad } from '../virtual-reader/on-screen-keypad.js';
import type { HandlerContext } from './handler-context.js';

export type PinpadHandlers = Pick<Handlers, keyof typeof pinpadChannels>;

export interface PinpadHandlerOptions {
  /** The readers (shared with the Readers domain). */
  hub: () => ReaderHub;
  /** Where profiles are kept. */
  dataDir: () => string;
  /** The built-in virtual reader's keypad, whose keys pinpad.keypadInput presses. */
  keypad?: OnScreenKeypad;
  smartcardListPaths?: readonly string[];
}

export function createPinpadHandlers(context: HandlerContext, options: PinpadHandlerOptions): PinpadHandlers {
  let service: PinpadService | undefined;
  const pinpad = (): PinpadService =>
    (service ??= new PinpadService({
      hub: options.hub(),
      onRunState: (payload) => context.emit({ event: 'pinpad.runState', payload }),
      ...(options.smartcardListPaths ? { smartcardListPaths: options.smartcardListPaths } : {}),
    }));
  const profiles = new PinpadProfiles(() => openPinpadProfileStore(options.dataDir()));
  const keypad = options.keypad;
  if (keypad) {
    const off = keypad.onEvent((event) => context.emit(event));
    context.onDispose(() => {
      off();
      // An entry nobody will finish must not hold the process until its timeout.
      keypad.abort();
    });
  }

  return {
    'pinpad.presets': () => pinpad().presets(),
    'pinpad.capabilities': ({ reader }) => pinpad().capabilities(reader),
    'pinpad.build': (args) => pinpad().build(args),
    'pinpad.readTries': (args) => pinpad().readTries(args),
    'pinpad.run': (args) => pinpad().run(args),
    'pinpad.cancel': ({ reader }) => pinpad().cancel(reader),
    'pinpad.runSoftware': (args) => pinpad().runSoftware(args),
    'pinpad.profiles': ({ reader }) => profiles.list(reader),
    'pinpad.saveProfile': ({ profile }) => profiles.save(profile),
    'pinpad.deleteProfile': ({ name, reader }) => profiles.remove(name, reader),
    'pinpad.exportProfiles': ({ reader }) => profiles.export(reader),
    'pinpad.importProfiles': ({ text, mode }) => profiles.import(text, mode),
    'pinpad.keypadInput': ({ requestId, action, digits }) =>
      keypad ? keypad.input(requestId, action, digits) : { requestId, accepted: false, digitsEntered: 0 },
  };
}
