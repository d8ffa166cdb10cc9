import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalHost } from '../../transport/local/local-host.js';
import {
  ASYNC_DIR, finishedJob, isJobId, jobStatus, LAUNCH_SCRIPT, launchArgv, newJobId, NO_JOB_EXIT, printedJobFile,
  recordArgv, RECORD_SCRIPT, RUNNER_SCRIPT, startedJob, STATUS_SCRIPT, statusArgv, type JobLaunch,
} from './async-job.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Processes of process group `pgid` that are not zombies (killed ones wait to be reaped by whoever adopted them). */
async function livingInGroup(pgid: number, withinMs = 3000): Promise<number[]> {
  let living: number[] = [];
  for (const end = Date.now() + withinMs; Date.now() < end; await sleep(100)) {
    living = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).flatMap((d) => {
      let stat = '';
      try {
        stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      } catch {
        return [];
      }
      // After "(comm) ": state, ppid, pgrp.
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return state !== 'Z' && Number(pgrp) === pgid ? [Number(d)] : [];
    });
    if (living.length === 0) break;
  }
  return living;
}

describe('async jobs: ids and commands', () => {
  it('makes job ids like Ansible\'s: j, up to 12 random digits, a dot, a process id', () => {
    const jid = newJobId(4321);
    assert.match(jid, /^j\d{1,12}\.4321$/);
    assert.notEqual(newJobId(1), newJobId(1));
    assert.equal(isJobId(jid), true);
    for (const bad of ['', 'j1', '../j1.2', 'j1.2/x', 'j1.2; rm', 'x1.2']) assert.equal(isJobId(bad), false, bad);
  });

  it('passes every value as a positional parameter of constant scripts', () => {
    const job: JobLaunch = {
      jid: 'j12.34', limitS: 2.5, argv: ['printf', '%s', `it's $(id)`], display: 'printf %s', chdir: '/srv/a b', stdin: 'x', stripEmptyEnds: true,
    };
    assert.deepEqual(launchArgv(job), [
      'sh', '-c', LAUNCH_SCRIPT, 'kvmplay', RUNNER_SCRIPT, 'j12.34', '/srv/a b', '3', '"printf %s"', '1', '1', 'printf', '%s', `it's $(id)`,
    ]);
    assert.deepEqual(launchArgv({ ...job, chdir: undefined, stdin: undefined, stripEmptyEnds: false, display: ['a', 'b'] }).slice(5, 11),
      ['j12.34', '', '3', '["a","b"]', '0', '0']);
    assert.deepEqual(recordArgv('j1.2', { rc: 0 }), ['sh', '-c', RECORD_SCRIPT, 'kvmplay', 'j1.2', '{"rc":0}']);
    assert.deepEqual(statusArgv('j1.2', 'cleanup'), ['sh', '-c', STATUS_SCRIPT, 'kvmplay', 'j1.2', 'cleanup']);
    assert.throws(() => launchArgv({ ...job, jid: '../x' }), /not a job id/);
    assert.throws(() => recordArgv('a/b', {}), /not a job id/);
  });

  it('reads the job file path the scripts print first', () => {
    assert.equal(printedJobFile('/root/.ansible_async/j1.2\n{"x": 1}'), '/root/.ansible_async/j1.2');
    assert.equal(printedJobFile(''), undefined);
    assert.equal(printedJobFile('sh: 1: oops\n'), undefined);
  });

  it('shapes the started result and a finished job as Ansible\'s wrapper and poll-0 task do', () => {
    assert.deepEqual(startedJob('j1.2', '/h/.ansible_async/j1.2'), {
      changed: true, msg: '', data: { started: 1, finished: 0, ansible_job_id: 'j1.2', results_file: '/h/.ansible_async/j1.2' },
    });
    assert.deepEqual(finishedJob('j1.2', { changed: false, skipped: true, msg: 'Command would have run if not in check mode', rc: 0, data: { cmd: ['true'] } }), {
      cmd: ['true'], changed: false, skipped: true, msg: 'Command would have run if not in check mode', rc: 0, finished: 1, ansible_job_id: 'j1.2',
    });
  });
});

