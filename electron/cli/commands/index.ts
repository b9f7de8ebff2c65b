/** Every `cardbench` subcommand, in --help order. Adding a command is one entry here. */
import type { CliCommand } from '../command.js';
import { DECODE_USAGE, runDecode } from './decode.js';
import { inspectCommand } from './inspect.js';
import { readersCommand } from './readers.js';
import { runCommand } from './run.js';
import { sendCommand } from './send.js';
import { runStart } from './start.js';
import { parseVirtualReaderOptions, runVirtualReader, VIRTUAL_READER_USAGE } from './virtual-reader.js';
import { virtualCardCommand } from './virtual-card.js';
import { runWeb } from './web.js';
import { parseWebOptions } from './web-options.js';

export const COMMANDS: readonly CliCommand[] = [
  {
    name: 'start',
    usage: '[--no-open]',
    summary: "run the desktop app (browser mode when Electron's binary is missing)",
    run: (context, args) => runStart(context, parseWebOptions('start', args)),
  },
  {
    name: 'web',
    usage: '[--port N] [--no-open]',
    summary: 'serve the app to your browser on loopback, with a per-run token',
    run: (context, args) => runWeb(context, parseWebOptions('web', args)),
  },
  readersCommand,
  inspectCommand,
  sendCommand,
  runCommand,
  {
    name: 'decode',
    usage: DECODE_USAGE,
    summary: 'decode a USB capture (.pcapng/.pcap) to CCID messages and APDU exchanges',
    run: runDecode,
  },
  virtualCardCommand,
  {
    name: 'virtual-reader',
    usage: VIRTUAL_READER_USAGE,
    summary: 'serve the virtual pinpad reader over a GemPC serial pty',
    run: (context, args) => runVirtualReader(context, parseVirtualReaderOptions(args)),
  },
];
