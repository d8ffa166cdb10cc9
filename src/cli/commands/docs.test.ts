import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Command } from 'commander';
import { repoRoot } from '../../../test/support/cli.js';
import { moduleNames } from '../../modules/registry.js';
import { completionCommand, docCommand, schemaCommand } from './docs.js';

async function output(run: (out: NodeJS.WritableStream) => number | Promise<number>): Promise<string> {
  let text = '';
  const out = new Writable({ write: (c: Buffer, _e, cb) => { text += c.toString(); cb(); } });
  assert.equal(await run(out), 0);
  return text;
}

describe('kvmplay schema, doc and completion', () => {
  it('schema prints the shipped docs/kvmplay.schema.json (regenerate: kvmplay schema > docs/kvmplay.schema.json)', async () => {
    assert.equal(await output((out) => schemaCommand(out)), readFileSync(join(repoRoot, 'docs', 'kvmplay.schema.json'), 'utf8'));
  });

  it('doc lists every module with its summary, shows one by any of its names, and names the closest for a typo', async () => {
    const list = await output((out) => docCommand({}, out));
    for (const name of moduleNames()) assert.match(list, new RegExp(`^${name} +\\S`, 'm'));
    assert.match(await output((out) => docCommand({ module: 'ansible.posix.sysctl' }, out)), /^sysctl — [^]*Arguments:[^]*\n {2}sysctl_file +/);
    await assert.rejects(docCommand({ module: 'virt_netw' }, new Writable()), /no module "virt_netw" \(did you mean "virt_net"\?\)/);
  });

  it('completion for bash completes commands, subcommands, options, module names and files', async () => {
    const program = new Command('kvmplay');
    program.command('run').option('-l, --limit <p>').option('--list-hosts');
    program.command('doc');
    program.command('lab').command('up').option('--hosts <n>');
    const script = await output((out) => completionCommand('bash', program, out));
    const complete = (...words: string[]): string => execFileSync('bash', ['-c', `${script}\nCOMP_WORDS=("$@"); COMP_CWORD=$(($#-1)); _kvmplay; echo "\${COMPREPLY[*]}"`, 'bash', ...words], { cwd: repoRoot, encoding: 'utf8' }).trim();
    assert.equal(complete('kvmplay', 'ru'), 'run');
    assert.equal(complete('kvmplay', 'run', '--li'), '--limit --list-hosts');
    assert.equal(complete('kvmplay', 'lab', 'u'), 'up');
    assert.equal(complete('kvmplay', 'lab', 'up', '--h'), '--hosts --help');
    assert.equal(complete('kvmplay', 'doc', 'virt_p'), 'virt_pool');
    assert.equal(complete('kvmplay', 'run', 'package.js'), 'package.json');
    assert.match(await output((out) => completionCommand('fish', program, out)), /complete -c kvmplay -n __fish_use_subcommand -a run/);
    assert.throws(() => completionCommand('tcsh', program, new Writable()), /bash, zsh and fish/);
  });
});
