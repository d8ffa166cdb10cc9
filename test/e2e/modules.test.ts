// The generic modules (SPEC 6: command, shell, copy, template, file, lineinfile) over
// real SSH to lab hosts: apply, apply again → unchanged, check mode changes nothing,
// diff after a hand edit, awkward names and content byte-exact, become as `kvp`.
// Modules are called directly with a ModuleContext built here (no playbook engine).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConnectionSpec } from '../../src/transport/connection-spec.js';
import { connectionFor, loadInventory } from '../../src/inventory/index.js';
import { SshHost } from '../../src/transport/ssh/ssh-host.js';
import { commandModule } from '../../src/modules/system/command.js';
import { copyModule } from '../../src/modules/files/copy.js';
import { fileModule } from '../../src/modules/files/file/file.js';
import { lineinfileModule } from '../../src/modules/files/lineinfile/lineinfile.js';
import type { RunModuleContext as ModuleContext, ModuleResult } from '../../src/modules/module.js';
import { loadModule, runModule } from '../../src/modules/registry.js';
import { shellModule } from '../../src/modules/system/shell.js';
import { templateModule } from '../../src/modules/files/template.js';
import { fakeContext } from '../support/module-context.js';
import { ensureLab } from '../support/lab-fixture.js';

type Lab = Awaited<ReturnType<typeof ensureLab>>;

// Quotes, spaces, substitutions, separators, redirections, a newline, non-ASCII.
const AWKWARD_NAME = `it's a "file" $(touch PWNED); x&y <z> |\`id\`\\ ü\nline2`;
const AWKWARD_CONTENT = `#!/bin/sh\necho "$(touch PWNED)" '$HOME' \`id\`; rm -rf / & <in >out\n\\n tab\there ü✓\n'"\n`;

