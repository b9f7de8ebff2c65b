/**
 * Proves core/ stays pure: the lint rules and the compiler settings that enforce it must reject
 * Node, DOM, Electron and native imports. If someone loosens either, these tests fail.
 */
import { ESLint } from 'eslint';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../shared-path.js';

const eslint = new ESLint({ cwd: REPO_ROOT, overrideConfigFile: join(REPO_ROOT, 'build/eslint.config.js') });

async function coreLintErrors(code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(REPO_ROOT, 'core/bytes/purity-probe.ts') });
  return (result?.messages ?? []).filter((m) => m.severity === 2).map((m) => m.ruleId ?? m.message);
}

describe('core/ purity (lint)', () => {
  it.each([
    ["import { readFileSync } from 'node:fs'; export const f = readFileSync;", 'no-restricted-imports'],
    ["import fs from 'fs'; export const f = fs;", 'no-restricted-imports'],
    ["import { ipcMain } from 'electron'; export const f = ipcMain;", 'no-restricted-imports'],
    ["import pcsc from 'pcsclite'; export const f = pcsc;", 'no-restricted-imports'],
    ["import { usb } from 'usb'; export const f = usb;", 'no-restricted-imports'],
    ["export const f = async () => (await import('node:crypto')).randomBytes;", 'no-restricted-syntax'],
    ['export const title = document.title;', 'no-restricted-globals'],
    ['export const env = process.env.HOME;', 'no-restricted-globals'],
    ["export const b = Buffer.from('x');", 'no-restricted-globals'],
    // Reaching the Node side by path, at any depth, or by a package import name.
    ["import { createBackend } from '../../electron/backend/backend.js'; export const f = createBackend;", 'no-restricted-imports'],
    ["import { createBackend } from '../../../../electron/backend/backend.js'; export const f = createBackend;", 'no-restricted-imports'],
    ["import App from '../../renderer/src/App.svelte'; export const f = App;", 'no-restricted-imports'],
    ["import { runCli } from '#electron/cli/run-cli.js'; export const f = runCli;", 'no-restricted-imports'],
  ])('rejects %s', async (code, rule) => {
    expect(await coreLintErrors(code)).toContain(rule);
  });

  it('accepts pure code', async () => {
    expect(await coreLintErrors("import { toHex } from '../bytes/hex.js'; export const h = toHex(new Uint8Array([1]));")).toEqual([]);
    expect(await coreLintErrors("import { toHex } from '#core/bytes/hex.js'; export const h = toHex(new Uint8Array([1]));")).toEqual([]);
  });

  it('applies the same rule to the renderer for Node and Electron', async () => {
    const [result] = await eslint.lintText("import { ipcRenderer } from 'electron'; export const x = ipcRenderer;", {
      filePath: join(REPO_ROOT, 'renderer/src/probe.ts'),
    });
    expect(result?.messages.map((m) => m.ruleId)).toContain('no-restricted-imports');
  });
});

describe('core/ purity (compiler)', () => {
  const coreConfig = JSON.parse(readFileSync(join(REPO_ROOT, 'core/tsconfig.json'), 'utf8')) as {
    compilerOptions: { lib: string[]; types: string[] };
  };

  it('declares only the ES2023 library and no ambient types', () => {
    expect(coreConfig.compilerOptions.lib).toEqual(['ES2023']);
    expect(coreConfig.compilerOptions.types).toEqual([]);
  });

  function diagnosticsFor(code: string): string[] {
    const fileName = join(REPO_ROOT, 'core/probe.ts');
    const options: ts.CompilerOptions = {
      lib: ['lib.es2023.d.ts'],
      types: [],
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
    };
    const host = ts.createCompilerHost(options);
    const original = host.getSourceFile.bind(host);
    host.getSourceFile = (name, version, ...rest) =>
      name === fileName ? ts.createSourceFile(name, code, ts.ScriptTarget.ES2022, true) : original(name, version, ...rest);
    const program = ts.createProgram([fileName], options, host);
    return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  }

  it('does not know DOM or Node globals under core settings', () => {
    expect(diagnosticsFor('export const t = document.title;').join()).toContain("Cannot find name 'document'");
    expect(diagnosticsFor('export const e = process.env;').join()).toContain("Cannot find name 'process'");
    expect(diagnosticsFor("export const b = Buffer.from('x');").join()).toContain("Cannot find name 'Buffer'");
  });

  it('compiles pure code cleanly under the same settings', () => {
    expect(diagnosticsFor('export const v = new DataView(new ArrayBuffer(2)).getUint16(0, true);')).toEqual([]);
  });
});
