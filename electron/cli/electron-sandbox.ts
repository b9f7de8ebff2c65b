/**
 * Can Electron run with Chromium's sandbox on here? On Linux the sandbox needs either user
 * namespaces an unprivileged process may create, or the setuid-root chrome-sandbox helper beside
 * the binary; and Chromium refuses to run as root with the sandbox on. macOS and Windows always
 * have it. The answer decides whether `npm start` warns and whether the e2e tier may launch the
 * app as users get it (sandbox on) or must say why it cannot.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface SandboxFacts {
  platform: NodeJS.Platform;
  /** process.getuid(), undefined on Windows. */
  uid: number | undefined;
  /** The text of a /proc/sys entry (e.g. 'kernel/unprivileged_userns_clone'), undefined when absent. */
  sysctl: (name: string) => string | undefined;
  /** Owner and mode of chrome-sandbox beside the Electron binary, undefined when there is none. */
  chromeSandbox: { path: string; uid: number; mode: number } | undefined;
}

export type SandboxSupport = { sandbox: true; how: string } | { sandbox: false; reason: string };

export function electronSandboxSupport(facts: SandboxFacts): SandboxSupport {
  if (facts.platform !== 'linux') return { sandbox: true, how: `the ${facts.platform} sandbox` };
  if (facts.uid === 0) {
    return { sandbox: false, reason: 'Chromium refuses to run as root with its sandbox on: start the desktop app as a normal user.' };
  }
  const helper = facts.chromeSandbox;
  if (helper && helper.uid === 0 && (helper.mode & 0o4000) !== 0 && (helper.mode & 0o001) !== 0) {
    return { sandbox: true, how: 'the setuid chrome-sandbox helper' };
  }
  const closed = userNamespacesClosedBy(facts.sysctl);
  if (!closed) return { sandbox: true, how: 'unprivileged user namespaces' };
  const fix = helper
    ? `make ${helper.path} setuid root (sudo chown root:root ${helper.path} && sudo chmod 4755 ${helper.path})`
    : 'install Electron with its chrome-sandbox helper';
  return {
    sandbox: false,
    reason: `this system does not let unprivileged processes create user namespaces (${closed}): ${fix}, or allow them.`,
  };
}

/** Which setting keeps unprivileged user namespaces closed, or undefined when they are open. */
function userNamespacesClosedBy(sysctl: SandboxFacts['sysctl']): string | undefined {
  if (sysctl('user/max_user_namespaces')?.trim() === '0') return 'user.max_user_namespaces = 0';
  if (sysctl('kernel/unprivileged_userns_clone')?.trim() === '0') return 'kernel.unprivileged_userns_clone = 0';
  // Ubuntu 23.10+: allowed only for binaries an AppArmor profile names, which cannot be told from here.
  if (sysctl('kernel/apparmor_restrict_unprivileged_userns')?.trim() === '1') return 'kernel.apparmor_restrict_unprivileged_userns = 1';
  return undefined;
}

export function readSandboxFacts(electronBinary: string): SandboxFacts {
  const helperPath = join(dirname(electronBinary), 'chrome-sandbox');
  let chromeSandbox: SandboxFacts['chromeSandbox'];
  try {
    const stats = statSync(helperPath);
    chromeSandbox = { path: helperPath, uid: stats.uid, mode: stats.mode };
  } catch {
    chromeSandbox = undefined;
  }
  return {
    platform: process.platform,
    uid: process.getuid?.(),
    sysctl: (name) => {
      try {
        return readFileSync(`/proc/sys/${name}`, 'utf8');
      } catch {
        return undefined;
      }
    },
    chromeSandbox,
  };
}
