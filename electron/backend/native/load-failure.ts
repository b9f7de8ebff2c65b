/**
 * A native loader's error, turned into what the user should do. The loader speaks to Node
 * developers; the status bar and the Readers workbench say which command fixes it, and keep the
 * facts as detail. What a build for another ABI makes the loader say depends on how the addon
 * registers: one registering through a static constructor gets "was compiled against a different
 * Node.js version using NODE_MODULE_VERSION 115…", one exporting node_register_module_v<N> (NAN's
 * worker-enabled modules, pcsclite among them) only "Module did not self-register".
 */

export interface ExplainedLoadFailure {
  /** One sentence saying what to do. */
  reason: string;
  /** The facts behind it, short. */
  detail: string;
}

/** pcsc-lite itself (the system library the addon links to) is missing: no rebuild helps. */
export const PCSC_LIBRARY_MISSING = 'The PC/SC library could not be loaded: install pcsc-lite (libpcsclite1) and reinstall Cardbench.';

const ABI_MISMATCH = /NODE_MODULE_VERSION (\d+)[\s\S]*?requires\s+NODE_MODULE_VERSION (\d+)/;
// dlopen's words for a dependency that is not there, on Linux, macOS and Windows.
const PCSC_LIBRARY = /libpcsclite|PCSC\.framework|winscard\.dll/i;
const LIBRARY_NOT_THERE = /cannot open shared object|Library not loaded|image not found|could not be found/i;

/** `advice`: the sentence for a build that does not fit (see pcsclite-location.ts). */
export function explainLoadFailure(message: string, advice: string): ExplainedLoadFailure {
  const mismatch = ABI_MISMATCH.exec(message);
  if (mismatch) {
    return { reason: advice, detail: `The build is for NODE_MODULE_VERSION ${mismatch[1]}; this runtime loads ${mismatch[2]}.` };
  }
  const firstLine = message.split('\n')[0]!.trim();
  if (/did not self-register/.test(message)) {
    return { reason: advice, detail: 'The addon did not register with this runtime (most likely built for another NODE_MODULE_VERSION).' };
  }
  if (PCSC_LIBRARY.test(message) && LIBRARY_NOT_THERE.test(message)) return { reason: PCSC_LIBRARY_MISSING, detail: firstLine };
  // Anything else (no build, a truncated or foreign file, a build against another pcsc-lite) is cured by building again.
  return { reason: advice, detail: firstLine };
}
