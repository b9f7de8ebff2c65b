/** Entry of the `cardbench` command: wires runCli to the real process. */
import { runCli } from './run-cli.js';

// `cardbench decode big.pcapng | head` closes our stdout early: that is the reader's choice, not a failure.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const interrupted = new Promise<void>((resolve) => {
  process.once('SIGINT', () => resolve());
  process.once('SIGTERM', () => resolve());
});

const exitCode = await runCli(process.argv.slice(2), {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  untilInterrupted: () => interrupted,
});
process.exitCode = exitCode;
// Long-running commands leave handles (servers, timers) only until they return; exit promptly.
process.exit(exitCode);
