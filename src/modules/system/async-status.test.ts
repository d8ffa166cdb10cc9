import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalHost } from '../../transport/local/local-host.js';
import { withRunDefaults } from '../../transport/task-host.js';
import { allModules, findModule } from '../registry.js';
import type { RunModuleContext } from '../module.js';
import { fakeContext } from '../../../test/support/module-context.js';
import { RecordedHost } from '../../../test/support/recorded-host.js';
import { ASYNC_DIR } from './async-job.js';
import { AsyncStatusArgs, asyncStatusModule, statusResult } from './async-status.js';

describe('async_status', () => {
  before(async () => {
    await allModules();
  });

  const status = (raw: Record<string, unknown>) => AsyncStatusArgs.parse(raw);

  it('takes jid (required) and mode status or cleanup, under its Ansible names', () => {
    assert.deepEqual(status({ jid: 'j1.2' }), { jid: 'j1.2', mode: 'status' });
    assert.deepEqual(status({ jid: 12, mode: 'cleanup' }), { jid: '12', mode: 'cleanup' });
    assert.equal(AsyncStatusArgs.safeParse({}).success, false);
    assert.equal(AsyncStatusArgs.safeParse({ jid: 'j1.2', mode: 'kill' }).success, false);
    for (const jid of ['../x', '/root/.ansible_async/j1.2', '..', '']) assert.equal(AsyncStatusArgs.safeParse({ jid }).success, false, jid);
    assert.equal(findModule('ansible.builtin.async_status'), asyncStatusModule);
  });

  it('cleanup: erased, or could not find job', () => {
    const a = status({ jid: 'j1.2', mode: 'cleanup' });
    assert.deepEqual(statusResult(a, { path: '/h/j1.2', text: '' }), {
      changed: false, msg: '', stdout: '', stderr: '', data: { ansible_job_id: 'j1.2', started: 0, finished: 0, erased: '/h/j1.2' },
    });
    assert.deepEqual(statusResult(a, { path: '/h/j1.2', text: null }), {
      changed: false, failed: true, msg: 'could not find job', data: { ansible_job_id: 'j1.2', started: 1, finished: 1 },
    });
  });

  it('fails with the reason when the job folder cannot be read', async () => {
    const host = new RecordedHost().on(() => true, { rc: 1, stdout: '', stderr: 'sudo: a password is required' });
    const r = await asyncStatusModule.run(host, status({ jid: 'j1.2' }), fakeContext({ become: true }));
    assert.deepEqual([r.failed, r.msg], [true, 'async_status: cannot read job j1.2: sudo: a password is required']);
    assert.equal(host.calls[0]?.opts?.become, true, 'read with the task\'s become');
  });

  describe('on the control machine', () => {
    let home = '';
    let host: ReturnType<typeof withRunDefaults>;
    const run = (raw: Record<string, unknown>, ctx: Partial<RunModuleContext> = {}) => asyncStatusModule.run(host, status(raw), fakeContext(ctx));
    beforeEach(() => {
      home = mkdtempSync(join(tmpdir(), 'kvmplay-async-status-'));
      mkdirSync(join(home, ASYNC_DIR));
      host = withRunDefaults(new LocalHost(), { env: { HOME: home } });
    });
    afterEach(() => rmSync(home, { recursive: true, force: true }));

    it('reports a running job, then its result, the same in check mode, and cleans up', async () => {
      const file = join(home, ASYNC_DIR, 'j5.6');
      writeFileSync(file, '{"started": 1, "finished": 0, "ansible_job_id": "j5.6"}');
      const running = await run({ jid: 'j5.6' });
      assert.deepEqual([running.changed, running.failed, running.data?.['finished'], running.data?.['started'], running.data?.['results_file']], [false, undefined, 0, 1, file]);
      writeFileSync(file, JSON.stringify({ cmd: 'echo done', changed: true, msg: '', rc: 0, stdout: 'done', stderr: '', finished: 1, ansible_job_id: 'j5.6' }));
      for (const check of [false, true]) {
        const done = await run({ jid: 'j5.6' }, { check });
        assert.deepEqual([done.changed, done.failed, done.rc, done.stdout, done.data?.['finished'], done.data?.['stdout_lines']], [true, undefined, 0, 'done', 1, ['done']]);
      }
      const cleaned = await run({ jid: 'j5.6', mode: 'cleanup' });
      assert.deepEqual([cleaned.changed, cleaned.failed, cleaned.data?.['erased']], [false, undefined, file]);
      assert.equal(existsSync(file), false);
      const gone = await run({ jid: 'j5.6' });
      assert.deepEqual([gone.failed, gone.msg], [true, 'could not find job']);
    });
  });
});
