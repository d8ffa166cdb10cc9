import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunModuleContext } from '../modules/module.js';
import { loadModule } from '../modules/registry.js';
import { ASYNC_DIR } from '../modules/system/async-job.js';
import { LocalHost } from '../transport/local/local-host.js';
import { withRunDefaults } from '../transport/task-host.js';
import { fakeContext } from '../../test/support/module-context.js';
import { asyncTimedOut, backgroundSpec, runsInBackground, runTaskModule, taskDeadline, withJobKeys } from './async-task.js';
import type { Registered } from './result.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('async and poll for one module call', () => {
  it('makes a polled async the deadline when it is sooner than timeout', () => {
    const cases: Array<[{ async: number | undefined; poll: number }, number | undefined, { seconds: number | undefined; byAsync: boolean }]> = [
      [{ async: undefined, poll: 10 }, undefined, { seconds: undefined, byAsync: false }],
      [{ async: undefined, poll: 10 }, 30, { seconds: 30, byAsync: false }],
      [{ async: 5, poll: 10 }, undefined, { seconds: 5, byAsync: true }],
      [{ async: 5, poll: 1 }, 30, { seconds: 5, byAsync: true }],
      [{ async: 5, poll: 1 }, 5, { seconds: 5, byAsync: true }],
      [{ async: 60, poll: 1 }, 30, { seconds: 30, byAsync: false }],
      // async 0 is no async (Ansible's async_val > 0); poll 0 is the background, whose deadline is timeout's.
      [{ async: 0, poll: 10 }, 30, { seconds: 30, byAsync: false }],
      [{ async: 5, poll: 0 }, 30, { seconds: 30, byAsync: false }],
    ];
    for (const [task, timeoutS, want] of cases) assert.deepEqual(taskDeadline(task, timeoutS), want, JSON.stringify([task, timeoutS]));
    assert.equal(runsInBackground({ async: 5, poll: 0 }), true);
    assert.equal(runsInBackground({ async: 0, poll: 0 }), false);
    assert.equal(runsInBackground({ async: undefined, poll: 0 }), false);
  });

  it('gives a polled result Ansible\'s job keys, and its message past the time', () => {
    const r: Registered = { changed: true, failed: false, skipped: false, msg: '', rc: 0 };
    const polled = withJobKeys({ async: 5, poll: 10 }, r);
    assert.match(String(polled['ansible_job_id']), /^j\d+\.\d+$/);
    assert.deepEqual({ ...polled, ansible_job_id: 'j' }, { ...r, ansible_job_id: 'j', started: 1, finished: 1 });
    assert.equal(withJobKeys({ async: undefined, poll: 10 }, r), r);
    assert.equal(withJobKeys({ async: 5, poll: 0 }, r), r);
    const late = asyncTimedOut({ async: 3, poll: 1 });
    assert.deepEqual([late.failed, late.msg], [true, 'async task did not complete within the requested time - 3s']);
    assert.deepEqual({ ...(late['async_result'] as object), ansible_job_id: 'j' }, { ansible_job_id: 'j', started: 1, finished: 0 });
  });

  it('builds what command and shell would run, as their plans do', async () => {
    const command = (await loadModule('command'))!;
    const shell = (await loadModule('shell'))!;
    assert.deepEqual(backgroundSpec('command', command.args.parse({ cmd: `echo "a b" $HOME`, chdir: '/tmp' })), {
      argv: ['echo', 'a b', '$HOME'], display: ['echo', 'a b', '$HOME'], chdir: '/tmp', stdinAddNewline: true, stripEmptyEnds: true,
    });
    assert.deepEqual(backgroundSpec('shell', shell.args.parse({ cmd: 'echo $HOME', executable: '/bin/bash' })), {
      argv: ['/bin/bash', '-c', 'echo $HOME'], display: 'echo $HOME', stdinAddNewline: true, stripEmptyEnds: true,
    });
    assert.deepEqual(backgroundSpec('command', command.args.parse({ cmd: 'echo "open' })), { fail: 'cannot split the command: No closing quotation' });
    assert.deepEqual(backgroundSpec('copy', {}), { fail: 'poll: 0 runs command and shell only in kvmplay, not copy' });
  });

  describe('poll: 0 on the control machine', function () {
    this.timeout(30_000);
    let home = '';
    let host: ReturnType<typeof withRunDefaults>;
    const bg = { async: 30, poll: 0 };
    const call = async (module: string, raw: Record<string, unknown>, ctx: Partial<RunModuleContext> = {}) => {
      const mod = (await loadModule(module))!;
      return runTaskModule(bg, mod, host, mod.args.parse(raw), fakeContext(ctx));
    };
    const job = (file: unknown): Record<string, unknown> => JSON.parse(readFileSync(String(file), 'utf8')) as Record<string, unknown>;
    async function finished(file: unknown): Promise<Record<string, unknown>> {
      for (const end = Date.now() + 10_000; Date.now() < end; await sleep(100)) if (!('started' in job(file))) return job(file);
      throw new Error('the job did not finish');
    }

    beforeEach(() => {
      home = mkdtempSync(join(tmpdir(), 'kvmplay-async-task-'));
      host = withRunDefaults(new LocalHost(), { env: { HOME: home } });
    });
    afterEach(() => rmSync(home, { recursive: true, force: true }));

    it('starts shell in the background and returns the job at once, changed', async () => {
      const r = await call('shell', { cmd: 'sleep 1; echo "$0" done', executable: '/bin/sh' });
      const jid = String(r.data?.['ansible_job_id']);
      assert.deepEqual(r, { changed: true, msg: '', data: { started: 1, finished: 0, ansible_job_id: jid, results_file: join(home, ASYNC_DIR, jid) } });
      const done = await finished(r.data?.['results_file']);
      assert.deepEqual([done['rc'], done['stdout'], done['cmd'], done['changed']], [0, '/bin/sh done', 'sleep 1; echo "$0" done', true]);
    });

    it('gives command its stdin and chdir', async () => {
      const r = await call('command', { cmd: 'sh -c "pwd; cat"', chdir: home, stdin: 'in' });
      assert.equal((await finished(r.data?.['results_file']))['stdout'], `${home}\nin`);
    });

    it('records the check-mode result as a finished job without running anything', async () => {
      const marker = join(home, 'ran');
      const r = await call('command', { cmd: `touch ${marker}` }, { check: true });
      assert.deepEqual([r.changed, r.data?.['started'], r.data?.['finished']], [true, 1, 0]);
      const j = job(r.data?.['results_file']);
      assert.deepEqual([j['skipped'], j['changed'], j['msg'], j['finished']], [true, false, 'Command would have run if not in check mode', 1]);
      await sleep(200);
      assert.equal(existsSync(marker), false);
    });

    it('records creates keeping the command from running, as command reports it', async () => {
      writeFileSync(join(home, 'there'), '');
      const r = await call('command', { cmd: 'touch x', creates: join(home, 'there') });
      const j = job(r.data?.['results_file']);
      assert.deepEqual([j['changed'], j['msg'], j['stdout'], j['rc'], j['finished']], [false, `Did not run command since '${join(home, 'there')}' exists`, `skipped, since ${join(home, 'there')} exists`, 0, 1]);
    });

    it('fails the task with the reason when the command cannot start', async () => {
      const r = await call('command', { cmd: 'true', chdir: join(home, 'nope') });
      assert.deepEqual([r.failed, r.msg], [true, `Unable to change directory before execution: ${join(home, 'nope')}`]);
    });
  });
});
