import { describe, expect, it } from 'vitest';
import { emptyFilterFields, fieldProblems, filterFrom } from '../../../../renderer/src/workbenches/captures/capture-filter.js';

describe('filterFrom', () => {
  it('reads every field the way the backend takes it', () => {
    expect(
      filterFrom({ device: '1.4', slot: '0', messageType: '128', ins: ' a8 ', swClass: 'warning', problemsOnly: true, text: ' 9000 ' }),
    ).toEqual({ device: '1.4', slot: 0, messageType: 0x80, ins: 0xa8, swClass: 'warning', problemsOnly: true, text: '9000' });
  });

  it('leaves out empty fields and values it cannot use, so they filter nothing', () => {
    expect(filterFrom(emptyFilterFields())).toEqual({});
    expect(filterFrom({ ...emptyFilterFields(), slot: 'x', ins: 'zz', text: '   ' })).toEqual({});
    expect(filterFrom({ ...emptyFilterFields(), slot: '1.5', ins: '1A2' })).toEqual({});
  });
});

describe('fieldProblems', () => {
  it('says why a typed slot or INS is not used, and nothing for usable or empty fields', () => {
    expect(fieldProblems(emptyFilterFields())).toEqual({});
    expect(fieldProblems({ ...emptyFilterFields(), slot: '1', ins: 'a4' })).toEqual({});
    expect(fieldProblems({ ...emptyFilterFields(), slot: 'x', ins: 'zz' })).toEqual({
      slot: '“x” is not a slot: type a number from 0 to 255.',
      ins: '“zz” is not an INS: type one byte in hex, e.g. A4 or CA.',
    });
    expect(fieldProblems({ ...emptyFilterFields(), slot: '256' }).slot).toBe('“256” is not a slot: type a number from 0 to 255.');
    expect(filterFrom({ ...emptyFilterFields(), slot: '256' })).toEqual({});
  });
});
