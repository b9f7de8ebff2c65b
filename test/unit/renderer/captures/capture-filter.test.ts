import { describe, expect, it } from 'vitest';
import { emptyFilterFields, filterFrom } from '../../../../renderer/src/workbenches/captures/capture-filter.js';

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
