/** Exit codes scripts can rely on (also listed in `cardbench --help` and the README). */
export const EXIT = {
  ok: 0,
  /** The operation ran and failed (card error, file unreadable, assertion failed). */
  failure: 1,
  /** The command line was wrong. */
  usage: 2,
  /** What was asked is not available here: a backend (PC/SC, USB, Electron) or a command not built yet. */
  unavailable: 3,
  /** Stopped by Ctrl-C. */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error that ends the command with a chosen exit code and a message for stderr. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
  }
}
