import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readAddonAbiFile } from '../../../../../electron/backend/native-module.js';
import { addonFitsRuntime, binaryFormatOf, readAddonAbi } from '../../../../../electron/backend/native/addon-abi.js';
import { REPO_ROOT } from '../../../../shared-path.js';

const PCSCLITE_NODE_BUILD = join(REPO_ROOT, 'node_modules/pcsclite/build/Release/pcsclite.node');
const USB_PREBUILDS = join(REPO_ROOT, 'node_modules/usb/prebuilds');

const ELF = [0x7f, 0x45, 0x4c, 0x46];
const MACHO_64 = [0xcf, 0xfa, 0xed, 0xfe];
const PE = [0x4d, 0x5a];

/** A header's magic, some filler, then the texts as a symbol table would hold them (NUL-separated). */
function binary(magic: number[], ...symbols: string[]): Uint8Array {
  const table = symbols.map((symbol) => `${symbol}\0`).join('');
  return Uint8Array.from([...magic, ...new Array<number>(60).fill(0), ...Buffer.from(`\0${table}`, 'latin1')]);
}

describe('readAddonAbi on real addons', () => {
  it("reads the ABI npm ci compiled node_modules' pcsclite for: this Node's", () => {
    expect(readAddonAbiFile(PCSCLITE_NODE_BUILD)).toEqual({ kind: 'node-abi', abi: Number(process.versions.modules), format: 'elf' });
    expect(process.versions.modules).toBe('115');
  });

  it.each([
    ['linux-x64/node.napi.glibc.node', 'elf'],
    ['darwin-x64+arm64/node.napi.node', 'mach-o'],
    ['win32-x64/node.napi.node', 'pe'],
  ] as const)('tells a Node-API addon (usb prebuild %s) from a NAN one, in its format', (file, format) => {
    expect(readAddonAbi(readFileSync(join(USB_PREBUILDS, file)))).toEqual({ kind: 'node-api', format });
  });

  it('refuses a file that is no native library, and says a missing one is missing', () => {
    expect(readAddonAbiFile(join(REPO_ROOT, 'package.json'))).toEqual({
      kind: 'unknown',
      reason: 'not a native library (no ELF, Mach-O or PE header)',
    });
    expect(readAddonAbiFile(join(REPO_ROOT, 'no-such.node'))).toBe('missing');
    expect(readAddonAbiFile(REPO_ROOT)).toBe('missing');
  });
});

describe('readAddonAbi on crafted bytes', () => {
  it('reads the ABI from the registration symbol in every format', () => {
    expect(readAddonAbi(binary(ELF, 'node_register_module_v150'))).toEqual({ kind: 'node-abi', abi: 150, format: 'elf' });
    expect(readAddonAbi(binary(MACHO_64, '_node_register_module_v137'))).toEqual({ kind: 'node-abi', abi: 137, format: 'mach-o' });
    expect(readAddonAbi(binary(PE, 'node_register_module_v127'))).toEqual({ kind: 'node-abi', abi: 127, format: 'pe' });
  });

  it('prefers the NAN registration when a file has both (its ABI is what binds it)', () => {
    expect(readAddonAbi(binary(ELF, 'napi_register_module_v1', 'node_register_module_v115'))).toMatchObject({ abi: 115 });
    expect(readAddonAbi(binary(ELF, 'napi_register_module_v1'))).toEqual({ kind: 'node-api', format: 'elf' });
  });

  it('says so when a file registers for two ABIs, or for none', () => {
    expect(readAddonAbi(binary(ELF, 'node_register_module_v115', 'node_register_module_v150'))).toEqual({
      kind: 'unknown',
      reason: 'registers for several ABIs (115, 150)',
    });
    expect(readAddonAbi(binary(ELF, 'node_register_module_v'))).toMatchObject({
      kind: 'unknown',
      reason: expect.stringContaining('no module registration'),
    });
    expect(readAddonAbi(binary(ELF, 'node_register_module_v1234567'))).toMatchObject({ kind: 'unknown' });
    expect(readAddonAbi(Uint8Array.from(ELF.slice(0, 3)))).toMatchObject({ kind: 'unknown' });
  });

  it('knows the magic numbers of ELF, both Mach-O byte orders, fat Mach-O and PE', () => {
    expect(binaryFormatOf(Uint8Array.from([0xfe, 0xed, 0xfa, 0xcf]))).toBe('mach-o');
    expect(binaryFormatOf(Uint8Array.from([0xca, 0xfe, 0xba, 0xbe]))).toBe('mach-o');
    expect(binaryFormatOf(Uint8Array.from([0xce, 0xfa, 0xed, 0xfe]))).toBe('mach-o');
    expect(binaryFormatOf(Uint8Array.from([0x7f, 0x45, 0x4c, 0x45]))).toBeUndefined();
  });

  it('never throws, and finds any ABI embedded among arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
        expect(['node-abi', 'node-api', 'unknown']).toContain(readAddonAbi(bytes).kind);
      }),
    );
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 512 }),
        fc.integer({ min: 1, max: 999 }),
        fc.uint8Array({ maxLength: 512 }),
        (before, abi, after) => {
          const symbol = Buffer.from(`\0node_register_module_v${abi}\0`, 'latin1');
          // Digits right after the symbol would lengthen the number: the table ends each name with NUL.
          const bytes = Uint8Array.from([
            ...ELF,
            ...before.map((b) => (b === 0x6e ? 0 : b)),
            ...symbol,
            ...after.map((b) => (b === 0x6e ? 0 : b)),
          ]);
          expect(readAddonAbi(bytes)).toEqual({ kind: 'node-abi', abi, format: 'elf' });
        },
      ),
    );
  });
});

describe('addonFitsRuntime', () => {
  it('fits the same ABI, refuses another with both numbers, always fits Node-API, leaves unknown to the loader', () => {
    expect(addonFitsRuntime({ kind: 'node-abi', abi: 150, format: 'elf' }, 150)).toEqual({ verdict: 'fits' });
    expect(addonFitsRuntime({ kind: 'node-abi', abi: 115, format: 'elf' }, 150)).toEqual({
      verdict: 'mismatch',
      why: 'built for NODE_MODULE_VERSION 115; this runtime loads 150',
    });
    expect(addonFitsRuntime({ kind: 'node-api', format: 'pe' }, 150)).toEqual({ verdict: 'fits' });
    expect(addonFitsRuntime({ kind: 'unknown', reason: 'x' }, 150)).toMatchObject({ verdict: 'unknown' });
  });
});
