/**
 * Which Node ABI a native addon (.node file) was compiled for, read from the file itself, so a
 * build for the wrong runtime is named before the loader is asked (whose message is for Node
 * developers, not for someone who wants to see a reader).
 *
 * A NAN/node-gyp addon registers itself through an exported function whose name carries the
 * ABI it was compiled against: `node_register_module_v<NODE_MODULE_VERSION>` (Node 20: 115,
 * Electron 45: 150). A Node-API addon exports `napi_register_module_v1`, or (built the older way,
 * as usb's prebuilds are) imports `napi_module_register` from the runtime; it loads in any
 * runtime. The names sit as plain text in the file's symbol table in every format Node loads
 * (ELF .dynstr, Mach-O's string table and export trie, PE's export name table), so one scan of
 * the bytes reads them on every platform without a parser per format.
 */

export type BinaryFormat = 'elf' | 'mach-o' | 'pe';

export type AddonAbi =
  /** NODE_MODULE_VERSION the addon was compiled for; it loads only where process.versions.modules equals it. */
  | { kind: 'node-abi'; abi: number; format: BinaryFormat }
  /** Node-API: ABI-stable, loads in Node and Electron alike. */
  | { kind: 'node-api'; format: BinaryFormat }
  | { kind: 'unknown'; reason: string };

/** No addon is this large; a file beyond it is refused unread instead of being held in memory. */
export const ADDON_SIZE_LIMIT = 256 * 1024 * 1024;

const NODE_REGISTER = /node_register_module_v(\d{1,6})(?!\d)/g;
const NAPI_REGISTRATIONS = ['napi_register_module_v1', 'napi_module_register'];

export function binaryFormatOf(bytes: Uint8Array): BinaryFormat | undefined {
  if (bytes.length < 4) return undefined;
  const [b0, b1, b2, b3] = [bytes[0]!, bytes[1]!, bytes[2]!, bytes[3]!];
  if (b0 === 0x7f && b1 === 0x45 && b2 === 0x4c && b3 === 0x46) return 'elf';
  if (b0 === 0x4d && b1 === 0x5a) return 'pe';
  const magic = ((b0 << 24) | (b1 << 16) | (b2 << 8) | b3) >>> 0;
  // 32/64-bit in either byte order, and the universal ("fat") container of several.
  if ([0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe, 0xcafebabe].includes(magic)) return 'mach-o';
  return undefined;
}

export function readAddonAbi(bytes: Uint8Array): AddonAbi {
  const format = binaryFormatOf(bytes);
  if (!format) return { kind: 'unknown', reason: 'not a native library (no ELF, Mach-O or PE header)' };
  if (bytes.length > ADDON_SIZE_LIMIT) return { kind: 'unknown', reason: `larger than ${ADDON_SIZE_LIMIT} bytes` };
  // latin1 maps every byte to one UTF-16 unit, so offsets and ASCII names survive unchanged.
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const abis = new Set<number>();
  for (const match of text.matchAll(NODE_REGISTER)) abis.add(Number(match[1]));
  if (abis.size === 1) return { kind: 'node-abi', abi: [...abis][0]!, format };
  if (abis.size > 1) {
    // A universal Mach-O may hold slices for one ABI only; two ABIs in one file cannot be loaded reliably anywhere.
    return { kind: 'unknown', reason: `registers for several ABIs (${[...abis].sort((a, b) => a - b).join(', ')})` };
  }
  if (NAPI_REGISTRATIONS.some((name) => text.includes(name))) return { kind: 'node-api', format };
  return {
    kind: 'unknown',
    reason: 'no module registration symbol found (node_register_module_v<N>, napi_register_module_v1 or napi_module_register)',
  };
}

export type AbiVerdict = { verdict: 'fits' } | { verdict: 'mismatch'; why: string } | { verdict: 'unknown'; why: string };

/**
 * Does an addon of this ABI load in a runtime whose process.versions.modules is `runtimeAbi`?
 * 'unknown' (an addon registered the old way, through a static constructor, names no ABI) is
 * left to the loader and to the stamp recorded beside our own builds.
 */
export function addonFitsRuntime(addon: AddonAbi, runtimeAbi: number): AbiVerdict {
  if (addon.kind === 'node-api') return { verdict: 'fits' };
  if (addon.kind === 'unknown') return { verdict: 'unknown', why: `its ABI cannot be read: ${addon.reason}` };
  return addon.abi === runtimeAbi
    ? { verdict: 'fits' }
    : { verdict: 'mismatch', why: `built for NODE_MODULE_VERSION ${addon.abi}; this runtime loads ${runtimeAbi}` };
}
