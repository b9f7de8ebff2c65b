import { describe, expect, it } from 'vitest';
import { explainLoadFailure, PCSC_LIBRARY_MISSING } from '../../../../../electron/backend/native/load-failure.js';

const ADVICE = 'PC/SC needs pcsclite built for Electron 45: run `npm run rebuild:electron` once, online.';

describe('explainLoadFailure', () => {
  it("turns Node's NODE_MODULE_VERSION message (static-constructor addons) into the advice and both numbers", () => {
    // node_binding.cc's wording, as Node 20 and Electron 45 print it.
    const message =
      "The module '/src/node_modules/pcsclite/build/Release/pcsclite.node'\nwas compiled against a different Node.js version using\n" +
      'NODE_MODULE_VERSION 115. This version of Node.js requires\nNODE_MODULE_VERSION 150. Please try re-compiling or re-installing\n' +
      'the module (for instance, using `npm rebuild` or `npm install`).';
    expect(explainLoadFailure(message, ADVICE)).toEqual({
      reason: ADVICE,
      detail: 'The build is for NODE_MODULE_VERSION 115; this runtime loads 150.',
    });
  });

  it('turns "did not self-register" (what a wrong-ABI pcsclite really gets) into the advice', () => {
    const explained = explainLoadFailure("Module did not self-register: '/x/pcsclite.node'.", ADVICE);
    expect(explained.reason).toBe(ADVICE);
    expect(explained.detail).toContain('another NODE_MODULE_VERSION');
  });

  it('says to install pcsc-lite when the system library is what is missing, on each platform', () => {
    for (const message of [
      'libpcsclite.so.1: cannot open shared object file: No such file or directory',
      'dlopen(/x/pcsclite.node, 0x0001): Library not loaded: /System/Library/Frameworks/PCSC.framework/PCSC',
    ]) {
      expect(explainLoadFailure(message, ADVICE)).toEqual({ reason: PCSC_LIBRARY_MISSING, detail: message });
    }
  });

  it("keeps the loader's first line only as detail for anything else", () => {
    const message = 'Could not locate the bindings file. Tried:\n → /x/build/pcsclite.node\n → /x/build/Debug/pcsclite.node';
    expect(explainLoadFailure(message, ADVICE)).toEqual({ reason: ADVICE, detail: 'Could not locate the bindings file. Tried:' });
    expect(explainLoadFailure('/x/pcsclite.node: invalid ELF header', ADVICE)).toEqual({
      reason: ADVICE,
      detail: '/x/pcsclite.node: invalid ELF header',
    });
  });
});
