import assert from 'node:assert/strict';
import { FAILED_AS_REQUESTED, failModule } from './fail.js';
import { fakeContext } from '../../../test/support/module-context.js';
import { RecordedHost } from '../../../test/support/recorded-host.js';

async function fail(args: Record<string, unknown>, check = false) {
  const host = new RecordedHost();
  const r = await failModule.run(host, failModule.args.parse(args), fakeContext({ check }));
  assert.equal(host.calls.length, 0, 'fail never contacts the host');
  return r;
}

describe('fail', () => {
  it('fails with Ansible\'s default message', async () => {
    assert.deepEqual(await fail({}), { changed: false, failed: true, msg: FAILED_AS_REQUESTED });
  });

  it('fails with msg; a map keeps its value under data.msg', async () => {
    assert.equal((await fail({ msg: 'disk too small' })).msg, 'disk too small');
    const r = await fail({ msg: { code: 3 } });
    assert.equal(r.msg, '{"code":3}');
    assert.deepEqual(r.data, { msg: { code: 3 } });
  });

  it('fails in check mode too', async () => {
    assert.deepEqual(await fail({ msg: 'stop' }, true), { changed: false, failed: true, msg: 'stop' });
  });

  it('refuses unknown arguments', () => {
    const r = failModule.args.safeParse({ message: 'x' });
    assert.equal(r.success, false);
    assert.match(JSON.stringify(r.error?.issues), /message/);
  });
});
