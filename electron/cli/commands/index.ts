/** Every `cardbench` subcommand, in --help order. Adding a command is one entry here. */
import type { CliCommand } from '../command.js';
import { decodeCommand } from './decode-command.js';
import { diffCommand } from './diff.js';
import { inspectCommand } from './inspect.js';
import { pinCommand } from './pin.js';
import { readersCommand } from './readers.js';
import { replayCommand } from './replay.js';
import { runCommand } from './run.js';
import { sendCommand } from './send.js';
import { runStart } from './start.js';
import { parseVirtualReaderOptions, runVirtualReader, VIRTUAL_READER_HELP, VIRTUAL_READER_USAGE } from './virtual-reader.js';
import { virtualCardCommand } from './virtual-card.js';
import { runWeb } from './web.js';
import { parseWebOptions } from './web-options.js';

const NO_OPEN = { syntax: '--no-open', text: 'do not open a browser; only print the URL' };

export const COMMANDS: readonly CliCommand[] = [
  {
    name: 'start',
    usage: '[--port N] [--no-open]',
    summary: "run the desktop app (browser mode when Electron's binary is missing)",
    help: {
      options: [
        { ...NO_OPEN, text: 'in browser mode, do not open a browser; only print the URL' },
        { syntax: '--port N', text: 'in browser mode, the port on 127.0.0.1 (0: any free port)', default: '0' },
        { syntax: '--host H', text: 'in browser mode, the loopback address to listen on', default: '127.0.0.1' },
      ],
      examples: ['cardbench start   # the desktop window, or browser mode with a reason'],
      notes: ['Ctrl-C stops it (exit 130).'],
    },
    run: (context, args) => runStart(context, parseWebOptions('start', args)),
  },
  {
    name: 'web',
    usage: '[--port N] [--no-open]',
    summary: 'serve the app to your browser on loopback, with a per-run token',
    help: {
      options: [
        { syntax: '--port N', text: 'the port on 127.0.0.1 (0: any free port)', default: '0' },
        { syntax: '--host H', text: 'the loopback address to listen on; anything but loopback is refused', default: '127.0.0.1' },
        NO_OPEN,
      ],
      examples: ['cardbench web   # prints the URL on a line of its own and opens your browser', 'cardbench web --port 8080 --no-open'],
      notes: ['It serves until Ctrl-C (exit 130).'],
    },
    run: (context, args) => runWeb(context, parseWebOptions('web', args)),
  },
  readersCommand,
  inspectCommand,
  sendCommand,
  runCommand,
  pinCommand,
  decodeCommand,
  diffCommand,
  replayCommand,
  virtualCardCommand,
  {
    name: 'virtual-reader',
    usage: VIRTUAL_READER_USAGE,
    summary: 'serve the virtual pinpad reader over a GemPC serial pty',
    help: VIRTUAL_READER_HELP,
    run: (context, args) => runVirtualReader(context, parseVirtualReaderOptions(args)),
  },
];
