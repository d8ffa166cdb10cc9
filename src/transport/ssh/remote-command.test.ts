import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { killScript, markersFor, StderrHeader, wrapCommand, type HeaderEvent } from './remote-command.js';

// sshd runs the command as `$SHELL -c LINE` in a new session; so do these tests, locally.
function runLikeSshd(line: string): { stdout: string; stderr: Buffer; status: number | null } {
  const out = spawnSync('setsid', ['sh', '-c', line], { encoding: 'buffer' });
  return { stdout: out.stdout.toString('utf8'), stderr: out.stderr, status: out.status };
}

// Processes of a group that are still running. Zombies do not count: they are dead,
// and PID 1 of some sandboxes never reaps them.
function liveInGroup(pgid: number): number[] {
  const live: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    // pid (comm) state ppid pgrp …; comm may hold spaces, so split after its ')'.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z') live.push(Number(name));
  }
  return live;
}

function readHeader(nonce: string, stderr: Buffer) {
  const header = new StderrHeader(markersFor(nonce));
  const events: HeaderEvent[] = [];
  const rest: Buffer[] = [];
  // One byte at a time: markers split across chunks must still be found.
  for (const byte of stderr) {
    const r = header.push(Buffer.from([byte]));
    events.push(...r.events);
    if (r.rest) rest.push(r.rest);
  }
  return { header, events, rest: Buffer.concat(rest).toString('utf8') };
}

describe('remote command wrapping', () => {
  it('runs an argv exactly, however awkward its words', () => {
    const argv = ['printf', '%s|', "it's", '$(id)', 'a;b', 'a&b', '<x', 'l1\nl2', '', 'ü✓'];
    const r = runLikeSshd(wrapCommand({ command: argv, nonce: 'n1' }));
    assert.equal(r.status, 0);
    assert.equal(r.stdout, "it's|$(id)|a;b|a&b|<x|l1\nl2||ü✓|");
  });

  it('hands a string to sh -c as is', () => {
    const r = runLikeSshd(wrapCommand({ command: 'echo one; echo two >&2; exit 3', nonce: 'n2' }));
    assert.equal(r.status, 3);
    assert.equal(r.stdout, 'one\n');
    const h = readHeader('n2', r.stderr);
    assert.equal(h.rest, 'two\n');
  });

  it('changes to cwd first, and fails without running the command when it is missing', () => {
    assert.equal(runLikeSshd(wrapCommand({ command: ['pwd'], cwd: '/tmp', nonce: 'n3' })).stdout, '/tmp\n');
    const r = runLikeSshd(wrapCommand({ command: ['echo', 'ran'], cwd: '/nonexistent dir', nonce: 'n3' }));
    assert.notEqual(r.status, 0);
    assert.equal(r.stdout, '');
  });

  it('prints the process group then the go marker before the command writes anything', () => {
    const r = runLikeSshd(wrapCommand({ command: 'echo err >&2', nonce: 'n4' }));
    const h = readHeader('n4', r.stderr);
    assert.deepEqual(h.events.map((e) => e.kind), ['pid', 'started']);
    const [pid, started] = h.events;
    assert.ok(pid?.kind === 'pid' && pid.pid > 1);
    assert.ok(started?.kind === 'started' && started.pid === (pid.kind === 'pid' ? pid.pid : -1));
    assert.equal(h.rest, 'err\n');
    assert.equal(h.header.chatter, '');
  });

  it('puts sudo with our prompt marker between the two shells when becoming', () => {
    const line = wrapCommand({ command: ['whoami'], become: { method: 'sudo', user: 'root' }, nonce: 'n5' });
    assert.match(line, /exec sudo -S -H -p KVMPLAY-n5-SUDO: -u root -- sh -c /);
  });

  it('hands the inner shell to su -s /bin/sh -c with the target user last', () => {
    const line = wrapCommand({ command: ['whoami'], become: { method: 'su', user: 'nobody' }, nonce: 'n6' });
    assert.ok(line.startsWith(`printf 'KVMPLAY-n6-PID=%s\\n' "$$" >&2; exec su -s /bin/sh -c 'printf '\\''KVMPLAY-n6-GO=`), line);
    assert.ok(line.endsWith(`"$$" >&2; exec whoami' nobody`), line);
  });

  // The tests run as root (the lab needs it): su from root asks for no password.
  it('becomes another user through su, the command and its environment intact', () => {
    const env = { SPACED: 'a b  c', QUOTES: `it's "x" $(id) \\n`, EMPTY: '' };
    const argv = ['sh', '-c', 'id -un; printf "%s|" "$SPACED" "$QUOTES" "${EMPTY-unset}"; pwd', 'x'];
    const r = runLikeSshd(wrapCommand({ command: argv, become: { method: 'su', user: 'nobody' }, env, cwd: '/', nonce: 'n7' }));
    assert.equal(r.status, 0, r.stderr.toString());
    assert.equal(r.stdout, `nobody\na b  c|it's "x" $(id) \\n||/\n`);
    assert.equal(readHeader('n7', r.stderr).rest, '');
  });

  it('exports the environment in the inner shell, values exactly as given', () => {
    const env = { A: "x 'y' \"z\"", B: 'l1\nl2', C: '$HOME;`id`' };
    const r = runLikeSshd(wrapCommand({ command: 'printf "%s|" "$A" "$B" "$C"', env, nonce: 'n8' }));
    assert.equal(r.stdout, `x 'y' "z"|l1\nl2|$HOME;\`id\`|`);
  });

  it('refuses an environment variable name that is no shell identifier', () => {
    assert.throws(() => wrapCommand({ command: ['true'], env: { 'A B': '1' }, nonce: 'n9' }), /"A B" is not a valid variable name/);
    assert.throws(() => wrapCommand({ command: ['true'], env: { 'X;id': '1' }, nonce: 'n9' }), TypeError);
  });

  it('refuses a nonce that would need quoting', () => {
    assert.throws(() => markersFor("a'b"), /alphanumeric/);
  });
});

