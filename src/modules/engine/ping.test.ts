import assert from 'node:assert/strict';
import { UnreachableError } from '../../errors.js';
import { MODULE_FAILURE, pingModule } from './ping.js';
import type { RunModuleContext } from '../module.js';
import { fakeContext } from '../../../test/support/module-context.js';
import { RecordedHost } from '../../../test/support/recorded-host.js';

async function ping(host: RecordedHost, args: Record<string, unknown> = {}, over: Partial<RunModuleContext> = {}) {
  return pingModule.run(host, pingModule.args.parse(args), fakeContext(over));
}

describe('ping', () => {
  it('runs true on the host and answers pong, never changed', async () => {
    const host = new RecordedHost().on(['true'], { rc: 0 });
    assert.deepEqual(await ping(host), { changed: false, msg: 'pong', data: { ping: 'pong' } });
    assert.deepEqual(host.commands(), [['true']]);
  });

  it('answers data, runs with the task\'s become, and does so in check mode too', async () => {
    const host = new RecordedHost().on(['true'], { rc: 0 });
    const r = await ping(host, { data: 'hello' }, { check: true, become: true });
    assert.deepEqual(r, { changed: false, msg: 'hello', data: { ping: 'hello' } });
    assert.equal(host.calls[0]?.opts?.become, true);
  });

  it('lets an unreachable host be unreachable (the engine reports it)', async () => {
    const host = new RecordedHost().on(['true'], () => {
      throw new UnreachableError('h', 'connection refused');
    });
    await assert.rejects(ping(host), UnreachableError);
  });

  it('fails when the host cannot run the command (a refused sudo)', async () => {
    const host = new RecordedHost().on(['true'], { rc: 1, stderr: 'sudo: a password is required\n' });
    const r = await ping(host, {}, { become: true });
    assert.equal(r.failed, true);
    assert.equal(r.msg, 'ping: `true` failed (rc=1): sudo: a password is required');
    assert.equal(r.rc, 1);
  });

  it('crashes on data=crash after reaching the host, as Ansible\'s module raises', async () => {
    const host = new RecordedHost().on(['true'], { rc: 0 });
    const r = await ping(host, { data: 'crash' });
    assert.deepEqual(r, { changed: false, failed: true, msg: MODULE_FAILURE, rc: 1, data: { module_stdout: '', module_stderr: 'Exception: boom\n' } });
    assert.equal(host.calls.length, 1);
  });

  it('refuses unknown arguments', () => {
    const r = pingModule.args.safeParse({ date: 'x' });
    assert.equal(r.success, false);
    assert.match(JSON.stringify(r.error?.issues), /date/);
  });
});