describe('generic modules over real SSH', function () {
  this.timeout(180_000);
  let lab: Lab;
  let spec: ConnectionSpec;
  let root: SshHost;
  let kvp: SshHost;
  const scratch = `/srv/kvmplay-test-${process.pid}`;
  const opened: SshHost[] = [];

  const open = (s: ConnectionSpec): SshHost => {
    const h = new SshHost(s, { acceptNewHostKeys: false, agentSocket: '' });
    opened.push(h);
    return h;
  };
  const ctx = (over: Partial<ModuleContext> & { files?: Record<string, string> } = {}): ModuleContext => fakeContext({ hostName: 'lab01', ...over });
  const apply = async (name: string, host: SshHost, raw: Record<string, unknown>, over: Partial<ModuleContext> & { files?: Record<string, string> } = {}): Promise<ModuleResult> => {
    const mod = await loadModule(name);
    assert.ok(mod, `module ${name} is registered`);
    return runModule(mod, host, mod.args.parse(raw), ctx(over));
  };
  /** Run on lab01 as root, through argv: the checks never share the code under test. */
  const sh = async (script: string, ...args: string[]): Promise<string> => {
    const r = await root.run(['sh', '-c', script, 'sh', ...args]);
    assert.equal(r.rc, 0, r.stderr);
    return r.stdout;
  };
  const cat = async (path: string): Promise<Buffer> => {
    const b = await root.readFile(path);
    assert.ok(b, `${path} exists`);
    return b;
  };
  const statOf = async (path: string): Promise<string> => (await sh('stat -c "%a %U %G %F" -- "$1"', path)).trim();

  before(async function () {
    this.timeout(900_000);
    lab = await ensureLab();
    spec = connectionFor(await loadInventory([lab.inventory]), 'lab01');
    root = open(spec);
    const becomePassword = readFileSync(join(lab.labDir, 'become-password'), 'utf8').trim();
    kvp = open({ ...spec, user: 'kvp', becomePassword });
    await sh('rm -rf -- "$1" && mkdir -m 0755 -- "$1"', scratch);
  });

  after(async () => {
    if (root) await root.run(['rm', '-rf', '--', scratch]).catch(() => undefined);
    await Promise.all(opened.map((h) => h.close()));
  });

  afterEach(async () => {
    // Whatever a test sent, no value may have been executed on the host.
    assert.equal(await sh('find / -xdev -name PWNED 2>/dev/null | head -1'), '');
  });

  describe('copy', () => {
    it('writes, then is unchanged; check mode changes nothing; diff after a hand edit', async () => {
      const dest = `${scratch}/app.conf`;
      const args = { dest, content: 'a=1\nb=2\n', mode: '0640', owner: 'kvp' };
      const check = await apply('copy', root, args, { check: true });
      assert.equal(check.changed, true);
      assert.equal(await sh('[ -e "$1" ] && echo there || echo absent', dest), 'absent\n');

      const first = await apply('copy', root, args);
      assert.equal(first.changed, true, first.msg);
      assert.equal((await cat(dest)).toString(), 'a=1\nb=2\n');
      assert.equal(await statOf(dest), '640 kvp root regular file');
      const second = await apply('copy', root, args);
      assert.equal(second.changed, false, second.msg);

      await sh('echo hand-edit >> "$1"', dest);
      const diffCheck = await apply('copy', root, args, { check: true, diff: true });
      assert.equal(diffCheck.changed, true);
      assert.equal(diffCheck.diff, `--- before: ${dest}\n+++ after: ${dest}\n@@ -1,3 +1,2 @@\n a=1\n b=2\n-hand-edit\n`);
      assert.equal((await cat(dest)).toString(), 'a=1\nb=2\nhand-edit\n');
      const fixed = await apply('copy', root, { ...args, backup: true });
      assert.equal(fixed.changed, true);
      assert.equal((await cat(dest)).toString(), 'a=1\nb=2\n');
      assert.equal((await cat(String(fixed.data?.backup_file))).toString(), 'a=1\nb=2\nhand-edit\n');
      assert.equal(await statOf(dest), '640 kvp root regular file');
    });

    it('writes an awkward name with awkward content byte-exact over SFTP', async () => {
      const dest = `${scratch}/${AWKWARD_NAME}`;
      const r = await apply('copy', root, { dest, content: AWKWARD_CONTENT });
      assert.equal(r.changed, true, r.msg);
      assert.equal((await cat(dest)).toString(), AWKWARD_CONTENT);
      assert.equal((await apply('copy', root, { dest, content: AWKWARD_CONTENT })).changed, false);
      assert.equal(await sh('ls -A -- "$1" | grep -c kvmplay- || true', scratch), '0\n');
    });

    it('keeps the old file when validate fails on the staged one', async () => {
      const dest = `${scratch}/validated`;
      await apply('copy', root, { dest, content: 'good\n' });
      const bad = await apply('copy', root, { dest, content: 'bad\n', validate: 'grep -q good %s' });
      assert.equal(bad.failed, true);
      assert.match(bad.msg, /failed to validate/);
      assert.equal((await cat(dest)).toString(), 'good\n');
      assert.equal(await sh('ls -A -- "$1" | grep -c kvmplay- || true', scratch), '0\n');
    });

    it('writes the same file on every lab host in parallel, each with its own connection', async () => {
      const hosts = await Promise.all(lab.hosts.map(async (h) => open(connectionFor(await loadInventory([lab.inventory]), h.name))));
      const results = await Promise.all(hosts.map((h) => copyModule.run(h, copyModule.args.parse({ dest: `/srv/kvmplay-test-${process.pid}-all`, content: h.name }), ctx())));
      assert.deepEqual(results.map((r) => r.changed), lab.hosts.map(() => true));
      const again = await Promise.all(hosts.map((h) => copyModule.run(h, copyModule.args.parse({ dest: `/srv/kvmplay-test-${process.pid}-all`, content: h.name }), ctx())));
      assert.deepEqual(again.map((r) => r.changed), lab.hosts.map(() => false));
      await Promise.all(hosts.map((h) => h.run(['rm', '-f', '--', `/srv/kvmplay-test-${process.pid}-all`])));
    });
  });

  describe('become (sudo as kvp)', () => {
    it('writes a root-owned file through sudo where kvp cannot write', async () => {
      const dest = `${scratch}/root-owned $(x).conf`;
      const denied = await copyModule.run(kvp, copyModule.args.parse({ dest, content: 'x\n' }), ctx());
      assert.equal(denied.failed, true);
      assert.match(denied.msg, /denied/i);

      const r = await copyModule.run(kvp, copyModule.args.parse({ dest, content: AWKWARD_CONTENT, mode: '0600' }), ctx({ become: true }));
      assert.equal(r.changed, true, r.msg);
      assert.equal(await statOf(dest), '600 root root regular file');
      assert.equal((await cat(dest)).toString(), AWKWARD_CONTENT);
      const again = await copyModule.run(kvp, copyModule.args.parse({ dest, content: AWKWARD_CONTENT, mode: '0600' }), ctx({ become: true }));
      assert.equal(again.changed, false, again.msg);

      // A root-only file: the probe runs through sudo too, so the diff can read it.
      const diff = await copyModule.run(kvp, copyModule.args.parse({ dest, content: 'new\n', mode: '0600' }), ctx({ become: true, check: true, diff: true }));
      assert.match(diff.diff ?? '', /\+new\n/);
      assert.equal((await cat(dest)).toString(), AWKWARD_CONTENT);
    });

    it('edits a root-only file with lineinfile and creates a directory with file', async () => {
      const dir = `${scratch}/etc dir`;
      const made = await fileModule.run(kvp, fileModule.args.parse({ path: dir, state: 'directory', mode: '0700' }), ctx({ become: true }));
      assert.equal(made.changed, true, made.msg);
      assert.equal(await statOf(dir), '700 root root directory');
      const path = `${dir}/sshd_config`;
      const args = lineinfileModule.args.parse({ path, line: 'PermitRootLogin no', regexp: '^#?PermitRootLogin', create: true, mode: '0600' });
      assert.equal((await lineinfileModule.run(kvp, args, ctx({ become: true }))).changed, true);
      assert.equal((await lineinfileModule.run(kvp, args, ctx({ become: true }))).changed, false);
      assert.equal((await cat(path)).toString(), 'PermitRootLogin no\n');
      assert.equal(await statOf(path), '600 root root regular file');
    });
  });

  describe('template', () => {
    it('renders to the host, then is unchanged', async () => {
      const dest = `${scratch}/ifcfg-br0`;
      const files = { 'ifcfg-bridge.hbs': 'DEVICE=br0\nTYPE=Bridge\nONBOOT=yes\n' };
      const first = await templateModule.run(root, templateModule.args.parse({ src: 'ifcfg-bridge.hbs', dest, mode: 420 }), ctx({ files, diff: true }));
      assert.equal(first.changed, true, first.msg);
      assert.match(first.diff ?? '', /\+TYPE=Bridge/);
      assert.equal(await statOf(dest), '644 root root regular file');
      const second = await templateModule.run(root, templateModule.args.parse({ src: 'ifcfg-bridge.hbs', dest, mode: 420 }), ctx({ files }));
      assert.equal(second.changed, false);
    });
  });

  describe('file', () => {
    it('manages directories, links, touch and absent; second runs unchanged; check changes nothing', async () => {
      const d = `${scratch}/tree;&`;
      const run = (raw: Record<string, unknown>, over: Partial<ModuleContext> = {}) => fileModule.run(root, fileModule.args.parse(raw), ctx(over));
      assert.equal((await run({ path: d, state: 'directory', mode: '0750', owner: 'kvp', group: 'kvp' }, { check: true })).changed, true);
      assert.equal(await sh('[ -e "$1" ] && echo there || echo absent', d), 'absent\n');
      assert.equal((await run({ path: d, state: 'directory', mode: '0750', owner: 'kvp', group: 'kvp' })).changed, true);
      assert.equal(await statOf(d), '750 kvp kvp directory');
      assert.equal((await run({ path: d, state: 'directory', mode: '0750', owner: 'kvp', group: 'kvp' })).changed, false);

      const f = `${d}/${AWKWARD_NAME}`;
      assert.equal((await run({ path: f, state: 'touch', mode: 'u=rw,go=' })).changed, true);
      assert.equal(await statOf(f), '600 root root regular empty file');
      assert.equal((await run({ path: d, state: 'directory', recurse: true, owner: 'kvp' })).changed, true);
      assert.equal(await statOf(f), '600 kvp root regular empty file');
      assert.equal((await run({ path: d, state: 'directory', recurse: true, owner: 'kvp' })).changed, false);

      const link = `${scratch}/link to tree`;
      assert.equal((await run({ path: link, state: 'link', src: 'tree;&' })).changed, true);
      assert.equal(await sh('readlink -- "$1"', link), 'tree;&\n');
      assert.equal((await run({ path: link, state: 'link', src: 'tree;&' })).changed, false);

      const diff = await run({ path: d, state: 'absent' }, { check: true, diff: true });
      assert.match(diff.diff ?? '', /-state: directory\n(-.*\n)*\+state: absent/);
      assert.equal((await run({ path: d, state: 'absent' })).changed, true);
      assert.equal((await run({ path: d, state: 'absent' })).changed, false);
      assert.equal(await sh('[ -e "$1" ] && echo there || echo absent', d), 'absent\n');
    });
  });

  describe('lineinfile', () => {
    it('edits, is unchanged the second time, check changes nothing, diff after a hand edit', async () => {
      const path = `${scratch}/sshd_config`;
      await sh('printf "Port 22\\nPermitRootLogin yes\\n" > "$1"', path);
      const args = { path, regexp: '^PermitRootLogin', line: 'PermitRootLogin prohibit-password' };
      const check = await apply('lineinfile', root, args, { check: true, diff: true });
      assert.equal(check.changed, true);
      assert.match(check.diff ?? '', /-PermitRootLogin yes\n\+PermitRootLogin prohibit-password\n/);
      assert.equal((await cat(path)).toString(), 'Port 22\nPermitRootLogin yes\n');
      assert.equal((await apply('lineinfile', root, args)).changed, true);
      assert.equal((await apply('lineinfile', root, args)).changed, false);
      await sh('sed -i "s/^PermitRootLogin.*/PermitRootLogin without-password/" "$1"', path);
      const again = await apply('lineinfile', root, args, { diff: true });
      assert.equal(again.changed, true);
      assert.match(again.diff ?? '', /-PermitRootLogin without-password\n\+PermitRootLogin prohibit-password\n/);
      assert.equal((await cat(path)).toString(), 'Port 22\nPermitRootLogin prohibit-password\n');
    });

    it('adds an awkward line literally', async () => {
      const path = `${scratch}/awkward-lines`;
      const line = `alias x='echo "$(touch PWNED)"; \`id\` & <in >out'`;
      const r = await apply('lineinfile', root, { path, line, create: true });
      assert.equal(r.changed, true, r.msg);
      assert.equal((await cat(path)).toString(), `${line}\n`);
      assert.equal((await apply('lineinfile', root, { path, line })).changed, false);
    });
  });

  describe('command and shell', () => {
    it('runs argv words literally, reporting rc/stdout/stderr and timing', async () => {
      const r = await commandModule.run(root, commandModule.args.parse({ cmd: `printf '%s|' "$(touch PWNED)" ';' '&' "a b"`, chdir: scratch }), ctx());
      assert.equal(r.changed, true);
      assert.deepEqual([r.rc, r.stdout, r.stderr], [0, '$(touch PWNED)|;|&|a b|', '']);
      assert.deepEqual(r.data?.stdout_lines, ['$(touch PWNED)|;|&|a b|']);
      assert.match(String(r.data?.delta), /^0:00:\d\d\.\d{6}$/);
      const fail = await commandModule.run(root, commandModule.args.parse({ argv: ['ls', '--', `${scratch}/nope`] }), ctx());
      assert.deepEqual([fail.failed, fail.rc], [true, 2]);
      assert.match(fail.stderr ?? '', /No such file/);
    });

    it('honours creates/removes and chdir, and does not run in check mode', async () => {
      const marker = `${scratch}/made by shell`;
      const args = { cmd: 'echo ok > "made by shell" && cat "made by shell"', chdir: scratch, creates: 'made by*' };
      const check = await shellModule.run(root, shellModule.args.parse(args), ctx({ check: true }));
      assert.deepEqual([check.changed, check.msg], [true, 'Command would have run if not in check mode']);
      assert.equal(await sh('[ -e "$1" ] && echo there || echo absent', marker), 'absent\n');
      const first = await shellModule.run(root, shellModule.args.parse(args), ctx());
      assert.deepEqual([first.changed, first.stdout], [true, 'ok']);
      const second = await shellModule.run(root, shellModule.args.parse(args), ctx());
      assert.deepEqual([second.changed, second.msg], [false, "Did not run command since 'made by*' exists"]);
      const removes = await commandModule.run(root, commandModule.args.parse({ argv: ['rm', '--', marker], removes: marker }), ctx());
      assert.equal(removes.changed, true);
      const gone = await commandModule.run(root, commandModule.args.parse({ argv: ['rm', '--', marker], removes: marker }), ctx());
      assert.equal(gone.changed, false);
    });

    it('feeds stdin and runs as root with become', async () => {
      const r = await shellModule.run(kvp, shellModule.args.parse({ cmd: 'id -un; cat', stdin: 'from stdin' }), ctx({ become: true }));
      assert.equal(r.stdout, 'root\nfrom stdin');
    });
  });
});