describe('stderr header reading', () => {
  const m = markersFor('xy');

  it('counts sudo prompts (printed without newline) and keeps sudo chatter apart', () => {
    const h = readHeader('xy', Buffer.from(`${m.pid}42\n${m.prompt}Sorry, try again.\n${m.prompt}sudo: 1 incorrect password attempt\n`));
    assert.deepEqual(h.events.map((e) => e.kind), ['pid', 'prompt', 'prompt']);
    assert.equal(h.header.started, false);
    assert.equal(h.header.chatter, 'Sorry, try again.\nsudo: 1 incorrect password attempt\n');
  });

  it('recognises su\'s own password prompt only when asked to, and only a whole one', () => {
    const su = new StderrHeader(m, { suPrompt: true });
    assert.deepEqual(su.push(Buffer.from(`${m.pid}42\nsu:`)).events.map((e) => e.kind), ['pid']);
    assert.deepEqual(su.push(Buffer.from(' warning\nPass')).events, []);
    assert.deepEqual(su.push(Buffer.from('word: ')).events.map((e) => e.kind), ['prompt']);
    assert.equal(su.chatter, 'su: warning\n');
    const sudo = new StderrHeader(m);
    assert.deepEqual(sudo.push(Buffer.from('Password: ')).events, []);
  });

  it('passes everything after the go marker through untouched, markers look-alikes included', () => {
    const h = readHeader('xy', Buffer.from(`${m.pid}42\n${m.prompt}${m.go}43\nafter ${m.prompt}\nü\n`));
    assert.deepEqual(h.events.map((e) => e.kind), ['pid', 'prompt', 'started']);
    assert.equal(h.rest, `after ${m.prompt}\nü\n`);
  });
});

describe('ending a wrapped command', () => {
  it('kills the whole process group, children that ignore TERM included', async function () {
    this.timeout(15000);
    const line = wrapCommand({ command: "trap '' TERM; sleep 300 & sleep 301; wait", nonce: 'k1' });
    const child = spawn('setsid', ['sh', '-c', line], { stdio: ['ignore', 'ignore', 'pipe'] });
    const header = new StderrHeader(markersFor('k1'));
    const pid = await new Promise<number>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        for (const e of header.push(d).events) if (e.kind === 'pid') resolve(e.pid);
      });
    });
    await new Promise((r) => setTimeout(r, 300));
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    const kill = spawnSync('sh', ['-c', killScript([pid], 0.5)], { encoding: 'utf8' });
    assert.equal(kill.status, 0, kill.stderr);
    await exited;
    // SIGKILL is sent when killScript returns; under load a killed process takes a moment to go.
    for (let i = 0; i < 40 && liveInGroup(pid).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(liveInGroup(pid), []);
  });

  it('is quiet and successful when the command is already gone', () => {
    const kill = spawnSync('sh', ['-c', killScript([2147483000])], { encoding: 'utf8' });
    assert.equal(kill.status, 0);
    assert.equal(kill.stderr, '');
  });
});
