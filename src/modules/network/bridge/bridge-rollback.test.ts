// The safe apply's host-side scripts (SPEC 6 `bridge`): generated text and quoting,
// then the real scripts run on this machine with `sh` (setsid path) on files in a
// temp directory, with harmless commands in place of `ip`: the persistent files are
// written only by the disarm, after the change (apply + disarm keeps the change and
// writes them); no disarm restores the live state at the deadline and leaves the
// files alone; a failing command rolls back at once; a commit that cannot write the
// files undoes what it wrote and the live change; the token makes the rollback and
// the disarm exclusive.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  applyScript, armArgv, commitScript, disarmArgv, DISARM_SCRIPT, parseStatus, rollbackMethod, rollbackScript, saveScript, stateTag, statusArgv, tempBeside, type SafeApply,
} from './bridge-rollback.js';

const AWKWARD = `it's a "dir" $(touch PWNED) \`id\` x;y`;

function safeApply(over: Partial<SafeApply> = {}): SafeApply {
  return {
    dir: '/var/lib/kvmplay/bridge/br0-0a1b2c3d',
    bridge: 'br0',
    method: 'setsid',
    unit: 'kvmplay-bridge-rollback-br0-0a1b2c3d',
    timeoutS: 30,
    files: [{ path: '/etc/network/interfaces.d/br0', content: 'auto br0\n', mode: 0o644 }],
    apply: [['ip', 'link', 'add', 'name', 'br0', 'type', 'bridge']],
    restore: [['ip', 'link', 'del', 'dev', 'br0']],
    commit: [],
    restoredLive: ['live em1: veth, up, addresses 10.213.0.12/24'],
    ...over,
  };
}

