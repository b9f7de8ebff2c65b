/** HOST:PORT of a vpcd reader. vpcd listens on 35963 for "Virtual PCD 00 00" and 35964 for "… 00 01". */
export interface VpcdAddress {
  host: string;
  port: number;
}

export const DEFAULT_VPCD_ADDRESS: VpcdAddress = { host: '127.0.0.1', port: 35963 };

export type VpcdAddressResult = { ok: true; address: VpcdAddress } | { ok: false; reason: string };

/** Accepts HOST:PORT, HOST, :PORT, PORT and [IPv6]:PORT; the missing half takes the default. */
export function parseVpcdAddress(text: string): VpcdAddressResult {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: true, address: DEFAULT_VPCD_ADDRESS };
  let host: string;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(trimmed);
  if (bracketed) {
    host = bracketed[1]!;
    portText = bracketed[2];
  } else if (/^\d+$/.test(trimmed)) {
    host = DEFAULT_VPCD_ADDRESS.host;
    portText = trimmed;
  } else if ((trimmed.match(/:/g) ?? []).length === 1) {
    const colon = trimmed.indexOf(':');
    host = trimmed.slice(0, colon) || DEFAULT_VPCD_ADDRESS.host;
    portText = trimmed.slice(colon + 1);
  } else if (trimmed.includes(':')) {
    return { ok: false, reason: `'${text}': write an IPv6 address in brackets, e.g. [::1]:35963` };
  } else {
    host = trimmed;
  }
  if (portText === undefined || portText === '') return { ok: true, address: { host, port: DEFAULT_VPCD_ADDRESS.port } };
  if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
    return { ok: false, reason: `'${portText}' is not a TCP port (1–65535); vpcd uses 35963 and 35964` };
  }
  return { ok: true, address: { host, port: Number(portText) } };
}

export function formatVpcdAddress({ host, port }: VpcdAddress): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
