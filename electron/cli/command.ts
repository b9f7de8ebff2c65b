/** What every command gets from the CLI shell: output streams and a way to wait for Ctrl-C. */
export interface CommandContext {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  /** Resolves on SIGINT/SIGTERM, for long-running commands (web, virtual-card…). */
  untilInterrupted: () => Promise<void>;
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
