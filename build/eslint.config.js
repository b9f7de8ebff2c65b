// Lint for the whole house. The rules that keep the layers honest are the restricted imports:
// core/ stays pure, the renderer never reaches Node or Electron, and ipcMain/ipcRenderer live in
// exactly one file each.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import { builtinModules } from 'node:module';
import ts from 'typescript-eslint';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export const CORE_FORBIDDEN_MODULES = [...nodeBuiltins, 'electron', 'pcsclite', 'usb', 'ws', 'svelte'];

const corePurity = {
  // Dynamic import() escapes no-restricted-imports, and core/ never needs to load code lazily.
  'no-restricted-syntax': ['error', { selector: 'ImportExpression', message: 'core/ is pure: no dynamic import().' }],
  'no-restricted-imports': [
    'error',
    {
      paths: CORE_FORBIDDEN_MODULES.map((name) => ({ name, message: 'core/ is pure: no Node, Electron, native modules or UI.' })),
      patterns: [
        {
          // Any depth of '../' into electron/ or renderer/, and the package import names should they ever exist ('#' escaped: patterns are gitignore lines).
          group: ['node:*', 'electron/*', 'svelte/*', '**/electron/**', '**/renderer/**', '\\#electron/**', '\\#renderer/**'],
          message: 'core/ is pure: no Node, Electron, native modules or UI.',
        },
      ],
    },
  ],
  'no-restricted-globals': [
    'error',
    ...['window', 'document', 'navigator', 'process', 'Buffer', 'require', 'global', 'localStorage', '__dirname'].map((name) => ({
      name,
      message: 'core/ is pure: platform globals are not available here.',
    })),
  ],
};

const ipcOnlyInBridges = {
  'no-restricted-imports': [
    'error',
    {
      paths: [
        {
          name: 'electron',
          importNames: ['ipcMain', 'ipcRenderer'],
          message: 'Use the contract: only electron/main/ipc-bridge.ts and the preload touch IPC.',
        },
      ],
    },
  ],
};

export default ts.config(
  { ignores: ['out/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'test/.results/**'] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'] } },
  },
  { files: ['renderer/**'], languageOptions: { globals: { ...globals.browser } } },
  {
    files: ['renderer/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'electron', 'pcsclite', 'usb', 'ws', '**/electron/**'],
              message: 'The renderer talks only to the contract Api.',
            },
          ],
        },
      ],
    },
  },
  { files: ['core/**'], rules: corePurity },
  { files: ['electron/security/**'], rules: { 'no-restricted-imports': ['error', { paths: ['electron'] }] } },
  { files: ['electron/**'], ignores: ['electron/main/ipc-bridge.ts', 'electron/preload/**'], rules: ipcOnlyInBridges },
  prettier,
  ...svelte.configs['flat/prettier'],
);
