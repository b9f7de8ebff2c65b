/** A decoding failure with the byte position where it happened (relative to the reader's buffer). */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  constructor(
    message: string,
    /** Absolute offset in the outermost buffer, so problems can be pointed at in the hex pane. */
    readonly offset: number,
  ) {
    super(`${message} (at byte ${offset})`);
  }
}
