// Ctrl-C on a terminal (issue 11, item 11): under a real pseudo-terminal, where the
// live listr2 view runs, ^C must go through kvmplay's own handling as it does when
// piped: the remote command ended, the recap printed, exit 99. `script` gives the
// pty; writing ^C to it makes the terminal send SIGINT, as a keyboard does.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { SshHost } from '../../src/transport/ssh/ssh-host.js';
import { connectionFor, loadInventory } from '../../src/inventory/index.js';
import { quoteShellCommand } from '../../src/util/shell-quote.js';
import { kvmplayBin, repoRoot, scratchDir, withoutTerminalCodes, writeFile } from '../support/cli.js';
import { ensureLab, type Lab } from '../support/lab-fixture.js';

interface PtyRun {
  code: number | null;
  output: string;
  /** From ^C to the exit, in ms. */
  ms: number;
}

describe('Ctrl-C on a terminal over real SSH', function () {
  this.timeout(600_000);
  let lab: Lab;
  let lab02: SshHost;
  let dir: string;

  const sleeping = async (): Promise<boolean> => (await lab02.run(['pgrep', '-x', '-f', 'sleep 300'])).rc === 0;

  /** Run kvmplay ARGS on a pty; once `sleep 300` runs on lab02, type ^C. */
  async function interruptOnPty(args: string[]): Promise<PtyRun> {
    const cmd = `stty cols 120 rows 40; exec ${quoteShellCommand([process.execPath, kvmplayBin, ...args])}`;
    const child = spawn('script', ['-qefc', cmd, '/dev/null'], { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    for (let i = 0; i < 300 && !(await sleeping()); i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(await sleeping(), `sleep 300 never started on lab02:\n${output}`);
    const typed = Date.now();
    child.stdin.write('\x03');
    const code = await exited;
    // Colours and cursor movements of the terminal view are not what the assertions read.
    return { code, output: withoutTerminalCodes(output), ms: Date.now() - typed };
  }

  before(async function () {
    this.timeout(900_000);
    lab = await ensureLab();
    const inv = await loadInventory([lab.inventory]);
    lab02 = new SshHost(connectionFor(inv, 'lab02'), { acceptNewHostKeys: false, agentSocket: '' });
    assert.equal(await sleeping(), false, 'a sleep 300 is already running on lab02');
    dir = scratchDir('interrupt-tty');
    writeFile(dir, 'sleep.yaml', [
      '- hosts: lab02',
      '  gather_facts: false',
      '  tasks:',
      '    - command: sleep 300',
      '    - command: echo after the sleep',
      '',
    ].join('\n'));
  });

  after(async () => {
    await lab02.run(['pkill', '-x', '-f', 'sleep 300']).catch(() => undefined);
    await lab02.close();
  });

  it('exits 99 from kvmplay run with the recap printed and the remote sleep ended, each of three times', async () => {
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await interruptOnPty(['run', join(dir, 'sleep.yaml'), '-i', lab.inventory]);
      assert.equal(r.code, 99, r.output);
      assert.match(r.output, /PLAY RECAP[\s\S]*lab02 +: ok=0/, r.output);
      assert.match(r.output, /interrupted/, r.output);
      assert.doesNotMatch(r.output, /after the sleep/, r.output);
      assert.equal(await sleeping(), false, 'the remote sleep still runs');
      times.push(r.ms);
    }
    console.log(`      Ctrl-C on a pty to exit 99 (kvmplay run): ${times.join(' ms, ')} ms`);
  });

  it('exits 99 from kvmplay exec with the recap printed and the remote sleep ended', async () => {
    const r = await interruptOnPty(['exec', '-i', lab.inventory, '--limit', 'lab02', '--', 'sleep', '300']);
    assert.equal(r.code, 99, r.output);
    assert.match(r.output, /lab02 +: ok=0/, r.output);
    assert.equal(await sleeping(), false, 'the remote sleep still runs');
    console.log(`      Ctrl-C on a pty to exit 99 (kvmplay exec): ${r.ms} ms`);
  });
});
