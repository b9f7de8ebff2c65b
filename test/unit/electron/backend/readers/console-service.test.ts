import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConsoleService } from '../../../../../electron/backend/readers/console-service.js';
import { ReaderHub } from '../../../../../electron/backend/readers/reader-hub.js';
import { openConsoleStore } from '../../../../../electron/backend/settings/console-store.js';
import { FakeReaderBackend } from './fake-reader-backend.js';

const PIN = '313233343536';

describe('ConsoleService', () => {
  let dir: string;
  let backend: FakeReaderBackend;
  let service: ConsoleService;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cardbench-console-'));
    backend = new FakeReaderBackend('pcsc');
    backend.list = [{ name: 'R', cardPresent: true, atr: '3B00' }];
    backend.answers.set(`0020008106${PIN}`, '9000');
    backend.answers.set('00A4040006D27600012401', '6112');
    backend.answers.set('00C0000012', `${'AB'.repeat(0x12)}9000`);
    service = new ConsoleService(new ReaderHub([backend]), openConsoleStore(dir));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('no PIN byte reaches the history file (read back from disk) and history survives a restart', async () => {
    const outcome = await service.transmit({ reader: 'R', apdu: `00 20 00 81 06 ${PIN}` });
    expect(outcome.exchanges[0]!.command).toBe('0020008106************');
    expect(backend.sent).toEqual([`R:0020008106${PIN}`]);
    const file = readFileSync(join(dir, 'console.json'), 'utf8');
    expect(file).toContain('0020008106************');
    expect(file).not.toContain(PIN);
    const restarted = new ConsoleService(new ReaderHub([backend]), openConsoleStore(dir));
    expect(restarted.history()[0]).toMatchObject({ command: '0020008106************', sw: '9000', reader: 'R' });
  });

  it('follow-ups are opt-in, and each one is kept in history marked automatic', async () => {
    expect((await service.transmit({ reader: 'R', apdu: '00A4040006D27600012401' })).exchanges).toHaveLength(1);
    const followed = await service.transmit({ reader: 'R', apdu: '00A4040006D27600012401', followUps: true });
    expect(followed.exchanges.map((e) => [e.command, e.automatic])).toEqual([
      ['00A4040006D27600012401', false],
      ['00C0000012', true],
    ]);
    expect(service.history().map((e) => e.automatic)).toEqual([true, false, false]);
  });

  it('snippets are saved masked, listed by name, deleted', () => {
    service.saveSnippet({ name: 'verify', apdu: `0020008106${PIN}` });
    service.saveSnippet({ name: 'atr', apdu: '00 A4 04 00' });
    expect(service.snippets()).toEqual([
      { name: 'atr', apdu: '00A40400' },
      { name: 'verify', apdu: '0020008106************' },
    ]);
    expect(readFileSync(join(dir, 'console.json'), 'utf8')).not.toContain(PIN);
    expect(service.deleteSnippet('atr').map((s) => s.name)).toEqual(['verify']);
  });

  it('runs a script: reset reconnects with a reset, a failed assertion is reported, a removed card stops the run', async () => {
    backend.answers.set('00B0000000', 'REMOVED');
    const result = await service.runScript({
      reader: 'R',
      script: 'reset\n00A4040006D27600012401 => 61XX\n00A4040006D27600012401 => 9000\n00B0000000\n00CA006E00\n',
    });
    expect(backend.disconnects).toEqual([{ reader: 'R', disposition: 'reset' }]);
    expect(result.steps.map((s) => s.outcome)).toEqual(['reset', 'passed', 'failed', 'error']);
    expect(result.steps[3]!.message).toMatch(/SCARD_W_REMOVED_CARD/);
    expect(result.counts).toEqual({ passed: 1, failed: 1, sent: 0, errors: 1 });
    expect(result.ok).toBe(false);
  });

  it('a script with a syntax problem sends nothing', async () => {
    const result = await service.runScript({ reader: 'R', script: '00A4\n00A40400' });
    expect(result.problems).toHaveLength(1);
    expect(backend.sent).toEqual([]);
  });

  it('rejects input that is not an APDU with a sentence', async () => {
    await expect(service.transmit({ reader: 'R', apdu: '00A' })).rejects.toMatchObject({ code: 'invalid-arguments' });
  });

  it('a script continues from the application the Console selected on that card, and reads the answers as the Console does', async () => {
    backend.answers.set('00A4040006D27600012401', '9000');
    backend.answers.set('00CA006E00', '6E0A73087306C404012020209000');
    await service.transmit({ reader: 'R', apdu: '00A4040006D27600012401' });
    const ran = await service.runScript({ reader: 'R', script: '00CA006E00 => 9000' });
    const typed = await service.transmit({ reader: 'R', apdu: '00CA006E00' });
    const c4 = (json: unknown) => /"label":"(C4 [^"(]*)/.exec(JSON.stringify(json))?.[1]?.trim();
    expect(c4(ran.steps[0]!.exchanges[0]!.tlv)).toBe('C4 PW status bytes');
    expect(c4(typed.exchanges[0]!.tlv)).toBe('C4 PW status bytes');
  });

  it('61xx with data is followed up and the whole answer comes back with the exchanges', async () => {
    backend.answers.set('00CA006E05', '6E0A730873066106');
    backend.answers.set('00C0000006', 'C404012020209000');
    const outcome = await service.transmit({ reader: 'R', apdu: '00CA006E05', followUps: true });
    expect(outcome.exchanges.map((e) => e.sw)).toEqual(['6106', '9000']);
    expect(outcome.whole).toMatchObject({ data: '6E0A73087306C40401202020', sw: '9000', assembledFrom: 2 });
  });
});
