/**
 * `npm run package`: the installers, made by electron-builder (build/electron-builder.yml).
 *
 *   tsx electron/tooling/package-app.ts [--preflight-only] [--project DIR] [electron-builder args…]
 *
 * 1. Preflight (package-preflight.ts), in seconds: what is missing and cannot be downloaded is
 *    said in a sentence and nothing else runs (exit 1). An Electron dist on disk is passed as
 *    electronDist, so electron-builder downloads nothing.
 * 2. `npm run build`, then electron-builder, which rebuilds pcsclite for Electron (npmRebuild)
 *    and unpacks it beside app.asar (asarUnpack).
 * 3. The packaged addon must register for Electron's ABI (read from the file), and
 *    node_modules' pcsclite is put back to the Node build: electron-builder's rebuild happens
 *    in node_modules itself, which would leave the CLI and browser mode with Electron's build.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { addonFitsRuntime } from '../backend/native/addon-abi.js';
import { pcscliteAddonIn } from '../backend/native/pcsclite-location.js';
import { readAddonAbiFile } from '../backend/native-module.js';
import { readElectronTarget } from './electron-target.js';
import { gatherPackagingFacts, packagingPlan } from './package-preflight.js';
import { nodeGypEnv } from './pcsclite-electron-build.js';

const { preflightOnly, project, builderArgs } = splitArguments(process.argv.slice(2));
const projectRoot = project ? resolve(project) : resolve(import.meta.dirname, '..', '..');
const say = (line: string): boolean => process.stderr.write(`${line}\n`);

let stoppedBy: NodeJS.Signals | undefined;
/** Once electron-builder may have touched node_modules, a Ctrl-C waits for it and for the restore. */
let mustRestore = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    stoppedBy = signal;
    // Before that nothing needs undoing: stop at once. After it the children, which share our terminal, get the same signal.
    if (!mustRestore) process.exit(130);
  });
}

process.exitCode = await packageApp();

async function packageApp(): Promise<number> {
  const read = readElectronTarget(projectRoot);
  if (!read.ok) {
    say(`Cannot package: ${read.reason}`);
    return 1;
  }
  const target = read.target;
  const plan = packagingPlan(await gatherPackagingFacts({ projectRoot, target, env: process.env }));
  say(`Packaging Cardbench with Electron ${target.version} for ${process.platform}-${process.arch}:`);
  for (const note of plan.notes) say(`  ${note}`);
  if (!plan.ok) {
    say('Cannot package:');
    for (const problem of plan.problems) say(`  ${problem}`);
    return 1;
  }
  if (preflightOnly) return 0;

  if ((await run('npm', ['run', 'build'], process.env)) !== 0) return stoppedBy ? 130 : 1;
  const nodeBuild = join(projectRoot, 'node_modules', 'pcsclite', 'build');
  const backup = mkdtempSync(join(tmpdir(), 'cardbench-node-pcsclite-'));
  cpSync(nodeBuild, backup, { recursive: true });
  mustRestore = true;
  try {
    const builder = createRequire(join(projectRoot, 'package.json')).resolve('electron-builder/cli.js');
    const args = [
      builder,
      '--config',
      'build/electron-builder.yml',
      ...(plan.electronDist ? [`-c.electronDist=${plan.electronDist}`] : []),
      ...builderArgs,
    ];
    // nodeGypEnv: npm's nodedir would make the rebuild inside electron-builder compile against Node's headers.
    const status = await run(process.execPath, args, nodeGypEnv(process.env));
    if (status !== 0) return stoppedBy ? 130 : 1;
    return checkPackagedAddons(join(projectRoot, 'dist'), target.abi) ? 0 : 1;
  } finally {
    rmSync(nodeBuild, { recursive: true, force: true });
    cpSync(backup, nodeBuild, { recursive: true });
    rmSync(backup, { recursive: true, force: true });
    const restored = readAddonAbiFile(pcscliteAddonIn(join(projectRoot, 'node_modules', 'pcsclite')));
    const fits = restored !== 'missing' && addonFitsRuntime(restored, Number(process.versions.modules)).verdict === 'fits';
    say(
      fits ? "node_modules' pcsclite is Node's build again." : "node_modules' pcsclite does not fit this Node: run `npm rebuild pcsclite`.",
    );
  }
}

/** Every packaged app in `distDir` must carry pcsclite unpacked and built for Electron's ABI. */
function checkPackagedAddons(distDir: string, abi: number): boolean {
  const unpackedDirs = findDirs(distDir, 'app.asar.unpacked', 6);
  if (unpackedDirs.length === 0) {
    say(`No packaged app (app.asar.unpacked) found under ${distDir}: is asarUnpack still set in build/electron-builder.yml?`);
    return false;
  }
  let good = true;
  for (const unpacked of unpackedDirs) {
    const addonPath = pcscliteAddonIn(join(unpacked, 'node_modules', 'pcsclite'));
    const addon = readAddonAbiFile(addonPath);
    const verdict = addon === 'missing' ? undefined : addonFitsRuntime(addon, abi);
    if (verdict?.verdict === 'fits') say(`  ${relative(projectRoot, addonPath)}: NODE_MODULE_VERSION ${abi}, as Electron loads.`);
    else {
      good = false;
      say(`  ${relative(projectRoot, addonPath)}: ${verdict ? verdict.why : 'missing'} — the packaged app would run without PC/SC.`);
    }
  }
  return good;
}

function findDirs(root: string, name: string, depth: number): string[] {
  if (depth < 0 || !existsSync(root)) return [];
  const found: string[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.isSymbolicLink()) continue;
    const path = join(root, entry.name);
    if (entry.name === name) found.push(path);
    else found.push(...findDirs(path, name, depth - 1));
  }
  return found;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((done) => {
    const child = spawn(command, args, {
      cwd: projectRoot,
      env,
      stdio: 'inherit',
      shell: process.platform === 'win32' && command === 'npm',
    });
    child.on('error', (error) => {
      say(`${command} could not start: ${error.message}`);
      done(1);
    });
    child.on('close', (code) => done(code ?? 1));
  });
}

/** Our two options; everything else goes to electron-builder as given (`npm run package -- --linux deb`). */
function splitArguments(args: string[]): { preflightOnly: boolean; project: string | undefined; builderArgs: string[] } {
  const builderArgs: string[] = [];
  let preflightOnly = false;
  let project: string | undefined;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === '--preflight-only') preflightOnly = true;
    else if (arg === '--project') project = args[++index];
    else builderArgs.push(arg);
  }
  return { preflightOnly, project, builderArgs };
}
