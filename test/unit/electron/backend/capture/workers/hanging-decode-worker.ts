/** Stands in for a decoder caught in a loop by a crafted file: takes the first chunk and never answers. */
import { parentPort } from 'node:worker_threads';

parentPort!.on('message', () => {
  for (;;) {
    // Spins until the host's watchdog terminates the thread.
  }
});
