// The safe apply's host-side scripts (SPEC 6 `bridge`): generated text and quoting,
// then the real scripts run on this machine with `sh` (setsid path) on files in a
// temp directory, with harmless commands in place of `ip`: apply + disarm keeps the
// change; no disarm restores the files at the deadline; a failing command rolls back
// at once; the token makes the rollback and the disarm exclusive.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  applyScript, armArgv, disarmArgv, parseStatus, rollbackMethod, rollbackScript, saveScript, stateTag, statusArgv, tempBeside, type SafeApply,
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
    assert.ok(ap.includes("chmod 0600 '/etc/.it'\\''s a"), ap);
    // Nothing unquoted: every line that names the awkward path has it inside single quotes.
    for (const line of [...rb.split('\n'), ...ap.split('\n'), ...saveScript(s).split('\n')]) {
      if (line.includes('PWNED')) assert.match(line, /'[^']*\$\(touch PWNED\)[^']*'/, line);
    }
  });

  it('writes files through a dot-named temp beside them, which interfaces.d/* and ifcfg-* never match', () => {
    assert.equal(tempBeside('/etc/network/interfaces.d/br0', 'new'), '/etc/network/interfaces.d/.br0.kvmplay-new');
    assert.match(applyScript(safeApply()), /cp -- "\$d\/new\.0" \/etc\/network\/interfaces\.d\/\.br0\.kvmplay-new && chmod 0644 .* && mv -f -- \/etc\/network\/interfaces\.d\/\.br0\.kvmplay-new \/etc\/network\/interfaces\.d\/br0 \|\| fail/);
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
    assert.deepEqual(argv.filter((_, i) => i >= 8 && i % 2 === 0), ['save.sh', 'rollback.sh', 'apply.sh', 'new.0']);
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

  it('applies, is disarmed, and nothing rolls back after the deadline', async () => {
    const { s, existing, created, marker } = setup();
    const out = run(armArgv(s));
    assert.match(out, /^armed setsid pid \d+\nstarted\n$/);
    const sleeper = Number(/pid (\d+)/.exec(out)?.[1]);
    await until('the apply', () => status(s.dir).appliedAt !== null);
    assert.equal(readFileSync(created, 'utf8'), 'auto br0\n');
    assert.equal(readFileSync(existing, 'utf8'), '#kvmplay(br0)# iface em1 inet static\n');
    assert.equal(statSync(existing).mode & 0o777, 0o644);
    assert.equal(run(disarmArgv(s)).trim(), 'disarmed');
    await until('the sleeper to end', () => !alive(sleeper));
    await sleep(2_500);
    assert.equal(status(s.dir).token, 'disarmed');
    assert.equal(readFileSync(created, 'utf8'), 'auto br0\n');
    assert.ok(!existsSync(marker), 'the restore commands did not run');
    assert.equal(run(disarmArgv(s)).trim(), 'fired', 'a second disarm finds no armed token');
  });

  it('without a disarm, restores the files and runs the restore commands at the deadline', async () => {
    const { s, existing, created, marker } = setup();
    const t0 = Date.now();
    run(armArgv(s));
    await until('the rollback', () => status(s.dir).token === 'rolled-back', 6_000);
    assert.ok(Date.now() - t0 >= 1_900, 'not before the deadline');
    assert.equal(readFileSync(existing, 'utf8'), 'iface em1 inet static\n');
    assert.equal(statSync(existing).mode & 0o777, 0o640, 'mode kept');
    assert.ok(!existsSync(created), 'a file that did not exist is removed');
    assert.ok(existsSync(marker), 'the restore commands ran');
    const st = status(s.dir);
    assert.deepEqual(st.restored, [`restored ${existing}`, `removed ${created}`, 'live em1: veth, up, addresses 10.213.0.12/24']);
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

  it('refuses to arm twice into the same state directory (exit 3, nothing changed)', () => {
    const { s } = setup();
    mkdirSync(s.dir, { recursive: true });
    const r = spawnSync(armArgv(s)[0] ?? '', armArgv(s).slice(1));
    assert.equal(r.status, 3);
  });
});
