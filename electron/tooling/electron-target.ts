/**
 * The Electron a checkout builds for, read from the installed `electron` package (its version
 * and the NODE_MODULE_VERSION it records in abi_version), never by loading the package (its
 * index.js tries to download a binary when none is installed).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ElectronTarget {
  version: string;
  /** NODE_MODULE_VERSION of this Electron (node_modules/electron/abi_version). */
  abi: number;
}

export type ElectronTargetRead = { ok: true; target: ElectronTarget } | { ok: false; reason: string };

export function readElectronTarget(projectRoot: string): ElectronTargetRead {
  const packageDir = join(projectRoot, 'node_modules', 'electron');
  const version = readJsonField(join(packageDir, 'package.json'), 'version');
  if (typeof version !== 'string') return { ok: false, reason: `the electron package is not installed in ${packageDir} (run \`npm ci\`).` };
  const abiText = readText(join(packageDir, 'abi_version'))?.trim();
  const abi = abiText && /^\d+$/.test(abiText) ? Number(abiText) : undefined;
  if (abi === undefined)
    return { ok: false, reason: `${join(packageDir, 'abi_version')} is missing or unreadable (reinstall with \`npm ci\`).` };
  return { ok: true, target: { version, abi } };
}

/** The version of an installed package, or undefined. */
export function installedVersion(projectRoot: string, name: string): string | undefined {
  const version = readJsonField(join(projectRoot, 'node_modules', name, 'package.json'), 'version');
  return typeof version === 'string' ? version : undefined;
}

function readJsonField(path: string, field: string): unknown {
  const text = readText(path);
  if (text === undefined) return undefined;
  try {
    return (JSON.parse(text) as Record<string, unknown>)[field];
  } catch {
    return undefined;
  }
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
