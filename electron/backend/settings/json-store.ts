/**
 * One small JSON document on disk (settings, console history, snippets). Writes are atomic
 * (temporary file, fsync, rename) so a crash never leaves half a file; a file that does not
 * parse is moved aside as `<name>.corrupt-<time>` and the store starts fresh, with a message
 * saying so — a broken settings file must never stop the app.
 */
import { mkdirSync, openSync, readFileSync, renameSync, writeSync, fsyncSync, closeSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface JsonStoreLoad<T> {
  value: T;
  /** Set when the file was unreadable and has been set aside. */
  problem?: string;
}

export class JsonStore<T extends object> {
  private current: T;
  /** What went wrong when loading, if anything (shown once to the user). */
  readonly loadProblem: string | undefined;

  constructor(
    readonly path: string,
    private readonly fallback: () => T,
    private readonly validate: (raw: unknown) => T,
  ) {
    const loaded = this.load();
    this.current = loaded.value;
    this.loadProblem = loaded.problem;
  }

  get value(): T {
    return this.current;
  }

  /** Replaces the document and writes it to disk atomically. */
  write(next: T): void {
    this.current = next;
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const temporary = join(dirname(this.path), `.${basename(this.path)}.${process.pid}.tmp`);
    const fd = openSync(temporary, 'w', 0o600);
    try {
      writeSync(fd, `${JSON.stringify(next, null, 2)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      renameSync(temporary, this.path);
    } catch (error) {
      rmSync(temporary, { force: true });
      throw error;
    }
  }

  update(change: (value: T) => T): T {
    this.write(change(this.current));
    return this.current;
  }

  private load(): JsonStoreLoad<T> {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { value: this.fallback() };
      return { value: this.fallback(), problem: `Could not read ${this.path} (${(error as Error).message}); starting with defaults.` };
    }
    try {
      return { value: this.validate(JSON.parse(text) as unknown) };
    } catch (error) {
      const aside = `${this.path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      try {
        renameSync(this.path, aside);
      } catch {
        // Cannot move it: the next write replaces it, which is still better than refusing to start.
      }
      return {
        value: this.fallback(),
        problem: `${this.path} was not valid (${(error as Error).message}); it was saved as ${aside} and a fresh one started.`,
      };
    }
  }
}
