/**
 * Entry of the `cardbench` command: wires runCli to the real process. Two promises a Unix tool
 * keeps live here: everything written reaches the reader of a pipe, however slow (the process
 * exits only once stdout and stderr have drained, and commands that write step by step wait for
 * the pipe), and SIGINT/SIGTERM end any command within a second with exit 130.
 */
import { once } from 'node:events';
import { untilAborted } from './command.js';
import { EXIT } from './exit-codes.js';
import { endProcess } from './process-end.js';
import { runCli } from './run-cli.js';

/** How long a command has to stop by itself after Ctrl-C before the shell ends the process. */
const STOP_GRACE_MS = 800;

let stoppedBy: NodeJS.Signals | undefined;
let commandReturned = false;

// `cardbench decode big.pcapng | head` closes our stdout early: that is the reader's choice, not a failure.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') endProcess(typeof process.exitCode === 'number' ? process.exitCode : 0, stoppedBy);
  else throw error;
});

function drained(stream: NodeJS.WriteStream): Promise<void> {
  // A write's callback runs after every earlier write has been handed to the OS.
  return new Promise((resolve) => stream.write('', () => resolve()));
}

const interruption = new AbortController();
const untilInterrupted = untilAborted(interruption.signal);

function onSignal(name: NodeJS.Signals): void {
  if (stoppedBy) {
    // A second Ctrl-C: the user means it.
    endProcess(EXIT.interrupted, name);
    return;
  }
  stoppedBy = name;
  interruption.abort(name);
  // A command normally stops and returns on its own well within this; the timer covers one stuck in a
  // call that cannot be cancelled, and a reader of our stdout that stopped reading.
  setTimeout(() => {
    if (!commandReturned) process.stderr.write(`cardbench: stopped by ${name}.\n`);
    endProcess(EXIT.interrupted, name);
  }, STOP_GRACE_MS).unref();
}
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const exitCode = await runCli(process.argv.slice(2), {
  stdout: (line) => process.stdout.write(`${line}\n`),
  write: (text) => process.stdout.write(text),
  writeBytes: (bytes) => new Promise((resolve) => process.stdout.write(bytes, () => resolve())),
  stderr: (line) => process.stderr.write(`${line}\n`),
  async drain() {
    await new Promise((resolve) => setImmediate(resolve));
    if (process.stdout.writableNeedDrain && !interruption.signal.aborted) {
      await Promise.race([once(process.stdout, 'drain'), untilInterrupted()]);
    }
  },
  signal: interruption.signal,
  untilInterrupted,
});
commandReturned = true;
// Long-running commands leave handles (servers, timers, native contexts) only until they return;
// exit once the output has drained rather than wait for them. Stopped by a signal is 130 whatever
// the command made of it, as the README promises (also for `web`, whose normal end is Ctrl-C).
process.exitCode = stoppedBy ? EXIT.interrupted : exitCode;
await Promise.all([drained(process.stdout), drained(process.stderr)]);
endProcess(stoppedBy ? EXIT.interrupted : exitCode, stoppedBy);
