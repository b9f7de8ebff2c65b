/**
 * Where the virtual reader's pty link goes. socat replaces whatever sits at the link path and
 * deletes it on exit, so an existing entry is never taken over: a path given with a slash must
 * not exist yet, and a bare name (or none) lands in a private directory of this user's (0700,
 * owned by us, never a symlink), stable across runs so pcscd's reader.conf entry stays valid:
 * $XDG_RUNTIME_DIR/cardbench, else <tmp>/cardbench-<uid>.
 */
import { lstatSync, mkdirSync, readlinkSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

export const DEFAULT_PTY_NAME = 'pinpad';

/** The pty path cannot be used; `byUser` when a different path on the command line fixes it. */
export class PtyLocationError extends Error {
  constructor(
    message: string,
    readonly byUser = true,
  ) {
    super(message);
  }
}

/** The directory for bare names: the user's runtime directory when there is one. */
export function privatePtyDirectory(env: Record<string, string | undefined> = process.env, uid = process.getuid?.()): string {
  const runtime = env.XDG_RUNTIME_DIR;
  if (runtime && isAbsolute(runtime)) return join(runtime, 'cardbench');
  return join(tmpdir(), uid === undefined ? 'cardbench' : `cardbench-${uid}`);
}

/**
 * Creates the private directory, or checks that an existing one is really ours and private:
 * in a shared /tmp someone else may have created the name first.
 */
export function ensurePrivateDirectory(dir: string, uid = process.getuid?.()): void {
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new PtyLocationError(`cannot create the private directory ${dir}: ${(error as Error).message}`);
    }
  }
  const info = lstatSync(dir);
  const problem = !info.isDirectory()
    ? 'it is not a directory (a symbolic link or a file)'
    : uid !== undefined && info.uid !== uid
      ? `it belongs to user ${info.uid}, not to you`
      : (info.mode & 0o077) !== 0
        ? `others may use it (mode ${(info.mode & 0o777).toString(8)}, 700 expected)`
        : undefined;
  if (problem) {
    throw new PtyLocationError(`the private directory ${dir} cannot be used: ${problem}. Remove it, or give a full path to a new file.`);
  }
}

export interface PtyLocation {
  path: string;
  /** A note for the user (a stale link of an earlier run was removed). */
  note?: string;
}

/**
 * Resolves `--gempc-serial [NAME|PATH]`: nothing or a bare name goes to the private directory,
 * anything with a slash is used as given and must not exist yet.
 */
export function resolvePtyLocation(given: string | undefined, privateDir: string = privatePtyDirectory()): PtyLocation {
  if (given === undefined || given === '' || !given.includes('/')) {
    const name = given || DEFAULT_PTY_NAME;
    if (name === '.' || name === '..') throw new PtyLocationError(`'${name}' is not a name for the pty link`);
    ensurePrivateDirectory(privateDir);
    const path = join(privateDir, name);
    return removeStaleLink(path);
  }
  const path = resolve(given);
  const existing = describeExisting(path);
  if (existing) {
    throw new PtyLocationError(
      `${path} already exists (${existing}): the virtual reader only creates a new link and never replaces one. ` +
        'Remove it, give a path that does not exist yet, or leave out the path to use a private directory.',
    );
  }
  return { path };
}

/** What is at `path`, or undefined when nothing is. lstat: a link is never followed. */
export function describeExisting(path: string): string | undefined {
  let info;
  try {
    info = lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return `it cannot be inspected: ${(error as NodeJS.ErrnoException).code ?? 'error'}`;
  }
  if (info.isSymbolicLink()) return 'as a symbolic link';
  if (info.isDirectory()) return 'as a directory';
  if (info.isCharacterDevice()) return 'as a device';
  return 'as a file';
}

/**
 * In our own private directory only we create entries: a link whose pty is gone is what socat
 * leaves when it is killed, and is removed. A live one means another virtual reader runs there.
 */
function removeStaleLink(path: string): PtyLocation {
  const existing = describeExisting(path);
  if (!existing) return { path };
  if (existing === 'as a symbolic link' && !targetExists(path)) {
    const target = readlinkSync(path);
    unlinkSync(path);
    return { path, note: `removed ${path}, a stale link left by an earlier run (it pointed to ${target}, which is gone)` };
  }
  throw new PtyLocationError(
    `${path} already exists (${existing}): is another \`cardbench virtual-reader\` using it? Stop it, or pick another name with --gempc-serial NAME.`,
  );
}

function targetExists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}
