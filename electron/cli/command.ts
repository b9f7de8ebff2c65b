/** What every command gets from the CLI shell: output streams and a way to wait for Ctrl-C. */
export interface CommandContext {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  /** Resolves on SIGINT/SIGTERM, for long-running commands (web, virtual-card…). */
  untilInterrupted: () => Promise<void>;
}
