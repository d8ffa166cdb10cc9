import assert from 'node:assert/strict';
import type { FileStat, Host, RunOptions, RunResult } from './host.js';
import { applyRunDefaults, withRunDefaults } from './task-host.js';

/** Records what reaches the wrapped host. */
class FakeHost implements Host {
  readonly name = 'fake';
  readonly calls: Array<{ op: string; args: unknown[] }> = [];
  private note(op: string, ...args: unknown[]): void {
    this.calls.push({ op, args });
  }
  async connect(): Promise<void> { this.note('connect'); }
  async run(command: string | readonly string[], opts?: RunOptions): Promise<RunResult> {
    this.note('run', command, opts);
    return { rc: 0, stdout: 'out', stderr: '' };
  }
  async readFile(path: string): Promise<Buffer | null> { this.note('readFile', path); return Buffer.from('x'); }
  async writeAtomic(path: string, data: string | Buffer, opts?: { mode?: number }): Promise<void> { this.note('writeAtomic', path, data, opts); }
  async stat(path: string): Promise<FileStat | null> { this.note('stat', path); return null; }
  async reconnect(opts?: { timeoutMs?: number }): Promise<void> { this.note('reconnect', opts); }
  async close(): Promise<void> { this.note('close'); }
}

describe('a task\'s run defaults (withRunDefaults)', () => {
  it('gives every run the task\'s become user, method and environment', async () => {
    const fake = new FakeHost();
    const host = withRunDefaults(fake, { becomeUser: 'app', becomeMethod: 'su', env: { LANG: 'C' } });
    const r = await host.run(['id'], { become: true, timeoutMs: 5 });
    assert.equal(r.stdout, 'out');
    assert.deepEqual(fake.calls[0]?.args, [['id'], { become: true, timeoutMs: 5, becomeUser: 'app', becomeMethod: 'su', env: { LANG: 'C' } }]);
  });

  it('lets the call\'s own user, method and variables win', () => {
    const opts = applyRunDefaults({ becomeUser: 'root', becomeMethod: 'sudo', env: { LANG: 'de_DE', X: '1' } },
      { becomeUser: 'app', becomeMethod: 'su', env: { LANG: 'C', PATH: '/bin' } });
    assert.deepEqual(opts, { becomeUser: 'root', becomeMethod: 'sudo', env: { LANG: 'de_DE', PATH: '/bin', X: '1' } });
  });

  it('adds nothing when there are no defaults, and never changes the caller\'s options', () => {
    const given: RunOptions = { become: false };
    assert.deepEqual(applyRunDefaults(given, {}), { become: false });
    assert.deepEqual(applyRunDefaults(undefined, { env: {} }), {});
    applyRunDefaults(given, { becomeUser: 'app', env: { A: '1' } });
    assert.deepEqual(given, { become: false });
  });

  it('hands every other call to the host as is', async () => {
    const fake = new FakeHost();
    const host = withRunDefaults(fake, { becomeUser: 'app' });
    assert.equal(host.name, 'fake');
    await host.connect();
    assert.equal((await host.readFile('/a'))?.toString(), 'x');
    await host.writeAtomic('/b', 'data', { mode: 0o600 });
    assert.equal(await host.stat('/c'), null);
    await host.reconnect({ timeoutMs: 7 });
    await host.close();
    assert.deepEqual(fake.calls, [
      { op: 'connect', args: [] },
      { op: 'readFile', args: ['/a'] },
      { op: 'writeAtomic', args: ['/b', 'data', { mode: 0o600 }] },
      { op: 'stat', args: ['/c'] },
      { op: 'reconnect', args: [{ timeoutMs: 7 }] },
      { op: 'close', args: [] },
    ]);
  });
});

describe('-vvv tracing of what a task sends (withRunDefaults trace)', () => {
  it('says each command (quoted as a shell would read it, with become) and each transfer, never stdin or contents', async () => {
    const lines: string[] = [];
    const host = withRunDefaults(new FakeHost(), { becomeUser: 'kvp', trace: (l) => lines.push(l) });
    await host.run(['echo', 'a b'], { stdin: 'secret-stdin' });
    await host.run('uname -r', { become: true });
    await host.writeAtomic('/etc/motd', 'secret-content');
    await host.readFile('/etc/hostname');
    assert.deepEqual(lines, ["EXEC echo 'a b'", 'EXEC uname -r (become sudo -u kvp)', 'PUT /etc/motd', 'FETCH /etc/hostname']);
  });
});
