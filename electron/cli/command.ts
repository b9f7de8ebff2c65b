/** What every command gets from the CLI shell: output streams and the Ctrl-C / SIGTERM signal. */
export interface CommandContext {
  /** One line to stdout (the newline is added). */
  stdout: (line: string) => void;
  /** Text to stdout as is, for output that is not line by line (a JSON array written element by element). */
  write: (text: string) => void;
  /**
   * UTF-8 text to stdout as bytes, for output written as bytes rather than strings (decode's large
   * reports). Resolves once stdout has handed them to the system: until then they must not change
   * (then they may be reused). Where a context has none, the text goes to write() decoded.
   */
  writeBytes?: (bytes: Uint8Array) => Promise<void>;
  stderr: (line: string) => void;
  /**
   * Resolves once stdout can take more (at once when it can), after letting the event loop turn.
   * A command that writes step by step awaits it after each step: a slow reader of the pipe then
   * paces the command (memory stays flat) and a signal is seen between steps.
   */
  drain: () => Promise<void>;
  /**
   * Aborted on SIGINT/SIGTERM, with the signal's name as its reason. A command stops its work
   * (cancelling a blocked reader call), says what was not done, and returns EXIT.interrupted.
   * The shell gives it under a second before it exits with 130 anyway.
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

/** "SIGINT", "SIGTERM": what stopped the command, for the message that says so. */
export function stopCause(signal: AbortSignal): string {
  return typeof signal.reason === 'string' ? signal.reason : 'a signal';
}

/** One line of a command's --help table: an argument or option, what it does, its default. */
export interface OptionHelp {
  /** As typed, with its value: '--reader R', 'APDU...', '-'. */
  syntax: string;
  text: string;
  default?: string;
}

/** What `cardbench CMD --help` and `cardbench help CMD` print beyond the usage line. */
export interface CommandHelp {
  /** Positional arguments, in order. */
  arguments?: readonly OptionHelp[];
  /** Every option the command accepts, one line each. */
  options: readonly OptionHelp[];
  /** Whole command lines a user can copy, each with what it does after a '#'. */
  examples: readonly string[];
  /** Anything else worth a sentence (input formats, exit codes specific to the command). */
  notes?: readonly string[];
}

/** One `cardbench <name>` subcommand. Registered in commands/index.ts. */
export interface CliCommand {
  name: string;
  /** Options in brief for the usage line, e.g. '[--port N] [--no-open]'. */
  usage?: string;
  summary: string;
  help: CommandHelp;
  /** Returns the exit code; throws CliError for usage errors and known failures. */
  run(context: CommandContext, args: readonly string[]): Promise<number>;
}
