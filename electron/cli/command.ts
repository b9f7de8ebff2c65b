/** What every command gets from the CLI shell: output streams and the Ctrl-C / SIGTERM signal. */
export interface CommandContext {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  /**
   * Aborted on SIGINT/SIGTERM. A command stops its work (cancelling a blocked reader call), says
   * what was not done, and returns EXIT.interrupted. The shell gives it under a second before it
   * exits with 130 anyway.
   */
  signal: AbortSignal;
  /** Resolves when `signal` aborts, for commands that serve until stopped (web, virtual-card…). */
  untilInterrupted: () => Promise<void>;
}

/** A context's untilInterrupted, derived from its signal (one source of truth for "stopped"). */
export function untilAborted(signal: AbortSignal): () => Promise<void> {
  const aborted = new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
  return () => aborted;
}

/** One `cardbench <name>` subcommand. Registered in commands/index.ts. */
export interface CliCommand {
  name: string;
  /** Options in brief for --help, e.g. '[--port N] [--no-open]'. */
  usage?: string;
  summary: string;
  /** Returns the exit code; throws CliError for usage errors and known failures. */
  run(context: CommandContext, args: readonly string[]): Promise<number>;
}
