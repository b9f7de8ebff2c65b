import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeExisting, privatePtyDirectory } from '../../../../../electron/backend/gempc-serial/pty-location.js';
import { checkCreatedLink, checkPtyPath } from '../../../../../electron/backend/gempc-serial/socat-pty.js';

describe('pty link checks', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cardbench-pty-check-'));

  it('picks $XDG_RUNTIME_DIR/cardbench, else a per-user folder in the temporary directory', () => {
    expect(privatePtyDirectory({ XDG_RUNTIME_DIR: '/run/user/1000' }, 1000)).toBe('/run/user/1000/cardbench');
    expect(privatePtyDirectory({ XDG_RUNTIME_DIR: 'relative/dir' }, 1000)).toBe(join(tmpdir(), 'cardbench-1000'));
    expect(privatePtyDirectory({}, 0)).toBe(join(tmpdir(), 'cardbench-0'));
  });

  it('sees a dangling link as existing (a followed link would look free)', () => {
    symlinkSync(join(dir, 'nowhere'), join(dir, 'dangling'));
    expect(describeExisting(join(dir, 'dangling'))).toBe('as a symbolic link');
    expect(checkPtyPath(join(dir, 'dangling'))).toContain('already exists (as a symbolic link)');
    expect(describeExisting(join(dir, 'free'))).toBeUndefined();
    expect(checkPtyPath(join(dir, 'free'))).toBeUndefined();
    expect(checkPtyPath(join(dir, 'a,b'))).toContain('use only');
  });

  it('accepts only a link of ours to a pseudo-terminal once socat has run', () => {
    symlinkSync('/dev/pts/3', join(dir, 'ours'));
    expect(checkCreatedLink(join(dir, 'ours'), process.getuid!())).toBeUndefined();
    expect(checkCreatedLink(join(dir, 'ours'), process.getuid!() + 1)).toContain('someone else put it there');
    symlinkSync('/etc/passwd', join(dir, 'elsewhere'));
    expect(checkCreatedLink(join(dir, 'elsewhere'), process.getuid!())).toContain('not to a pseudo-terminal');
    writeFileSync(join(dir, 'plain'), '');
    expect(checkCreatedLink(join(dir, 'plain'), process.getuid!())).toContain('is not the link socat creates');
  });
});
