import { describe, expect, it } from 'vitest';
import { electronSandboxSupport, readSandboxFacts, type SandboxFacts } from '../../../../electron/cli/electron-sandbox.js';

function linux(overrides: Partial<SandboxFacts> = {}, sysctls: Record<string, string> = {}): SandboxFacts {
  return { platform: 'linux', uid: 1000, sysctl: (name) => sysctls[name], chromeSandbox: undefined, ...overrides };
}

const HELPER = '/opt/electron/chrome-sandbox';

describe('electronSandboxSupport', () => {
  it('is on with unprivileged user namespaces (most desktop kernels)', () => {
    expect(electronSandboxSupport(linux())).toEqual({ sandbox: true, how: 'unprivileged user namespaces' });
    expect(
      electronSandboxSupport(linux({}, { 'kernel/unprivileged_userns_clone': '1\n', 'user/max_user_namespaces': '63704\n' })),
    ).toMatchObject({
      sandbox: true,
    });
  });

  it('is on through a setuid-root chrome-sandbox where namespaces are closed', () => {
    const facts = linux(
      { chromeSandbox: { path: HELPER, uid: 0, mode: 0o104755 } },
      { 'kernel/apparmor_restrict_unprivileged_userns': '1' },
    );
    expect(electronSandboxSupport(facts)).toEqual({ sandbox: true, how: 'the setuid chrome-sandbox helper' });
  });

  it('names the setting that closes namespaces and how to make the helper setuid', () => {
    for (const [name, value, words] of [
      ['user/max_user_namespaces', '0', 'user.max_user_namespaces = 0'],
      ['kernel/unprivileged_userns_clone', '0', 'kernel.unprivileged_userns_clone = 0'],
      ['kernel/apparmor_restrict_unprivileged_userns', '1', 'kernel.apparmor_restrict_unprivileged_userns = 1'],
    ] as const) {
      const verdict = electronSandboxSupport(linux({ chromeSandbox: { path: HELPER, uid: 1000, mode: 0o100755 } }, { [name]: value }));
      expect(verdict).toEqual({
        sandbox: false,
        reason: `this system does not let unprivileged processes create user namespaces (${words}): make ${HELPER} setuid root (sudo chown root:root ${HELPER} && sudo chmod 4755 ${HELPER}), or allow them.`,
      });
    }
  });

  it('is off for root, whatever else holds (Chromium refuses)', () => {
    expect(electronSandboxSupport(linux({ uid: 0, chromeSandbox: { path: HELPER, uid: 0, mode: 0o104755 } }))).toEqual({
      sandbox: false,
      reason: 'Chromium refuses to run as root with its sandbox on: start the desktop app as a normal user.',
    });
  });

  it('is always on for macOS and Windows', () => {
    expect(electronSandboxSupport({ ...linux({ uid: 0 }), platform: 'darwin' })).toMatchObject({ sandbox: true });
    expect(electronSandboxSupport({ ...linux({ uid: undefined }), platform: 'win32' })).toMatchObject({ sandbox: true });
  });

  it('reads this machine: no helper beside a missing binary, its own uid, and root is refused', () => {
    const facts = readSandboxFacts('/nonexistent/electron');
    expect(facts.chromeSandbox).toBeUndefined();
    expect(facts.uid).toBe(process.getuid?.());
    if (process.platform === 'linux' && process.getuid?.() === 0) expect(electronSandboxSupport(facts)).toMatchObject({ sandbox: false });
  });
});
