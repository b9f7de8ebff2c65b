import { describe, expect, it } from 'vitest';
import { APP_ENTRY_URL, isAppUrl } from '../../../../electron/security/app-origin.js';
import { buildContentSecurityPolicy } from '../../../../electron/security/csp.js';
import { checkExternalUrl } from '../../../../electron/security/external-url.js';
import { WINDOW_OPEN_DECISION, isNavigationAllowed } from '../../../../electron/security/navigation.js';
import { containRequestPath, contentTypeFor } from '../../../../electron/security/path-containment.js';
import { PERMISSION_TABLE, isPermissionGranted } from '../../../../electron/security/permissions.js';
import { validateSender } from '../../../../electron/security/sender.js';
import { secureWebPreferences } from '../../../../electron/security/web-preferences.js';

describe('sender validation', () => {
  it('trusts only the main frame of the app origin', () => {
    expect(validateSender({ frameUrl: APP_ENTRY_URL, isMainFrame: true })).toEqual({ trusted: true });
    expect(validateSender({ frameUrl: 'app://cardbench/index.html#/console', isMainFrame: true }).trusted).toBe(true);
  });

  it.each([
    ['a subframe of the app', 'app://cardbench/index.html', false],
    ['another app host', 'app://evil/index.html', true],
    ['a web page', 'https://cardbench.example/', true],
    ['a file URL', 'file:///etc/passwd', true],
    ['devtools', 'devtools://devtools/bundled/inspector.html', true],
    ['a look-alike scheme', 'apps://cardbench/index.html', true],
    ['garbage', 'not a url', true],
  ])('refuses %s', (_what, frameUrl, isMainFrame) => {
    const verdict = validateSender({ frameUrl, isMainFrame });
    expect(verdict.trusted).toBe(false);
    if (!verdict.trusted) expect(verdict.reason.length).toBeGreaterThan(5);
  });

  it('refuses a sender whose frame is gone', () => {
    expect(validateSender({ frameUrl: null, isMainFrame: true }).trusted).toBe(false);
  });

  it('recognises app URLs by exact scheme and host', () => {
    expect(isAppUrl('app://cardbench/assets/x.js')).toBe(true);
    expect(isAppUrl('app://cardbench.evil/')).toBe(false);
    expect(isAppUrl('app://user@cardbench/')).toBe(true); // host is still ours; credentials are meaningless here
  });
});

describe('navigation', () => {
  it('allows staying on the app origin only', () => {
    expect(isNavigationAllowed('app://cardbench/index.html')).toBe(true);
    for (const url of [
      'https://example.com',
      'http://127.0.0.1:8080/',
      'file:///tmp/x.html',
      'javascript:alert(1)',
      'app://other/',
      'data:text/html,hi',
    ]) {
      expect(isNavigationAllowed(url), url).toBe(false);
    }
  });

  it('denies every new window', () => {
    expect(WINDOW_OPEN_DECISION).toEqual({ action: 'deny' });
  });
});

describe('external URLs', () => {
  it('lets plain https through, normalised', () => {
    expect(checkExternalUrl('https://github.com/LudovicRousseau/CCID')).toEqual({
      allowed: true,
      url: 'https://github.com/LudovicRousseau/CCID',
    });
  });

  it.each([
    ['http://example.com', 'https'],
    ['file:///etc/passwd', 'https'],
    ['javascript:alert(1)', 'https'],
    ['smb://server/share', 'https'],
    ['ms-settings:', 'https'],
    ['https://user:pw@example.com/', 'credentials'],
    ['not a url', 'valid URL'],
    [42, 'string'],
    [`https://example.com/${'a'.repeat(3000)}`, '2048'],
  ])('refuses %s', (candidate, why) => {
    const verdict = checkExternalUrl(candidate);
    expect(verdict.allowed).toBe(false);
    if (!verdict.allowed) expect(verdict.reason).toContain(why);
  });
});

describe('permissions', () => {
  it('grants nothing, including permissions it has never heard of', () => {
    for (const permission of Object.keys(PERMISSION_TABLE)) expect(isPermissionGranted(permission)).toBe(false);
    expect(isPermissionGranted('some-future-permission')).toBe(false);
    expect(isPermissionGranted('__proto__')).toBe(false);
  });

  it('lists the device permissions a web page could use to reach a reader', () => {
    for (const permission of ['usb', 'hid', 'serial', 'media', 'geolocation']) {
      expect(Object.hasOwn(PERMISSION_TABLE, permission)).toBe(true);
    }
  });
});

describe('content security policy', () => {
  const directives = (csp: string) => new Map(csp.split('; ').map((d) => [d.split(' ')[0]!, d.split(' ').slice(1)]));

  it('allows only our own scripts: no inline, no eval, no remote', () => {
    const csp = directives(buildContentSecurityPolicy());
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('connect-src')).toEqual(["'self'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(buildContentSecurityPolicy()).not.toMatch(/unsafe-eval|https?:|\*/);
  });

  it('adds exactly the one WebSocket origin in browser mode', () => {
    const csp = directives(buildContentSecurityPolicy({ webSocketOrigin: 'ws://127.0.0.1:4000' }));
    expect(csp.get('connect-src')).toEqual(["'self'", 'ws://127.0.0.1:4000']);
    expect(csp.get('script-src')).toEqual(["'self'"]);
  });
});

describe('path containment', () => {
  it('maps the root to index.html and keeps normal paths', () => {
    expect(containRequestPath('/')).toEqual({ ok: true, relativePath: 'index.html' });
    expect(containRequestPath('/assets/index-abc.js')).toEqual({ ok: true, relativePath: 'assets/index-abc.js' });
    expect(containRequestPath('/./assets//x.css')).toEqual({ ok: true, relativePath: 'assets/x.css' });
  });

  it.each([
    '/../etc/passwd',
    '/assets/../../secret',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/..%2fetc',
    '/a\\..\\b',
    '/x%00.js',
    '/C:/Windows/win.ini',
    '/%E0%A4%A',
  ])('refuses %s', (path) => {
    expect(containRequestPath(path).ok).toBe(false);
  });

  it('types the files the renderer build emits', () => {
    expect(contentTypeFor('index.html')).toMatch(/^text\/html/);
    expect(contentTypeFor('assets/a.JS')).toMatch(/^text\/javascript/);
    expect(contentTypeFor('assets/a.css')).toMatch(/^text\/css/);
    expect(contentTypeFor('LICENSE')).toBe('application/octet-stream');
  });
});

describe('window web preferences', () => {
  it('isolates, sandboxes and closes every door', () => {
    const prefs = secureWebPreferences('/app/out/preload/index.cjs', { development: false });
    expect(prefs).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      devTools: false,
    });
  });

  it('opens devtools only in development', () => {
    expect(secureWebPreferences('p', { development: true }).devTools).toBe(true);
  });
});
