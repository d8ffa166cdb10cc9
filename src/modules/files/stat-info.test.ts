import assert from 'node:assert/strict';
import { fileType, parseLsattr, parseStatLine, pyMode, pyTime, rawFromFind, statFields } from './stat-info.js';
import { osErrorText, pyJoin, pyNormpath } from './py-path.js';

describe('stat fields in Ansible shape', () => {
  it('computes a time as Python does: seconds plus nanoseconds times 1e-9', () => {
    assert.equal(pyTime('1796400356.866992762'), 1796400356 + 866992762 * 1e-9);
    assert.equal(pyTime('1700000000'), 1700000000);
    // find prints ten decimals: the tenth is below a nanosecond and dropped.
    assert.equal(pyTime('1796400366.2307147420'), 1796400366 + 230714742 * 1e-9);
    assert.throws(() => pyTime('soon'), /not a timestamp/);
  });

  it('reads a GNU stat line, with names missing as "UNKNOWN"', () => {
    const st = parseStatLine('81a4 1000 1001 12 77 65024 1 8 4096 0 1.5 2.25 3 UNKNOWN staff');
    assert.deepEqual(
      [st.mode, st.uid, st.gid, st.size, st.inode, st.dev, st.nlink, st.blocks, st.blockSize, st.rdev, st.atime, st.mtime, st.ctime, st.user, st.group],
      [0o100644, 1000, 1001, 12, 77, 65024, 1, 8, 4096, 0, 1.5, 2.25, 3, null, 'staff'],
    );
    assert.throws(() => parseStatLine('stat: cannot statx'), /unexpected stat output/);
  });

  it('gives a find entry its type bits and treats a bare number as no name', () => {
    const st = rawFromFind('l', ['777', '0', '1234', '7', '9', '2049', '1', '1.0', '2.0', '3.0', 'root', '1234']);
    assert.equal(fileType(st.mode), 'islnk');
    assert.deepEqual([st.user, st.group], ['root', null]);
  });

  it('formats the mode and the permission booleans as stat.py', () => {
    assert.equal(pyMode(0o104755), '4755');
    assert.equal(pyMode(0o100600), '0600');
    const f = statFields({ mode: 0o102750, uid: 0, gid: 0, size: 0, inode: 1, dev: 1, nlink: 1, atime: 0, mtime: 0, ctime: 0, user: null, group: null });
    assert.deepEqual(
      [f['mode'], f['isreg'], f['isdir'], f['isgid'], f['isuid'], f['rusr'], f['xgrp'], f['roth']],
      ['2750', true, false, true, false, true, true, false],
    );
  });

  it('reads lsattr -vd and names the flags; a failed lsattr gives no version', () => {
    assert.deepEqual(parseLsattr('   2 ----i---------e------- /srv/x\n'), { version: '2', attr_flags: 'ie', attributes: ['immutable', 'extents'] });
    assert.deepEqual(parseLsattr(null), { version: null, attr_flags: '', attributes: [] });
  });
});

describe('Python path texts', () => {
  it('normalises as os.path.normpath', () => {
    assert.equal(pyNormpath('/srv//a/./b/../c/'), '/srv/a/c');
    assert.equal(pyNormpath('//srv/a'), '//srv/a');
    assert.equal(pyNormpath('///srv/a'), '/srv/a');
    assert.equal(pyNormpath('/../x'), '/x');
  });

  it('joins as os.path.join', () => {
    assert.equal(pyJoin('/srv/', 'a'), '/srv/a');
    assert.equal(pyJoin('/srv', 'a'), '/srv/a');
  });

  it('words an OSError as Python prints it', () => {
    assert.equal(osErrorText('Permission denied', '/srv/x'), "[Errno 13] Permission denied: '/srv/x'");
    assert.equal(osErrorText('Stale file handle', '/srv/x'), "Stale file handle: '/srv/x'");
  });
});
