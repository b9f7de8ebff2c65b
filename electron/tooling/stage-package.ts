/**
 * Copies an installed package and the packages it depends on (at run time and to build) into
 * another node_modules, leaving out its build output. The Electron build of pcsclite is made in
 * such a copy so node_modules' Node build stays untouched, and the copy is whole by itself
 * (binding.gyp finds `nan`, the package finds `bindings` at run time) wherever it lives.
 */
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';

/** Returns the names copied, the package first. `fromDir`: a folder whose node_modules resolution finds `name` (the project root). */
export function stagePackage(fromDir: string, name: string, intoNodeModules: string): string[] {
  const staged: string[] = [];
  const visit = (resolveFrom: string, packageName: string): void => {
    if (staged.includes(packageName)) return;
    const packageDir = packageDirOf(resolveFrom, packageName);
    if (!packageDir) throw new Error(`${packageName} is not installed (needed by ${staged[0] ?? 'the build'}): run \`npm ci\`.`);
    const target = join(intoNodeModules, packageName);
    cpSync(packageDir, target, {
      recursive: true,
      // The package's own build output stays behind: the copy is built afresh.
      filter: (source) => !isBuildOutput(relative(packageDir, source)),
    });
    staged.push(packageName);
    const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    for (const dependency of Object.keys(manifest.dependencies ?? {})) visit(packageDir, dependency);
    for (const dependency of Object.keys(manifest.optionalDependencies ?? {})) {
      if (packageDirOf(packageDir, dependency)) visit(packageDir, dependency);
    }
  };
  visit(fromDir, name);
  return staged;
}

function isBuildOutput(relativePath: string): boolean {
  const first = relativePath.split(sep)[0];
  return first === 'build';
}

function packageDirOf(resolveFrom: string, packageName: string): string | undefined {
  try {
    const manifest = createRequire(join(resolveFrom, 'package.json')).resolve(`${packageName}/package.json`);
    return existsSync(manifest) ? dirname(manifest) : undefined;
  } catch {
    return undefined;
  }
}
