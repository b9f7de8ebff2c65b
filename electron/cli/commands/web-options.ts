import { parseCommandOptions, parsePort } from '../parse-options.js';
import type { WebOptions } from './web.js';

/** `web` and `start` share their options: start falls back to browser mode. */
export function parseWebOptions(command: string, args: readonly string[]): Omit<WebOptions, 'whyNotElectron'> {
  const { values } = parseCommandOptions(command, args, {
    port: { type: 'string' },
    host: { type: 'string' },
    'no-open': { type: 'boolean' },
  });
  return { port: parsePort(values.port), host: values.host ?? '127.0.0.1', open: !values['no-open'] };
}
