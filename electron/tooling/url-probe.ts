/**
 * Can a download start at all? Asked before handing a download to a tool that has no timeout of
 * its own (node-gyp fetching Electron's headers, electron-builder fetching Electron), so an
 * offline machine gets a sentence in seconds instead of a hang.
 */

export type UrlProbe = { reachable: true; status: number } | { reachable: false; why: string };

export const PROBE_TIMEOUT_MS = 6000;

export async function probeUrl(url: string, timeoutMs = PROBE_TIMEOUT_MS, signal?: AbortSignal): Promise<UrlProbe> {
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetch(url, {
      method: 'HEAD',
      redirect: 'follow',
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    return { reachable: true, status: response.status };
  } catch (error) {
    if (timeout.aborted) return { reachable: false, why: `no answer within ${Math.round(timeoutMs / 1000)} s` };
    if (signal?.aborted) return { reachable: false, why: 'stopped' };
    return { reachable: false, why: networkWhy(error) };
  }
}

/** fetch() says "fetch failed"; the reason is in its cause's code. */
function networkWhy(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  switch (cause?.code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found (offline?)';
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
      return 'connection reset';
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'connection timed out';
    default:
      return cause?.message ?? (error instanceof Error ? error.message : String(error));
  }
}

/**
 * A proxy in the environment is honoured by node-gyp and electron-builder but not by fetch(),
 * so a probe would call a machine that is online through its proxy offline: then the probe is skipped.
 */
export function proxyConfigured(env: Readonly<Record<string, string | undefined>>): boolean {
  return ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY', 'npm_config_proxy', 'npm_config_https_proxy'].some(
    (name) => !!env[name],
  );
}
