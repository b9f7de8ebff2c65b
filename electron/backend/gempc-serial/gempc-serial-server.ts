/**
 * The virtual reader on a pty: socat's pty on one side, the GemPC serial link on the other.
 */
import { GemPcSerialLink, type CcidDevice } from './gempc-serial-link.js';
import { openSocatPty, type SocatPty } from './socat-pty.js';

export interface GemPcSerialServer {
  ptyPath: string;
  socatPid: number;
  link: GemPcSerialLink;
  /** Resolves if socat dies on its own (the reader is gone for pcscd then). */
  readonly socatExited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  close(): Promise<void>;
}

export async function startGemPcSerialServer(options: {
  ptyPath: string;
  device: CcidDevice;
  log?: (line: string) => void;
  busyIntervalMs?: number;
}): Promise<GemPcSerialServer> {
  const pty: SocatPty = await openSocatPty(options.ptyPath);
  const link = new GemPcSerialLink({
    device: options.device,
    write: (bytes) => pty.write(bytes),
    ...(options.log ? { log: options.log } : {}),
    ...(options.busyIntervalMs ? { busyIntervalMs: options.busyIntervalMs } : {}),
  });
  pty.onData((chunk) => link.receive(chunk));
  return {
    ptyPath: pty.path,
    socatPid: pty.pid,
    link,
    socatExited: pty.exited,
    close: async () => {
      // Let an answer in flight reach pcscd, but do not wait for a person at the keypad.
      await Promise.race([link.settled(), new Promise((resolve) => setTimeout(resolve, 500))]);
      link.close();
      await pty.close();
    },
  };
}

/** The reader.conf entry pcscd needs for this pty (GemPCPinPad selects libccid's PIN support). */
export function gemPcReaderConf(ptyPath: string, friendlyName = 'Cardbench Virtual Pinpad'): string {
  return [
    `FRIENDLYNAME "${friendlyName}"`,
    `DEVICENAME   ${ptyPath}:GemPCPinPad`,
    'LIBPATH      /usr/lib/pcsc/drivers/serial/libccidtwin.so',
  ].join('\n');
}
