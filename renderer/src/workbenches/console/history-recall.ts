/**
 * ArrowUp/ArrowDown in the APDU input, as in a shell: walk back through the commands sent
 * (newest first) and forward again to what was being typed, which is kept aside meanwhile. A
 * command whose PIN bytes were masked cannot be sent again and the console's own follow-ups were
 * not typed, so neither is offered; the same command twice in a row is offered once.
 */
export interface RecallEntry {
  command: string;
  automatic: boolean;
}

export class HistoryRecall {
  private commands: string[] = [];
  /** -1: the draft; otherwise an index into commands. */
  private position = -1;
  private draft = '';

  /** The history, newest first; the walk starts again from the draft. */
  setEntries(entries: readonly RecallEntry[]): void {
    const commands: string[] = [];
    for (const entry of entries) {
      if (entry.automatic || entry.command.includes('*')) continue;
      if (commands[commands.length - 1] !== entry.command) commands.push(entry.command);
    }
    this.commands = commands;
    this.position = -1;
  }

  /** The text typed since the last recall is the new draft (an edit ends the walk). */
  edited(): void {
    this.position = -1;
  }

  /** The next older command, or undefined at the oldest (the input stays as it is). */
  older(current: string): string | undefined {
    if (this.position + 1 >= this.commands.length) return undefined;
    if (this.position === -1) this.draft = current;
    this.position++;
    return this.commands[this.position];
  }

  /** The next newer command, the draft after the newest, undefined when already at the draft. */
  newer(): string | undefined {
    if (this.position === -1) return undefined;
    this.position--;
    return this.position === -1 ? this.draft : this.commands[this.position];
  }
}

/** Whether the caret is on the first line of the text (ArrowUp would leave the field's top). */
export function caretOnFirstLine(text: string, selectionStart: number): boolean {
  return !text.slice(0, selectionStart).includes('\n');
}

/** Whether the caret is on the last line of the text (ArrowDown would leave the field's bottom). */
export function caretOnLastLine(text: string, selectionEnd: number): boolean {
  return !text.slice(selectionEnd).includes('\n');
}
