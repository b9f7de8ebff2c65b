/**
 * What ends a PIN entry pending in SCardControl(VERIFY_PIN_DIRECT) on pcsc-lite + libccid (GemPC
 * Pinpad serial driver): the facts behind pinpad.cancel's answer on PC/SC. The pcsclite binding does
 * not expose SCardCancel for card handles, so a small client calls libpcsclite through Python's
 * ctypes: one thread waits in SCardControl while the keypad script waits 2.5 s before typing, and
 * the main thread tries SCardCancel (same context, another context), SCardDisconnect with
 * SCARD_RESET_CARD from another context, and SCardReleaseContext. Measured here (pcscd 1.9.9,
 * libccid 1.5.2): none ends the entry; SCardCancel returns at once and changes nothing, the others
 * block until the keypad has answered. Only the reader ends it (its Cancel key: 64 01, its timeout: 64 00).
 */
import { spawn, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pcscdRigUnavailableReason, waitFor } from '../rigs/pcscd-rig.js';
import { PINPAD_PCSC_NAME, startPinpadRig, type PinpadRig } from '../rigs/pinpad-reader-rig.js';
import { runCardbench } from '../rigs/cli-process.js';

const pythonMissing = spawnSync('python3', ['-c', 'import ctypes; ctypes.CDLL("libpcsclite.so.1")']).status !== 0;
const skipReason =
  pcscdRigUnavailableReason() ?? (pythonMissing ? 'python3 with ctypes and libpcsclite.so.1 is needed to call SCardCancel' : undefined);
if (skipReason) {
  if (process.env.CI === 'true') throw new Error(`integration rig unavailable under CI: ${skipReason}`);
  console.warn(`[skip] PC/SC cancel facts: ${skipReason}`);
}

/** The keypad waits this long before typing the right PIN. */
const ENTRY_MS = 2500;
const ATTEMPTS = ['cancel-same-context', 'cancel-other-context', 'disconnect-reset-other-context', 'release-context'] as const;

const CLIENT = String.raw`
import ctypes, json, sys, threading, time
lib = ctypes.CDLL('libpcsclite.so.1')
LONG, DWORD = ctypes.c_long, ctypes.c_ulong
class IO(ctypes.Structure): _fields_ = [('proto', DWORD), ('len', DWORD)]
def context():
    c = LONG(); assert lib.SCardEstablishContext(DWORD(2), None, None, ctypes.byref(c)) == 0; return c
def connect(c):
    h, p = LONG(), DWORD()
    assert lib.SCardConnect(c, sys.argv[2].encode(), DWORD(2), DWORD(3), ctypes.byref(h), ctypes.byref(p)) == 0
    return h
def buf(b): return (ctypes.c_ubyte * len(b))(*b)
c = context(); h = connect(c)
select = bytes.fromhex('00A4040006D27600012401'); out = (ctypes.c_ubyte * 258)(); n = DWORD(258)
lib.SCardTransmit(h, ctypes.byref(IO(2, 8)), buf(select), DWORD(len(select)), None, out, ctypes.byref(n))
# PIN_VERIFY_STRUCTURE: 30 s, ASCII, no block, 6-8 digits, validation key, one message, APDU 00 20 00 81
verify = bytes.fromhex('1E0082000008060201090400000000040000000020' + '0081')
result = {}
def enter():
    t = time.time(); o = (ctypes.c_ubyte * 258)(); got = DWORD(0)
    rv = lib.SCardControl(h, DWORD(0x42330006), buf(verify), DWORD(len(verify)), o, DWORD(258), ctypes.byref(got))
    result['control'] = {'rv': rv & 0xffffffff, 'sw': bytes(o[:got.value]).hex().upper(), 'ms': round((time.time() - t) * 1000)}
worker = threading.Thread(target=enter); worker.start(); time.sleep(0.5)
attempt = sys.argv[1]; t = time.time()
if attempt == 'cancel-same-context': rv = lib.SCardCancel(c)
elif attempt == 'cancel-other-context': rv = lib.SCardCancel(context())
elif attempt == 'disconnect-reset-other-context': other = context(); rv = lib.SCardDisconnect(connect(other), DWORD(1))
else: rv = lib.SCardReleaseContext(c)
result['attempt'] = {'name': attempt, 'rv': rv & 0xffffffff, 'ms': round((time.time() - t) * 1000), 'entryStillPending': 'control' not in result}
worker.join(20)
print(json.dumps(result))
`;

interface Probe {
  control: { rv: number; sw: string; ms: number };
  attempt: { name: string; rv: number; ms: number; entryStillPending: boolean };
}

function probe(attempt: string): Promise<Probe> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['-c', CLIENT, attempt, PINPAD_PCSC_NAME]);
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('close', (code) => {
      try {
        resolve(JSON.parse(out) as Probe);
      } catch {
        reject(new Error(`the ctypes client failed (${code}): ${err}${out}`));
      }
    });
  });
}

let rig: PinpadRig;
const facts: string[] = [];

describe.skipIf(skipReason)('what ends a pending SCardControl(VERIFY_PIN_DIRECT) on pcscd + libccid', () => {
  beforeAll(async () => {
    rig = await startPinpadRig({ card: 't1', keypadScript: ATTEMPTS.flatMap(() => [`delay ${ENTRY_MS}`, '123456']) });
    await waitFor(
      async () => (await runCardbench(['readers', '--json'], { CARDBENCH_NO_VIRTUAL: '1' })).stdout.includes(PINPAD_PCSC_NAME),
      20_000,
      () => `pinpad reader not listed:\n${rig.pcscd.log().slice(-2000)}`,
    );
  }, 60_000);

  afterAll(async () => {
    console.log(`PCSC-CANCEL facts\n  ${facts.join('\n  ')}`);
    await rig?.stop();
  });

  for (const attempt of ATTEMPTS) {
    it(`${attempt}: the entry goes on until the keypad answers`, async () => {
      const { control, attempt: tried } = await probe(attempt);
      facts.push(
        `${attempt}: returned 0x${tried.rv.toString(16)} after ${tried.ms} ms; SCardControl ended after ${control.ms} ms with ${control.sw}`,
      );
      // The keypad typed the PIN at the end of its delay: the entry was never cut short.
      expect(control).toMatchObject({ rv: 0, sw: '9000' });
      expect(control.ms).toBeGreaterThanOrEqual(ENTRY_MS - 200);
      if (attempt.startsWith('cancel')) {
        // SCardCancel answers at once, with success, while the entry is still pending.
        expect(tried).toMatchObject({ rv: 0, entryStillPending: true });
        expect(tried.ms).toBeLessThan(500);
      } else {
        // The others wait in pcscd for the reader: they return only once the entry has ended.
        expect(tried.entryStillPending).toBe(false);
        expect(tried.ms).toBeGreaterThanOrEqual(ENTRY_MS - 1000);
      }
    }, 30_000);
  }
});
