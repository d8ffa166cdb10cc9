import assert from 'node:assert/strict';
import { dateArg, strptime, timesDiffer, timeWant, touchArgvs } from './file-times.js';

describe('file times', () => {
  it('reads times as Python\'s strptime does', () => {
    assert.deepEqual(strptime('202401020304.05', '%Y%m%d%H%M.%S'), { year: 2024, month: 1, day: 2, hour: 3, minute: 4, second: 5 });
    assert.deepEqual(strptime('2 Feb 24  7:08pm', '%d %b %y %I:%M%p'), { year: 2024, month: 2, day: 2, hour: 19, minute: 8, second: 0 });
    assert.deepEqual(strptime('2024 060', '%Y %j'), { year: 2024, month: 2, day: 29, hour: 0, minute: 0, second: 0 });
    assert.deepEqual(strptime('20240102', '%Y%m%d%H'), { error: "time data '20240102' does not match format '%Y%m%d%H'" });
    assert.deepEqual(strptime('2024010203x', '%Y%m%d%H'), { error: 'unconverted data remains: x' });
    assert.deepEqual(strptime('20240230', '%Y%m%d'), { error: 'day is out of range for month' });
  });

  it('takes now for touch and preserve otherwise when nothing is given', () => {
    assert.deepEqual(timeWant(undefined, '%Y', 'touch'), { kind: 'now' });
    assert.deepEqual(timeWant(undefined, '%Y', 'file'), { kind: 'preserve' });
    assert.deepEqual(timeWant('2024', '%Y', 'file'), { kind: 'at', local: '2024-01-01 00:00:00 0 seconds' });
    assert.match((timeWant('x', '%Y', 'file') as { error: string }).error, /^Error while obtaining timestamp for time x using format %Y: time data 'x'/);
    assert.equal(dateArg({ year: 2024, month: 12, day: 31, hour: 23, minute: 59, second: 60 }), '2024-12-31 23:59:00 60 seconds');
  });

  it('says whether times change, and how touch sets them', () => {
    assert.equal(timesDiffer('now', null, { atime: '1', mtime: '2' }), true);
    assert.equal(timesDiffer(null, null, null), false);
    assert.equal(timesDiffer(5, 6, { atime: '5.000000000', mtime: '6.000000000' }), false);
    assert.equal(timesDiffer(5, 6, { atime: '5.000000001', mtime: '6.000000000' }), true);
    assert.deepEqual(touchArgvs('/p', 'now', 'now'), [['touch', '-c', '--', '/p']]);
    assert.deepEqual(touchArgvs('/p', 7, 7), [['touch', '-c', '-d', '@7', '--', '/p']]);
    assert.deepEqual(touchArgvs('/p', null, 'now'), [['touch', '-c', '-m', '--', '/p']]);
    assert.deepEqual(touchArgvs('/p', 1, 2, true), [
      ['find', '/p', '-mindepth', '1', '-exec', 'touch', '-c', '-a', '-d', '@1', '--', '{}', '+'],
      ['find', '/p', '-mindepth', '1', '-exec', 'touch', '-c', '-m', '-d', '@2', '--', '{}', '+'],
    ]);
  });
});
