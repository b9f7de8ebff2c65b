import type { z } from 'zod';

/** A request/response channel: a schema for the argument and a phantom type for the result. */
export interface ChannelSpec<Args extends z.ZodType, Result> {
  readonly args: Args;
  /** Never read at run time; carries the result type. */
  readonly result?: Result;
}

/** `channel<Result>()(argsSchema)`: the result type is given, the argument type comes from the schema. */
export function channel<Result>() {
  return <Args extends z.ZodType>(args: Args): ChannelSpec<Args, Result> => ({ args });
}
