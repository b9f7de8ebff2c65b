import { describe, expect, it } from 'vitest';
import { abandonOnAbort, CallStoppedError, throwIfStopped } from '../../../../electron/backend/abortable.js';

describe('abandonOnAbort', () => {
  it('settles with the call when no signal fires', async () => {
    expect(await abandonOnAbort(Promise.resolve(7), new AbortController().signal, 'x')).toBe(7);
    await expect(abandonOnAbort(Promise.reject(new Error('card gone')), new AbortController().signal, 'x')).rejects.toThrow('card gone');
    expect(await abandonOnAbort(Promise.resolve(7), undefined, 'x')).toBe(7);
  });

  it('rejects with CallStoppedError as soon as the signal fires, while the call itself never returns', async () => {
    const controller = new AbortController();
    const never = new Promise<number>(() => undefined);
    const waiting = abandonOnAbort(never, controller.signal, 'the card to answer');
    controller.abort('SIGINT');
    const error = await waiting.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CallStoppedError);
    expect(error).toMatchObject({ what: 'the card to answer', message: 'Stopped while waiting for the card to answer.' });
  });

  it('rejects at once on a signal that already fired, and a late failure of the call is not unhandled', async () => {
    let fail: (error: Error) => void = () => undefined;
    const late = new Promise<number>((_resolve, reject) => (fail = reject));
    await expect(abandonOnAbort(late, AbortSignal.abort(), 'x')).rejects.toBeInstanceOf(CallStoppedError);
    fail(new Error('late'));
    expect(() => throwIfStopped(AbortSignal.abort(), 'y')).toThrow(CallStoppedError);
    expect(() => throwIfStopped(new AbortController().signal, 'y')).not.toThrow();
  });
});
