import assert from 'node:assert/strict';
import { isNoSuchFile, tempPathFor } from './sftp-ops.js';

describe('sftp helpers', () => {
  it('puts the temp file hidden beside the target, so rename stays on one filesystem', () => {
    assert.equal(tempPathFor('/etc/sysconfig/network-scripts/ifcfg-br0', 'abc'), '/etc/sysconfig/network-scripts/.ifcfg-br0.kvmplay-abc');
    assert.equal(tempPathFor(`/tmp/a "q'x" $(id)`, 'r'), `/tmp/.a "q'x" $(id).kvmplay-r`);
  });

  it('recognises SFTP status 2 as a missing file', () => {
    assert.equal(isNoSuchFile(Object.assign(new Error('No such file'), { code: 2 })), true);
    assert.equal(isNoSuchFile(Object.assign(new Error('Permission denied'), { code: 3 })), false);
  });
});
