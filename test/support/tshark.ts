/**
 * tshark (Wireshark 4.0 from Debian, installed by .ci/debian-packages.sh) as an independent reader
 * of the pcapng files Cardbench writes: whatever it decodes is what a user sees in Wireshark.
 */
import { spawnSync } from 'node:child_process';

/** Why tshark cannot run here, or undefined when it can. */
export function tsharkUnavailableReason(): string | undefined {
  const probe = spawnSync('tshark', ['--version'], { encoding: 'utf8' });
  if (probe.error) return `tshark is not installed (${probe.error.message}); .ci/debian-packages.sh installs it`;
  return probe.status === 0 ? undefined : `tshark --version exited with ${probe.status}`;
}

/** `tshark -r FILE -T fields -e …` as rows of fields (tab-separated by tshark), one per frame. */
export function tsharkFields(file: string, fields: readonly string[], filter?: string): string[][] {
  const args = ['-r', file, '-T', 'fields', ...fields.flatMap((f) => ['-e', f]), ...(filter ? ['-Y', filter] : [])];
  const run = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`tshark ${args.join(' ')} exited with ${run.status}: ${run.stderr}`);
  // A frame whose fields are all empty is an empty line: keep it, so rows stay frames.
  const lines = run.stdout.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((line) => line.split('\t'));
}

/** tshark's one-line summary of each frame (the Info column as Wireshark shows it). */
export function tsharkInfo(file: string): string[] {
  const run = spawnSync('tshark', ['-r', file, '-T', 'fields', '-e', '_ws.col.Info'], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`tshark exited with ${run.status}: ${run.stderr}`);
  return run.stdout.split('\n').filter((line) => line !== '');
}

/**
 * The INS names and status words the way tshark lists them for commands and responses:
 * '0xa4' for a command, '0x90 0x00' for a response (what `-e iso7816.apdu.ins -e
 * iso7816.apdu.sw1 -e iso7816.apdu.sw2` prints), ATR frames left out.
 */
export function tsharkApduColumns(file: string): string[] {
  return tsharkFields(file, ['iso7816.apdu.ins', 'iso7816.apdu.sw1', 'iso7816.apdu.sw2'], 'iso7816 && !iso7816.atr').map((row) =>
    row.filter((field) => field !== '').join(' '),
  );
}
