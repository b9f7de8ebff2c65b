/**
 * A JSON array written one element at a time, as `JSON.stringify(array, null, 2)` would lay it
 * out: commands that stream (run, send, readers) print each element as it completes and close the
 * array when they end, also when stopped, so stdout stays valid JSON of what was done.
 */
export class JsonArrayWriter {
  private count = 0;
  private closed = false;

  constructor(private readonly write: (text: string) => void) {}

  push(value: unknown): void {
    const body = JSON.stringify(value, null, 2).replaceAll('\n', '\n  ');
    this.write(`${this.count === 0 ? '[\n' : ',\n'}  ${body}`);
    this.count++;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.write(this.count === 0 ? '[]\n' : '\n]\n');
  }
}
