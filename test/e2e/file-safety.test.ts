// Issue 11, items 1 and 8, over real SSH on lab01: root writing into a directory that
// an unprivileged user owns. That user races every write (planting symlinks at the
// destination, the staged file, the private directory and the backup names) and must
// never get a root-only file replaced, chowned or shown in --diff. Also: `follow`,
// backup names, the warning for such a directory, and the remote umask for new files.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectionFor, loadInventory } from '../../src/inventory/index.js';
import type { RunModuleContext, ModuleResult } from '../../src/modules/module.js';
import { loadModule, runModule } from '../../src/modules/registry.js';
import type { ConnectionSpec } from '../../src/transport/connection-spec.js';
import { SshHost } from '../../src/transport/ssh/ssh-host.js';
import { ensureLab } from '../support/lab-fixture.js';
import { fakeContext } from '../support/module-context.js';

const RACER_USER = 'kvrace';
const SECRET_TEXT = `TOP SECRET ${process.pid}\n`;

// Run by the racer user until STOP appears: every entry of the directory that is not
// the racer's own (the destination, staged files, private directories, backups) is
// replaced by a symlink to the secret; directories are moved aside and replaced by a
// link to a directory of links to the secret (named as staged files could be).
const RACER = `
d=$1 secret=$2 evil=$3
cd "$d" || exit 1
while [ ! -e STOP ]; do
  for f in .[!.]* *; do
    case $f in STOP|'.[!.]*'|'*'|*.moved.*) continue;; esac
    if [ -d "$f" ] && [ ! -L "$f" ]; then mv -f -- "$f" "$f.moved.$$" 2>/dev/null && ln -s -- "$evil" "$f" 2>/dev/null
    else ln -sfn -- "$secret" "$f" 2>/dev/null; fi
  done
done
`;

