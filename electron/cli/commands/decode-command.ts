/**
 * `cardbench decode`'s registration: its usage, help and runner. A module of its own, which
 * loads none of the PC/SC backend, so that run-cli can start a decode without loading the other
 * commands (a decode of a large capture is timed as a whole process, start-up included).
 */
import type { CliCommand } from '../command.js';
import { DECODE_USAGE, runDecode } from './decode.js';

export const decodeCommand: CliCommand = {
  name: 'decode',
  usage: DECODE_USAGE,
  summary: 'decode a USB capture, a session recording or a pcsc-spy log to APDU exchanges (and CCID messages)',
  help: {
    arguments: [
      {
        syntax: 'FILE|-',
        text: 'a .pcapng or .pcap USB capture (Linux usbmon, Windows USBPcap, macOS), a session recording (--record, exported PDU), a pcsc-spy log, or - for standard input',
      },
    ],
    options: [
      { syntax: '--text', text: 'a transcript for people: each CCID message (or APDU packet), then the summary', default: 'text' },
      { syntax: '--json', text: 'the whole report as one JSON object (what scripts and tests read)' },
      { syntax: '--ndjson', text: 'one APDU exchange per line (JSON), written as decoded: for pipelines, memory stays flat' },
      { syntax: '--redact-pins', text: 'mask PIN data (VERIFY, CHANGE REFERENCE DATA…) to share the output', default: 'exact bytes' },
    ],
    examples: [
      'cardbench decode trace.pcapng | less',
      'cardbench decode --json --redact-pins trace.pcapng > report.json',
      'cardbench decode --ndjson big.pcapng | jq -c \'select(.sw != "9000")\'',
      'cardbench decode app.pcsc-spy   # what `cat ~/pcsc-spy > app.pcsc-spy` recorded while a client ran under libpcscspy',
    ],
    notes: [
      'Exit 1 when the file cannot be read, is not a capture, or could not be read to its end (what was decoded is still printed;',
      '  the JSON says "complete": false and "stoppedBy" why). Ctrl-C stops it (exit 130).',
      'The decoder runs in a worker: CARDBENCH_DECODE_HEAP_MB (default 2048) limits its heap (and the text --json and --text',
      '  hold until the end), CARDBENCH_DECODE_WATCHDOG_S (default 30) stops it when it makes no progress, so a crafted file',
      '  ends the decode with a sentence saying why.',
    ],
  },
  run: runDecode,
};