describe('bridge rollback scripts (generated text)', () => {
  it('quotes every path and argument, leaving nothing for the shell to expand', () => {
    const s = safeApply({
      dir: `/tmp/${AWKWARD}`,
      files: [{ path: `/etc/${AWKWARD}`, content: 'x', mode: 0o600 }],
      apply: [['ip', 'addr', 'add', `$(touch PWNED)`, 'dev', "em'1"]],
      restore: [['ip', 'link', 'del', 'dev', '`id`']],
      restoredLive: ["live em1: it's $HOME"],
    });
    const rb = rollbackScript(s);
    assert.ok(rb.includes(`d='/tmp/it'\\''s a "dir" $(touch PWNED) \`id\` x;y'\n`), rb);
    assert.ok(rb.includes(`ip link del dev '\`id\`' || :`), rb);
    assert.ok(rb.includes(`echo 'live em1: it'\\''s $HOME' >> "$d/restored"`), rb);
    const ap = applyScript(s);
    assert.ok(ap.includes(`ip addr add '$(touch PWNED)' dev 'em'\\''1' || fail 'ip addr add '\\''$(touch PWNED)'\\'' dev '\\''em'\\''\\'\\'''\\''1'\\'''`), ap);
    const cm = commitScript(s);
    assert.ok(cm.includes("chmod 0600 '/etc/.it'\\''s a"), cm);
    // Nothing unquoted: every line that names the awkward path has it inside single quotes.
    for (const line of [...rb.split('\n'), ...ap.split('\n'), ...cm.split('\n'), ...saveScript(s).split('\n')]) {
      if (line.includes('PWNED')) assert.match(line, /'[^']*\$\(touch PWNED\)[^']*'/, line);
    }
  });

  it('writes files through a dot-named temp beside them, which interfaces.d/* and ifcfg-* never match', () => {
    assert.equal(tempBeside('/etc/network/interfaces.d/br0', 'new'), '/etc/network/interfaces.d/.br0.kvmplay-new');
    assert.match(commitScript(safeApply()), /cp -- "\$d\/new\.0" \/etc\/network\/interfaces\.d\/\.br0\.kvmplay-new && chmod 0644 .* && mv -f -- \/etc\/network\/interfaces\.d\/\.br0\.kvmplay-new \/etc\/network\/interfaces\.d\/br0 \|\| fail/);
  });

  it('makes the live change without the persistent files; the disarm claims the token, then commit.sh writes them', () => {
    const s = safeApply();
    const ap = applyScript(s);
    assert.ok(!ap.includes('/etc/network/interfaces.d/br0'), `apply.sh does not touch the file:\n${ap}`);
    assert.match(ap, /^ip link add name br0 type bridge \|\| fail/m);
    const cm = commitScript(s);
    assert.match(cm, /^: > "\$d\/wrote\.0" && .* \/etc\/network\/interfaces\.d\/br0 \|\| fail/m);
    // In the disarm: token first (the rollback can no longer win), the timer stopped, then commit.sh.
    const at = (x: string): number => DISARM_SCRIPT.indexOf(x);
    assert.ok(at('mv -- "$d/armed" "$d/committing"') >= 0);
    assert.ok(at('mv -- "$d/armed" "$d/committing"') < at('systemctl stop'));
    assert.ok(at('systemctl stop') < at('sh "$d/commit.sh"'));
    assert.ok(at('sh "$d/commit.sh"') < at('mv -- "$d/committing" "$d/disarmed"'));
    // The rollback restores a file only if commit.sh began writing it.
    assert.match(rollbackScript(s), /if \[ ! -e "\$d\/wrote\.0" \]; then :\nelif \[ -e "\$d\/orig\.0" \]/);
  });

  it('with NetworkManager: the change is made from volatile copies (livePath), which commit.sh replaces by the files', () => {
    const run = '/run/NetworkManager/system-connections/br0.nmconnection';
    const s = safeApply({
      files: [{ path: '/etc/NetworkManager/system-connections/br0.nmconnection', content: '[connection]\n', mode: 0o600, livePath: run }],
      apply: [['nmcli', 'connection', 'reload'], ['nmcli', 'connection', 'up', 'uuid', 'u-1']],
      commit: [['nmcli', 'connection', 'reload']],
    });
    const ap = applyScript(s);
    assert.ok(!ap.includes('/etc/NetworkManager'), ap);
    assert.ok(ap.indexOf(`mv -f -- /run/NetworkManager/system-connections/.br0.nmconnection.kvmplay-new ${run}`) < ap.indexOf('nmcli connection reload'), ap);
    const cm = commitScript(s);
    const lines = cm.split('\n');
    const idx = (re: RegExp): number => lines.findIndex((l) => re.test(l));
    assert.ok(idx(/mv -f -- \S+ \/etc\/NetworkManager\/system-connections\/br0\.nmconnection \|\|/) < idx(/^rm -f -- \/run\//), cm);
    assert.ok(idx(/^rm -f -- \/run\//) < idx(/^nmcli connection reload \|\| fail/), cm);
    assert.match(rollbackScript(s), new RegExp(`if \\[ -e "\\$d/live\\.0" \\] && \\[ -e ${run.replace(/\./g, '\\.')} \\]; then rm -f -- ${run.replace(/\./g, '\\.')}`));
  });

  it('arms with systemd-run where systemd is PID 1, else a setsid sleeper', () => {
    assert.equal(rollbackMethod({ systemdPid1: true, systemdRun: true }), 'systemd');
    assert.equal(rollbackMethod({ systemdPid1: false, systemdRun: true }), 'setsid');
    assert.equal(rollbackMethod({ systemdPid1: true, systemdRun: false }), 'setsid');
    const argv = armArgv(safeApply({ method: 'systemd', timeoutS: 8 }));
    assert.deepEqual(argv.slice(0, 2), ['sh', '-c']);
    assert.match(argv[2] ?? '', /systemd-run --quiet --collect --unit="\$unit" --description="kvmplay bridge rollback" --on-active="\$timeout" --timer-property=AccuracySec=100ms \/bin\/sh "\$d\/rollback\.sh"/);
    assert.match(argv[2] ?? '', /systemd-run --quiet --collect --unit="\$unit-apply"/);
    assert.deepEqual(argv.slice(3, 8), ['kvmplay-bridge', '/var/lib/kvmplay/bridge/br0-0a1b2c3d', 'systemd', '8', 'kvmplay-bridge-rollback-br0-0a1b2c3d']);
    // Staged files travel as NAME BASE64 pairs, never inside the script text.
    assert.deepEqual(argv.filter((_, i) => i >= 8 && i % 2 === 0), ['save.sh', 'rollback.sh', 'apply.sh', 'commit.sh', 'new.0']);
    assert.equal(Buffer.from(argv[argv.length - 1] ?? '', 'base64').toString(), 'auto br0\n');
    assert.deepEqual(disarmArgv(safeApply({ method: 'systemd' })).slice(3), ['kvmplay-bridge', '/var/lib/kvmplay/bridge/br0-0a1b2c3d', 'systemd', 'kvmplay-bridge-rollback-br0-0a1b2c3d']);
    assert.equal(stateTag('br0.100', 'ab12'), 'br0_100-ab12');
  });

  it('parses the status probe', () => {
    assert.deepEqual(parseStatus('1234.56 rolled-back 1230.10 no\n--\nrestored /etc/network/interfaces\nlive em1: up\n--\n==> log <==\nok\n'), {
      uptime: 1234.56, token: 'rolled-back', appliedAt: 1230.1, applyFailed: false,
      restored: ['restored /etc/network/interfaces', 'live em1: up'], log: '==> log <==\nok',
    });
    assert.equal(parseStatus('1.5 armed - yes\n--\n--\n').appliedAt, null);
    assert.throws(() => parseStatus('garbage'), /unexpected output/);
  });
});

describe('bridge rollback scripts (run with sh on this machine)', function () {
  this.timeout(20_000);
  let root: string;
  const run = (argv: string[]): string => execFileSync(argv[0] ?? '', argv.slice(1), { encoding: 'utf8' });
  const status = (dir: string) => parseStatus(run(statusArgv(dir)));
  async function until(what: string, test: () => boolean, ms = 8_000): Promise<void> {
    const end = Date.now() + ms;
    while (!test()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await sleep(50);
    }
  }
  const alive = (pid: number): boolean => spawnSync('kill', ['-0', String(pid)]).status === 0;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'kvmplay-bridge-rb-'));
  });
  afterEach(() => {
    assert.ok(!existsSync(join(process.cwd(), 'PWNED')) && !existsSync(join(root, 'PWNED')), 'nothing was executed');
    rmSync(root, { recursive: true, force: true });
  });

  /** An existing file (changed) and a new one (created), in an awkwardly named directory. */
  function setup(over: Partial<SafeApply> = {}): { s: SafeApply; existing: string; created: string; marker: string } {
    const etc = join(root, AWKWARD);
    mkdirSync(etc);
    const existing = join(etc, 'interfaces');
    writeFileSync(existing, 'iface em1 inet static\n', { mode: 0o640 });
    const created = join(etc, 'interfaces.d', 'br0');
    const marker = join(root, `restored ${AWKWARD}`);
    const s = safeApply({
      dir: join(root, 'state', stateTag('br0', 'test')),
      timeoutS: 2,
      files: [
        { path: existing, content: '#kvmplay(br0)# iface em1 inet static\n', mode: 0o644 },
        { path: created, content: 'auto br0\n', mode: 0o644 },
      ],
      apply: [['true', 'ip', 'link', 'add', 'br0']],
      restore: [['touch', '--', marker]],
      ...over,
    });
    return { s, existing, created, marker };
  }

  it('applies with the old files in place; the disarm writes the new ones; nothing rolls back after the deadline', async () => {
    const { s, existing, created, marker } = setup();
    const out = run(armArgv(s));
    assert.match(out, /^armed setsid pid \d+\nstarted\n$/);
    const sleeper = Number(/pid (\d+)/.exec(out)?.[1]);
    await until('the apply', () => status(s.dir).appliedAt !== null);
    // The rollback window: the change is live, the files are the old ones.
    assert.ok(!existsSync(created));
    assert.equal(readFileSync(existing, 'utf8'), 'iface em1 inet static\n');
    assert.equal(run(disarmArgv(s)).trim(), 'disarmed');
    assert.equal(readFileSync(created, 'utf8'), 'auto br0\n');
    assert.equal(readFileSync(existing, 'utf8'), '#kvmplay(br0)# iface em1 inet static\n');
    assert.equal(statSync(existing).mode & 0o777, 0o644);
    await until('the sleeper to end', () => !alive(sleeper));
    await sleep(2_500);
    assert.equal(status(s.dir).token, 'disarmed');
    assert.equal(readFileSync(created, 'utf8'), 'auto br0\n');
    assert.ok(!existsSync(marker), 'the restore commands did not run');
    assert.equal(run(disarmArgv(s)).trim(), 'fired', 'a second disarm finds no armed token');
  });

  it('without a disarm, runs the restore commands at the deadline; the files were never touched', async () => {
    const { s, existing, created, marker } = setup();
    const t0 = Date.now();
    run(armArgv(s));
    await until('the rollback', () => status(s.dir).token === 'rolled-back', 6_000);
    assert.ok(Date.now() - t0 >= 1_900, 'not before the deadline');
    assert.equal(readFileSync(existing, 'utf8'), 'iface em1 inet static\n');
    assert.equal(statSync(existing).mode & 0o777, 0o640, 'mode kept');
    assert.ok(!existsSync(created));
    assert.ok(existsSync(marker), 'the restore commands ran');
    const st = status(s.dir);
    assert.deepEqual(st.restored, ['live em1: veth, up, addresses 10.213.0.12/24']);
    assert.equal(run(disarmArgv(s)).trim(), 'fired');
  });

  it('rolls back at once when a command of the change fails', async () => {
    const { s, existing, created, marker } = setup({ timeoutS: 3, apply: [['true'], ['sh', '-c', 'echo no such device >&2; exit 2']] });
    const t0 = Date.now();
    run(armArgv(s));
    await until('the rollback', () => status(s.dir).token === 'rolled-back');
    assert.ok(Date.now() - t0 < 2_500, 'before the deadline');
    const st = status(s.dir);
    assert.equal(st.applyFailed, true);
    assert.match(st.log, /no such device/);
    assert.match(st.log, /failed: sh -c 'echo no such device >&2; exit 2'/);
    assert.equal(readFileSync(existing, 'utf8'), 'iface em1 inet static\n');
    assert.ok(!existsSync(created));
    assert.ok(existsSync(marker));
    await sleep(3_200); // the sleeper wakes, finds no token and does nothing
    assert.equal(status(s.dir).token, 'rolled-back');
  });

  it('when the disarm cannot write the files, undoes what it wrote and the live change at once', async () => {
    const blocker = join(root, 'not-a-dir');
    writeFileSync(blocker, '');
    const { s: base, existing, marker } = setup();
    // The second file cannot be written (its directory is a regular file); the first was.
    const s = { ...base, files: [...base.files.slice(0, 1), { path: join(blocker, 'br0'), content: 'x\n', mode: 0o644 }] };
    run(armArgv(s));
    await until('the apply', () => status(s.dir).appliedAt !== null);
    const out = run(disarmArgv(s));
    assert.match(out, /^commit-failed\n(?:.*\n)*failed: writing .*not-a-dir\/br0\n/);
    await until('the rollback', () => status(s.dir).token === 'rolled-back');
    assert.equal(readFileSync(existing, 'utf8'), 'iface em1 inet static\n', 'the file it wrote is restored');
    assert.equal(statSync(existing).mode & 0o777, 0o640);
    assert.ok(existsSync(marker), 'the live change is undone');
    assert.deepEqual(status(s.dir).restored, [`restored ${existing}`, 'live em1: veth, up, addresses 10.213.0.12/24']);
    await sleep(2_200); // the sleeper was killed by the disarm: nothing more happens
    assert.equal(status(s.dir).token, 'rolled-back');
  });

  it('refuses to arm twice into the same state directory (exit 3, nothing changed)', () => {
    const { s } = setup();
    mkdirSync(s.dir, { recursive: true });
    const r = spawnSync(armArgv(s)[0] ?? '', armArgv(s).slice(1));
    assert.equal(r.status, 3);
  });
});