describe('async job status (what async_status makes of a job file)', () => {
  const file = '/h/.ansible_async/j1.2';
  const base = { ansible_job_id: 'j1.2', results_file: file, started: 1 };
  const cases: Array<[string, string | null, Record<string, unknown>]> = [
    ['no file: could not find job', null, { changed: false, failed: true, msg: 'could not find job', data: { ...base, finished: 1 } }],
    ['an empty file: still starting', '', { changed: false, msg: '', stdout: '', stderr: '', data: { ...base, finished: 0 } }],
    ['the started file: running', '{"started": 1, "finished": 0, "ansible_job_id": "j1.2"}\n', {
      changed: false, msg: '', stdout: '', stderr: '', data: { ...base, finished: 0, stdout_lines: [], stderr_lines: [] },
    }],
    ['a finished command: its result, finished', '{"cmd": "echo a; echo b", "changed": true, "msg": "", "rc": 0, "stdout": "a\\nb", "stderr": "", "finished": 1, "ansible_job_id": "j1.2"}', {
      changed: true, msg: '', rc: 0, stdout: 'a\nb', stderr: '',
      data: { ...base, finished: 1, cmd: 'echo a; echo b', stdout_lines: ['a', 'b'], stderr_lines: [] },
    }],
    ['a failed command: failed as command fails', '{"changed": true, "failed": true, "msg": "non-zero return code", "rc": 3, "stdout": "", "stderr": "no"}', {
      changed: true, failed: true, msg: 'non-zero return code', rc: 3, stdout: '', stderr: 'no',
      data: { ...base, finished: 1, stdout_lines: [], stderr_lines: ['no'] },
    }],
    ['a job past its time', '{"failed": true, "msg": "Timeout exceeded", "child_pid": 77}', {
      changed: false, failed: true, msg: 'Timeout exceeded', stdout: '', stderr: '',
      data: { ...base, finished: 1, child_pid: 77, stdout_lines: [], stderr_lines: [] },
    }],
    ['a result without finished but started: not finished', '{"started": 1}', {
      changed: false, msg: '', stdout: '', stderr: '', data: { ...base, finished: 0, stdout_lines: [], stderr_lines: [] },
    }],
    ['garbage: cannot parse', '{"rc": ', { changed: false, failed: true, msg: 'Could not parse job output: {"rc": ', data: { ...base, finished: 1 } }],
  ];
  for (const [name, text, want] of cases) {
    it(name, () => assert.deepEqual(jobStatus('j1.2', file, text), want));
  }
});