describe('file writes as root in a directory another user owns', function () {
  this.timeout(600_000);
  let spec: ConnectionSpec;
  let root: SshHost;
  let kvp: SshHost;
  const opened: SshHost[] = [];
  const base = `/srv/kvmplay-safety-${process.pid}`;
  const raceDir = `${base}/race`;
  const evilDir = `${base}/evil`;
  const secret = `/root/kvmplay-secret-${process.pid}`;

  const open = (s: ConnectionSpec): SshHost => {
    const h = new SshHost(s, { acceptNewHostKeys: false, agentSocket: '' });
    opened.push(h);
    return h;
  };
  const sh = async (text: string, ...args: string[]): Promise<string> => {
    const r = await root.run(['sh', '-c', text, 'sh', ...args]);
    assert.equal(r.rc, 0, r.stderr);
    return r.stdout;
  };
  const apply = async (host: SshHost, name: string, raw: Record<string, unknown>, over: Partial<RunModuleContext> = {}): Promise<ModuleResult> => {
    const mod = await loadModule(name);
    assert.ok(mod, `module ${name} is registered`);
    return runModule(mod, host, mod.args.parse(raw), fakeContext({ hostName: 'lab01', files: { 'conf.j2': 'templated\n' }, ...over }));
  };
  const secretState = (): Promise<string> => sh('stat -c "%a %U %G %h" -- "$1" && sha256sum < "$1"', secret);

  before(async function () {
    this.timeout(900_000);
    const lab = await ensureLab();
    spec = connectionFor(await loadInventory([lab.inventory]), 'lab01');
    root = open(spec);
    kvp = open({ ...spec, user: 'kvp', becomePassword: readFileSync(join(lab.labDir, 'become-password'), 'utf8').trim() });
    await sh([
      'set -e',
      'id -u "$1" >/dev/null 2>&1 || useradd -M -s /bin/sh -- "$1"',
      'rm -rf -- "$2" && mkdir -m 0755 -- "$2" "$2/race" "$2/evil" "$2/root-owned"',
      'chown -- "$1" "$2/race" "$2/evil"',
      'umask 077 && printf %s "$4" > "$3"',
      'for n in new f tmp content staged; do ln -s -- "$3" "$2/evil/$n"; done',
    ].join('\n'), RACER_USER, base, secret, SECRET_TEXT);
  });

  after(async () => {
    if (root) {
      await root.run(['sh', '-c', 'rm -rf -- "$1" "$2"; userdel -- "$3"; rm -f /etc/sudoers.d/kvmplay-umask', 'sh', base, secret, RACER_USER]).catch(() => undefined);
    }
    await Promise.all(opened.map((h) => h.close()));
  });

  /** Race `tries` writes by `host` (copy, template, lineinfile in turn) against the racer. */
  async function race(host: SshHost, become: boolean, tries: number): Promise<{ outcomes: Map<string, number> }> {
    const before = await secretState();
    await sh('rm -f -- "$1/STOP"', raceDir);
    const racer = root.run(['timeout', '600', 'runuser', '-u', RACER_USER, '--', 'sh', '-c', RACER, 'racer', raceDir, secret, evilDir]);
    const outcomes = new Map<string, number>();
    try {
      await new Promise((r) => setTimeout(r, 300));
      const dest = `${raceDir}/conf`;
      for (let i = 0; i < tries; i++) {
        const kind = ['copy', 'template', 'lineinfile'][i % 3] ?? 'copy';
        const args: Record<string, unknown> = kind === 'copy' ? { dest, content: `try ${i}\n`, owner: RACER_USER, mode: '0644', backup: true }
          : kind === 'template' ? { src: 'conf.j2', dest, owner: RACER_USER, backup: true }
          : { path: dest, line: `line ${i}`, create: true, backup: true };
        const r = await apply(host, kind, args, { become, diff: true });
        const shown = JSON.stringify(r);
        assert.ok(!shown.includes('TOP SECRET'), `try ${i} (${kind}) showed the secret: ${shown}`);
        const outcome = r.failed ? `${kind} failed: ${r.msg.replace(/[0-9a-f]{6,}|\/srv\S*/g, '…')}` : `${kind} ok`;
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
        if (i % 10 === 9) assert.equal(await secretState(), before, `the secret changed by try ${i}`);
      }
    } finally {
      await sh('touch -- "$1/STOP"', raceDir);
      await racer;
    }
    assert.equal(await secretState(), before);
    assert.equal(await sh('cat -- "$1"', secret), SECRET_TEXT);
    return { outcomes };
  }

  it('never replaces, chowns or prints a root-only file in 100 writes as root raced by the directory owner', async () => {
    const { outcomes } = await race(root, false, 100);
    // The racer may make a write fail (its link replaced the file lineinfile reads), never succeed through a link.
    console.log('        outcomes (root login):', Object.fromEntries(outcomes));
    assert.ok((outcomes.get('copy ok') ?? 0) > 0, 'some copies went through');
  });

  it('never replaces, chowns or prints a root-only file in 100 writes with become raced by the directory owner', async () => {
    const { outcomes } = await race(kvp, true, 100);
    console.log('        outcomes (become):', Object.fromEntries(outcomes));
    assert.ok((outcomes.get('copy ok') ?? 0) > 0, 'some copies went through');
  });

  it('replaces a symlink at dest by default, and writes through it with follow: true', async () => {
    const dir = `${base}/root-owned`;
    await sh('printf "target\\n" > "$1/target" && ln -sfn target "$1/link" && ln -sfn target "$1/link2"', dir);
    for (const name of ['copy', 'template'] as const) {
      await sh('ln -sfn target "$1/link"', dir);
      const args = name === 'copy' ? { dest: `${dir}/link`, content: 'new\n' } : { src: 'conf.j2', dest: `${dir}/link` };
      const r = await apply(root, name, args, { diff: true });
      assert.equal(r.changed, true, r.msg);
      assert.ok(!String(r.diff).includes('target'), `${name}'s diff shows the link's target content: ${r.diff}`);
      assert.equal(await sh('stat -c %F -- "$1/link"; cat -- "$1/target"', dir), 'regular file\ntarget\n');
    }
    const followed = await apply(root, 'copy', { dest: `${dir}/link2`, content: 'through\n', follow: true });
    assert.equal(followed.changed, true, followed.msg);
    assert.equal(await sh('stat -c %F -- "$1/link2"; cat -- "$1/target"', dir), 'symbolic link\nthrough\n');
    const edited = await apply(root, 'lineinfile', { path: `${dir}/link2`, line: 'added', follow: true });
    assert.equal(edited.changed, true, edited.msg);
    assert.equal(await sh('cat -- "$1/target"', dir), 'through\nadded\n');
    // lineinfile follows a link in a directory only root can write, as Ansible's does…
    const byDefault = await apply(root, 'lineinfile', { path: `${dir}/link2`, line: 'again' });
    assert.equal(byDefault.changed, true, byDefault.msg);
    assert.equal(await sh('stat -c %F -- "$1/link2"; cat -- "$1/target"', dir), 'symbolic link\nthrough\nadded\nagain\n');
    // …and never with follow: false, nor in a directory another user can write.
    const refused = await apply(root, 'lineinfile', { path: `${dir}/link2`, line: 'more', follow: false });
    assert.equal(refused.failed, true);
    assert.match(refused.msg, /is a symlink \(to target\) and follow is false: set follow: true/);
    await sh('mkdir -p "$1/shared" && chown nobody "$1/shared" && ln -sfn ../target "$1/shared/link"', dir);
    const untrusted = await apply(root, 'lineinfile', { path: `${dir}/shared/link`, line: 'more' });
    assert.equal(untrusted.failed, true);
    assert.match(untrusted.msg, /is a symlink \(to \.\.\/target\) and its directory is writable by nobody: set follow: true/);
    assert.equal(await sh('cat -- "$1/target"', dir), 'through\nadded\nagain\n');
  });

  it('backs up to an unpredictable name, created exclusively, never through a planted link', async () => {
    const dir = `${base}/root-owned`;
    const dest = `${dir}/backed`;
    await sh('printf "v0\\n" > "$1"', dest);
    // Ansible's predictable names (dest.PID.date~) for the next seconds, planted as links to the secret.
    const p = (n: number): string => String(n).padStart(2, '0');
    const now = Date.now();
    for (let s = 0; s < 8; s++) {
      const t = new Date(now + s * 1000);
      const stamp = `${t.getFullYear()}-${p(t.getMonth() + 1)}-${p(t.getDate())}@${p(t.getHours())}:${p(t.getMinutes())}:${p(t.getSeconds())}`;
      await sh('ln -sfn -- "$2" "$1"', `${dest}.${process.pid}.${stamp}~`, secret);
    }
    const names: string[] = [];
    for (let i = 1; i <= 3; i++) {
      const r = await apply(root, 'copy', { dest, content: `v${i}\n`, backup: true });
      assert.equal(r.changed, true, r.msg);
      names.push(String(r.data?.backup_file));
    }
    assert.equal(new Set(names).size, 3, `three distinct backups: ${names.join(' ')}`);
    for (const [i, n] of names.entries()) {
      assert.ok(!n.startsWith(`${dest}.${process.pid}.`), `${n} is not Ansible's predictable name`);
      assert.equal(await sh('stat -c %F -- "$1"; cat -- "$1"', n), `regular file\nv${i}\n`);
    }
    assert.equal(await sh('cat -- "$1"', secret), SECRET_TEXT);
  });

  it('warns when the destination directory is writable by another user, and not otherwise', async () => {
    const warned = await apply(root, 'copy', { dest: `${raceDir}/warned`, content: 'x\n' });
    assert.equal(warned.changed, true, warned.msg);
    assert.deepEqual(warned.data?.warnings, [
      `${raceDir} is writable by ${RACER_USER} (neither root nor the user kvmplay writes as): they can replace ${raceDir}/warned at any time; kvmplay writes it without following their links`,
    ]);
    const quiet = await apply(root, 'copy', { dest: `${base}/root-owned/quiet`, content: 'x\n' });
    assert.equal(quiet.changed, true, quiet.msg);
    assert.equal(quiet.data?.warnings, undefined);
  });

  it('gives a new file without mode 0666 minus the remote umask, as Ansible does', async () => {
    const dir = `${base}/root-owned`;
    // sudo runs commands with the union of the user's umask and this one: 0077.
    await sh('printf "Defaults:kvp umask=0077\\n" > /etc/sudoers.d/kvmplay-umask && chmod 0440 /etc/sudoers.d/kvmplay-umask');
    // sudo reads it when a become shell starts: as after meta: reset_connection.
    await kvp.close();
    try {
      const made = await apply(kvp, 'copy', { dest: `${dir}/umasked`, content: 'x\n' }, { become: true });
      assert.equal(made.changed, true, made.msg);
      assert.equal(made.data?.mode, '0600');
      assert.equal(await sh('stat -c %a -- "$1"', `${dir}/umasked`), '600\n');
      const line = await apply(kvp, 'lineinfile', { path: `${dir}/umasked-line`, line: 'x', create: true }, { become: true });
      assert.equal(line.changed, true, line.msg);
      assert.equal(await sh('stat -c %a -- "$1"', `${dir}/umasked-line`), '600\n');
    } finally {
      await sh('rm -f /etc/sudoers.d/kvmplay-umask');
    }
    const plain = await apply(root, 'copy', { dest: `${dir}/plain`, content: 'x\n' });
    assert.equal(plain.data?.mode, '0644');
    assert.equal(await sh('stat -c %a -- "$1"', `${dir}/plain`), '644\n');
  });
});
