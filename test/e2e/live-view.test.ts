// The live view of `kvmplay run` on a real pseudo-terminal of 20 rows with 50 hosts
// (issue 15): the hosts that matter stay on screen — the failed one and those running a
// task — the rest is counted on one line, no frame is taller than the terminal, the view
// is gone at the end and the recap follows. `script` gives the pty, as in interrupt-tty.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { quoteShellCommand } from '../../src/util/shell-quote.js';
import { kvmplayBin, repoRoot, scratchDir, writeFile } from '../support/cli.js';
import { DEFAULT_LAB, ensureLab, type Lab } from '../support/lab-fixture.js';

const ROWS = 20;
// Any SGR sequence: colours and their reset.
const COLOUR = /\x1b\[[0-9;]*m/;
const uncoloured = (text: string): string => text.replace(/\x1b\[[0-9;]*m/g, '');

interface PtyRun {
  code: number | null;
  output: string;
}

function runOnPty(args: string[], env: NodeJS.ProcessEnv): Promise<PtyRun> {
  const cmd = `stty cols 120 rows ${ROWS}; exec ${quoteShellCommand([process.execPath, kvmplayBin, ...args])}`;
  const child = spawn('script', ['-qefc', cmd, '/dev/null'], { cwd: repoRoot, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, output })));
}

/** The frames drawn: the text between two moves of the cursor up over the previous frame (the last piece is the end). */
function framesOf(output: string): { frames: string[]; ups: number[]; end: string } {
  const ups = [...output.matchAll(/\x1b\[(\d+)A/g)].map((m) => Number(m[1]));
  const pieces = output.split(/\x1b\[\d+A/);
  const end = pieces.pop() ?? '';
  return { frames: pieces.map(uncoloured), ups, end: uncoloured(end) };
}

describe('the live view of kvmplay run, 50 hosts on a 20-row terminal', function () {
  this.timeout(30 * 60_000);
  let lab: Lab;
  let playbook: string;

  before(async function () {
    this.timeout(30 * 60_000);
    lab = await ensureLab({ hosts: 50, light: true });
    assert.equal(lab.hosts.length, 50);
    const dir = scratchDir('live-view');
    playbook = writeFile(dir, 'sleepers.yaml', [
      '- name: sleepers',
      '  hosts: all',
      '  gather_facts: false',
      '  tasks:',
      '    - name: check the disk',
      '      fail:',
      '        msg: no disk here',
      "      when: inventory_hostname == 'lab07'",
      '    - name: sleep a while',
      '      command: sleep 3',
      '',
    ].join('\n'));
  });

  after(async function () {
    this.timeout(30 * 60_000);
    await ensureLab(DEFAULT_LAB); // later test files expect the default lab
  });

  it('keeps the failed and the running hosts on screen, never taller than the terminal, then prints the recap', async () => {
    const env = { ...process.env };
    delete env['NO_COLOR'];
    delete env['FORCE_COLOR'];
    const r = await runOnPty(['run', playbook, '-i', lab.inventory], env);
    assert.equal(r.code, 2, r.output); // a host failed
    const { frames, ups, end } = framesOf(r.output);
    assert.ok(frames.length >= 5, `only ${frames.length} frames:\n${r.output}`);

    // Never taller than the terminal: lines written per frame, and how far the cursor went back up.
    for (const f of frames) assert.ok(f.split('\n').length - 1 < ROWS, `a frame of ${f.split('\n').length - 1} lines:\n${f}`);
    assert.ok(ups.every((n) => n < ROWS), `cursor moved up ${ups.join(', ')} lines`);

    // While the sleep ran: its title on top and running hosts by name on their rows.
    const running = new Set<string>();
    for (const f of frames) for (const m of f.matchAll(/(lab\d\d) +ok=\d+ changed=\d+[^\n]*?TASK \[sleep a while\]/g)) running.add(m[1]!);
    assert.ok(running.size >= 5, `running hosts seen: ${[...running].join(', ')}\n${r.output}`);
    assert.ok(frames.some((f) => /TASK \[sleep a while\] \d+ hosts/.test(f)), r.output);

    // Once failed, lab07 stays on every frame.
    const firstFailed = frames.findIndex((f) => /lab07 +ok=0 changed=0 failed=1 +FAILED at \[check the disk\]: no disk here/.test(f));
    assert.ok(firstFailed >= 0, `lab07 never shown failed:\n${r.output}`);
    for (const f of frames.slice(firstFailed)) assert.match(f, /lab07 .*FAILED at \[check the disk\]/);
    // More hosts than rows: one line counts the others.
    assert.ok(frames.some((f) => /… \d+ more: /.test(f)), r.output);

    // The end: the view erased, then the failure's details and the recap, last.
    assert.match(end, /^\r?\x1b\[J/);
    assert.match(end, /fatal: \[lab07\]: FAILED! => no disk here[\s\S]*PLAY RECAP[\s\S]*lab07 +: ok=0 +changed=0 +unreachable=0 +failed=1[\s\S]*lab50 +: ok=1 +changed=1/);
    assert.match(r.output, COLOUR, 'colours on a terminal');
  });

  it('writes no colour codes with NO_COLOR=1', async () => {
    const r = await runOnPty(['run', playbook, '-i', lab.inventory], { ...process.env, NO_COLOR: '1' });
    assert.equal(r.code, 2, r.output);
    assert.match(r.output, /PLAY RECAP/);
    assert.match(r.output, /FAILED at \[check the disk\]/);
    assert.doesNotMatch(r.output, COLOUR, r.output);
  });
});