describe('async job scripts on the control machine', function () {
  this.timeout(30_000);
  let home = '';
  let host: LocalHost;
  // HOME points the job folder into a scratch folder; the scripts find it as they do over SSH.
  const run = (argv: string[], stdin?: string) => host.run(argv, { env: { HOME: home }, ...(stdin !== undefined ? { stdin } : {}) });
  const jobDir = (): string => join(home, ASYNC_DIR);
  const readJob = (jid: string): Record<string, unknown> => JSON.parse(readFileSync(join(jobDir(), jid), 'utf8')) as Record<string, unknown>;
  async function finished(jid: string, withinMs = 10_000): Promise<Record<string, unknown>> {
    for (const end = Date.now() + withinMs; Date.now() < end; await sleep(100)) {
      const job = readJob(jid);
      if (!('started' in job)) return job;
    }
    throw new Error(`job ${jid} did not finish`);
  }
  const launch = async (job: Omit<JobLaunch, 'jid' | 'limitS' | 'stripEmptyEnds'> & Partial<JobLaunch>): Promise<string> => {
    const jid = newJobId();
    const r = await run(launchArgv({ jid, limitS: 10, stripEmptyEnds: true, ...job }), job.stdin);
    assert.equal(r.rc, 0, r.stderr);
    assert.equal(printedJobFile(r.stdout), join(jobDir(), jid));
    return jid;
  };

  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'kvmplay-async-'));
    host = new LocalHost();
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('returns at once, the job started, then leaves the command\'s result as JSON', async () => {
    const t0 = Date.now();
    const jid = await launch({ argv: ['sh', '-c', 'sleep 1; echo done; echo warn >&2'], display: 'sleep 1; echo done; echo warn >&2' });
    assert.ok(Date.now() - t0 < 900, 'the launch does not wait for the command');
    assert.deepEqual(readJob(jid), { started: 1, finished: 0, ansible_job_id: jid });
    const job = await finished(jid);
    assert.deepEqual({ ...job, start: '', end: '', delta: '' }, {
      cmd: 'sleep 1; echo done; echo warn >&2', changed: true, msg: '', rc: 0, stdout: 'done', stderr: 'warn',
      start: '', end: '', delta: '', finished: 1, ansible_job_id: jid,
    });
    assert.match(String(job['start']), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
    assert.match(String(job['delta']), /^0:00:01\.\d{6}$/);
    // Only the job file stays, private to its user.
    assert.deepEqual(readdirSync(jobDir()), [jid]);
    assert.equal(statSync(jobDir()).mode & 0o777, 0o700);
    assert.equal(statSync(join(jobDir(), jid)).mode & 0o777, 0o600);
  });

  it('keeps every byte of the output exact in JSON, and fails on a non-zero rc', async () => {
    const bytes = 'tab\there "quoted" back\\slash ü ✓ \x01\x1f\r\nline2\n\n';
    const jid = await launch({ argv: ['printf', '%s', bytes], display: ['printf'], stripEmptyEnds: false });
    assert.equal((await finished(jid))['stdout'], bytes);
    const stripped = await launch({ argv: ['sh', '-c', 'printf "out\\r\\n\\n"; exit 3'], display: 'x' });
    const job = await finished(stripped);
    assert.deepEqual([job['stdout'], job['rc'], job['failed'], job['msg'], job['changed']], ['out', 3, true, 'non-zero return code', true]);
  });

  it('runs in chdir with the given standard input, else /dev/null', async () => {
    const jid = await launch({ argv: ['sh', '-c', 'pwd; cat'], display: 'x', chdir: home, stdin: 'from stdin\n' });
    assert.equal((await finished(jid))['stdout'], `${home}\nfrom stdin`);
    const none = await launch({ argv: ['cat'], display: ['cat'] });
    assert.equal((await finished(none))['stdout'], '');
    const r = await run(launchArgv({ jid: newJobId(), limitS: 5, argv: ['true'], display: ['true'], chdir: join(home, 'nope'), stripEmptyEnds: true }));
    assert.equal(r.rc, 1);
    assert.equal(r.stderr.trim(), `Unable to change directory before execution: ${join(home, 'nope')}`);
  });

  it('kills the command and all it started after the limit: "Timeout exceeded"', async () => {
    const jid = await launch({ argv: ['sh', '-c', 'echo partial; sleep 60 & sleep 60'], display: 'x', limitS: 1 });
    const job = await finished(jid);
    assert.deepEqual([job['failed'], job['msg'], job['stdout'], 'rc' in job], [true, 'Timeout exceeded', 'partial', false]);
    const pid = Number(job['child_pid']);
    assert.ok(pid > 1);
    // The command led its own process group: nothing of it lives on, the background sleep included.
    assert.deepEqual(await livingInGroup(pid), []);
    assert.deepEqual(readdirSync(jobDir()), [jid]);
  });

  it('records a finished result, reads it back, cleans it up, and knows a missing job', async () => {
    const jid = newJobId();
    const rec = await run(recordArgv(jid, finishedJob(jid, { changed: false, msg: 'Did not run', rc: 0, stdout: 'skipped' })));
    assert.equal(rec.rc, 0, rec.stderr);
    const path = join(jobDir(), jid);
    assert.equal(printedJobFile(rec.stdout), path);
    const status = await run(statusArgv(jid, 'status'));
    assert.equal(status.rc, 0);
    const text = status.stdout.slice(status.stdout.indexOf('\n') + 1);
    assert.deepEqual(jobStatus(jid, path, text).stdout, 'skipped');
    assert.equal((await run(statusArgv(jid, 'cleanup'))).rc, 0);
    assert.deepEqual(readdirSync(jobDir()), []);
    const missing = await run(statusArgv(jid, 'status'));
    assert.deepEqual([missing.rc, printedJobFile(missing.stdout)], [NO_JOB_EXIT, path]);
  });
});
