/**
 * Entry of the `cardbench` command: wires runCli to the real process. Two promises a Unix tool
 * keeps live here: everything written reaches the reader of a pipe, however slow (the process
 * exits only once stdout and stderr have drained), and SIGINT/SIGTERM end any command within a
 * second with exit 130.
 */
import { untilAborted } from './command.js';
import { EXIT } from './exit-codes.js';
import { runCli } from './run-cli.js';

/** How long a command has to stop by itself after Ctrl-C before the shell ends the process. */
const STOP_GRACE_MS = 800;

// `cardbench decode big.pcapng | head` closes our stdout early: that is the reader's choice, not a failure.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

let exiting = false;
/** Exits once whatever was written has left the process (a pipe may hold only 64 KiB at a time). */
async function exitWhenDrained(code: number): Promise<never> {
  exiting = true;
  process.exitCode = code;
  await Promise.all([drained(process.stdout), drained(process.stderr)]);
  process.exit(code);
}

function drained(stream: NodeJS.WriteStream): Promise<void> {
  // A write's callback runs after every earlier write has been handed to the OS.
  return new Promise((resolve) => stream.write('', () => resolve()));
}

const interruption = new AbortController();
function onSignal(name: NodeJS.Signals): void {
  if (interruption.signal.aborted) {
    // A second Ctrl-C: the user means it.
    process.exit(EXIT.interrupted);
  }
  interruption.abort(name);
  // A command normally returns EXIT.interrupted on its own; this covers one stuck in a call that cannot be cancelled.
  setTimeout(() => {
    if (exiting) return;
    process.stderr.write(`cardbench: stopped by ${name}.\n`);
    void exitWhenDrained(EXIT.interrupted);
  }, STOP_GRACE_MS).unref();
}
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const exitCode = await runCli(process.argv.slice(2), {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  signal: interruption.signal,
  untilInterrupted: untilAborted(interruption.signal),
});
// Long-running commands leave handles (servers, timers, native contexts) only until they return;
// exit once the output has drained rather than wait for them. Stopped by a signal is 130 whatever
// the command made of it, as the README promises (also for `web`, whose normal end is Ctrl-C).
await exitWhenDrained(interruption.signal.aborted ? EXIT.interrupted : exitCode);
