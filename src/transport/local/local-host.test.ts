import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InterruptedError, TaskError } from '../../errors.js';
import { LocalHost } from './local-host.js';

// A killed process whose parent is gone stays a zombie until init reaps it, which some
// inits do only now and then: a zombie has ended, so it does not count as alive.
const alive = (pid: number): boolean => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

describe('LocalHost (the control machine as a host)', () => {
  let dir: string;
  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'kvmplay-local-')); });
  afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

  it('runs an argv without a shell: metacharacters are plain words', async () => {
    const r = await new LocalHost().run(['printf', '%s|', '$HOME', '; touch x', '*']);
    assert.deepEqual([r.rc, r.stdout], [0, '$HOME|; touch x|*|']);
  });

  it('runs a string through sh -c, in the working directory asked for, with stdin', async () => {
    const r = await new LocalHost().run('pwd; cat; exit 3', { cwd: dir, stdin: 'in' });
    assert.deepEqual([r.rc, r.stdout], [3, `${dir}\nin`]);
  });

  it('ends the whole process group at the timeout and says so', async () => {
    const pidFile = join(dir, 'pid');
    const r = await new LocalHost().run(['sh', '-c', 'sleep 30 & echo $! > "$1"; wait', 'sh', pidFile], { timeoutMs: 300 });
    assert.deepEqual([r.rc, r.timedOut], [null, true]);
    const child = Number((await readFile(pidFile, 'utf8')).trim());
    for (let i = 0; i < 40 && alive(child); i++) await new Promise((res) => setTimeout(res, 50));
    assert.equal(alive(child), false, 'the background sleep was ended too');
  });

  it('ends the command on Ctrl-C (abort) and reports an interruption', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    await assert.rejects(new LocalHost().run(['sleep', '30'], { signal: ac.signal }), InterruptedError);
  });

  // kvmplay's tests run as root (the lab needs it).
  it('runs become directly when already the become user (root)', async () => {
    const host = new LocalHost();
    const r = await host.run(['id', '-u'], { become: true });
    assert.equal(r.stdout.trim(), '0');
    assert.deepEqual(host.commands[0], ['id', '-u']);
  });

  it('adds the environment to the command\'s own, values intact', async () => {
    const r = await new LocalHost().run(['sh', '-c', 'printf "%s|" "$A" "$B" "${PATH:+PATH kept}"'], { env: { A: `x 'y' "z"`, B: 'a  b' } });
    assert.equal(r.stdout, `x 'y' "z"|a  b|PATH kept|`);
  });

  it('becomes another user through su (as root), the environment exported after su', async () => {
    const host = new LocalHost();
    const r = await host.run(['sh', '-c', 'id -un; printf "%s|" "$A"'], { become: true, becomeUser: 'nobody', becomeMethod: 'su', env: { A: "it's a b" }, cwd: '/' });
    assert.equal(r.stdout, "nobody\nit's a b|");
    assert.deepEqual(host.commands[0]?.slice(0, 4), ['su', '-s', '/bin/sh', '-c']);
  });

  it('becomes another user through non-interactive sudo -u, the environment exported after sudo', async () => {
    const host = new LocalHost();
    await host.run(['id', '-un'], { become: true, becomeUser: 'nobody', env: { A: 'a b' } }).catch(() => undefined);
    assert.deepEqual(host.commands[0], ['sudo', '-n', '-H', '-u', 'nobody', '--', 'sh', '-c', "export A='a b'; exec id -un"]);
  });

  it('refuses an environment variable name that is no shell identifier, running nothing', async () => {
    const host = new LocalHost();
    await assert.rejects(host.run(['true'], { env: { 'A B': 'x' } }), (e: unknown) => e instanceof TaskError && /"A B" is not a valid variable name/.test(e.message));
    assert.deepEqual(host.commands, []);
  });

  it('writes atomically, reads and stats files; a planted symlink is replaced, not followed', async () => {
    const host = new LocalHost();
    const target = join(dir, 'victim');
    await writeFile(target, 'keep');
    const path = join(dir, 'f');
    await symlink(target, path);
    await host.writeAtomic(path, 'new', { mode: 0o600 });
    assert.equal((await host.readFile(path))?.toString(), 'new');
    assert.equal((await host.readFile(target))?.toString(), 'keep');
    const st = await host.stat(path);
    assert.deepEqual([st?.isFile, st?.isSymlink, st?.mode], [true, false, 0o600]);
    assert.equal(await host.stat(join(dir, 'missing')), null);
    assert.equal(await host.readFile(join(dir, 'missing')), null);
  });
});
