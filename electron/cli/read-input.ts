/**
 * Reads a text input of a command (a script, a list of APDUs) from a file or, for '-', from
 * standard input, never more than a cap: memory stays bounded whatever is piped in, and a
 * signal stops the wait for an input that does not come.
 */
import { open } from 'node:fs/promises';
import { abandonOnAbort } from '../backend/abortable.js';
import { CliError, EXIT } from './exit-codes.js';

export async function readTextInput(command: string, source: string, maxBytes: number, signal: AbortSignal): Promise<string> {
  const name = source === '-' ? 'standard input' : source;
  const tooLarge = (): CliError => new CliError(`${command}: ${name} is larger than ${maxBytes} bytes; split it.`, EXIT.failure);
  try {
    const bytes =
      source === '-'
        ? await abandonOnAbort(readStream(process.stdin, maxBytes), signal, name)
        : await abandonOnAbort(readFileCapped(source, maxBytes), signal, name);
    if (bytes === undefined) throw tooLarge();
    return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  } catch (error) {
    if (error instanceof CliError || signal.aborted) throw error;
    throw new CliError(`${command}: cannot read ${name}: ${reasonOf(error)}`, EXIT.failure);
  }
}

/** The bytes, or undefined when there are more than maxBytes. */
async function readFileCapped(path: string, maxBytes: number): Promise<Uint8Array | undefined> {
  const handle = await open(path, 'r');
  try {
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const chunk = new Uint8Array(Math.min(1 << 20, maxBytes + 1 - total));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      total += bytesRead;
      if (total > maxBytes) return undefined;
    }
    return Buffer.concat(chunks);
  } finally {
    await handle.close();
  }
}

function readStream(stream: NodeJS.ReadableStream, maxBytes: number): Promise<Uint8Array | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const finish = (value: Uint8Array | undefined): void => {
      stream.removeListener('data', onData);
      stream.removeListener('end', onEnd);
      stream.removeListener('error', onError);
      stream.pause();
      resolve(value);
    };
    const onData = (chunk: Buffer | string): void => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      total += bytes.length;
      if (total > maxBytes) return finish(undefined);
      chunks.push(bytes);
    };
    const onEnd = (): void => finish(Buffer.concat(chunks));
    const onError = (error: Error): void => {
      stream.removeListener('data', onData);
      stream.removeListener('end', onEnd);
      reject(error);
    };
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', onError);
  });
}

function reasonOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file.';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied.';
    case 'EISDIR':
      return 'it is a directory.';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
