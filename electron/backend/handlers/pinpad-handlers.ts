/**
 * Placeholder handlers of the Pinpad channels (core/ipc/channels/pinpad.ts) until the pinpad
 * service exists: every call answers "unavailable" with a sentence, so the contract is complete
 * and the type checker keeps demanding a real handler per channel. The pinpad backend replaces
 * this file.
 */
import type { pinpadChannels } from '../../../core/ipc/channels/pinpad.js';
import type { Handlers } from '../../../core/ipc/dispatch.js';
import { CardbenchError } from '../../../core/ipc/errors.js';

export type PinpadHandlers = Pick<Handlers, keyof typeof pinpadChannels>;

const notYet = (): never => {
  throw new CardbenchError('unavailable', 'Pinpad backend not built yet');
};

export function createPinpadHandlers(): PinpadHandlers {
  return {
    'pinpad.presets': notYet,
    'pinpad.capabilities': notYet,
    'pinpad.build': notYet,
    'pinpad.readTries': notYet,
    'pinpad.run': notYet,
    'pinpad.cancel': notYet,
    'pinpad.runSoftware': notYet,
    'pinpad.profiles': notYet,
    'pinpad.saveProfile': notYet,
    'pinpad.deleteProfile': notYet,
    'pinpad.exportProfiles': notYet,
    'pinpad.importProfiles': notYet,
    'pinpad.keypadInput': notYet,
  };
}
