// Hostile and mutated input through the real CLI (issue 11, items 14 and 15): every
// input must end with exit 0 or 4 (2 for a run whose task fails) within a time and
// memory cap, and never with an `internal error` or a stack trace. The mutations are
// seeded, so a failure names a case that can be replayed (KVMPLAY_FUZZ_SEED).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kvmplayBin, repoRoot, scratchDir, writeFile } from '../support/cli.js';
import { ensureLab } from '../support/lab-fixture.js';

interface Outcome { code: number | null; stdout: string; stderr: string; ms: number; rssMb: number; killed: boolean }

// Peak memory, reported by the child itself on exit (as bench/run.ts measures it).
const PEAK_HOOK = 'data:text/javascript,process.on("exit",()=>process.stderr.write("\\nfuzz-maxrss-kb="+process.resourceUsage().maxRSS+"\\n"))';
const BIN = process.env.KVMPLAY_FUZZ_BIN ?? kvmplayBin;
const RSS_CAP_MB = 400;

function cli(args: string[], cwd: string, timeoutMs: number): Promise<Outcome> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', PEAK_HOOK, BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const m = /\nfuzz-maxrss-kb=(\d+)\n/.exec(stderr);
      resolve({ code, stdout, stderr: stderr.replace(/\nfuzz-maxrss-kb=\d+\n/, ''), ms: Date.now() - started, rssMb: m ? Number(m[1]) / 1024 : Infinity, killed });
    });
  });
}

const STACK_LINE = /^\s+at .*(?::\d+:\d+\)?|<anonymous>\)?)$/m;

function assertBounded(r: Outcome, what: string, codes: number[], capMs: number): void {
  const show = `${what}: exit ${r.code} after ${r.ms} ms, ${r.rssMb.toFixed(0)} MB${r.killed ? ' (killed at the time cap)' : ''}\n${r.stderr.slice(0, 2000)}`;
  assert.ok(!r.killed && r.ms <= capMs, `over the ${capMs} ms cap: ${show}`);
  assert.ok(codes.includes(r.code ?? -1), `exit code not in ${codes.join('/')}: ${show}`);
  assert.ok(r.rssMb <= RSS_CAP_MB, `over ${RSS_CAP_MB} MB: ${show}`);
  assert.ok(!/internal error/.test(r.stderr + r.stdout), `internal error: ${show}`);
  assert.ok(!STACK_LINE.test(r.stderr + r.stdout), `stack trace in the output: ${show}`);
}

const hostile = (name: string): string => join(repoRoot, 'test', 'fixtures', 'hostile', name);

describe('hostile input is bounded: exit 4 with file:line:col, in seconds, never a stack trace', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = scratchDir('hostile');
  });

  it('refuses a 500-byte inventory of nested YAML aliases (billion laughs) within 10 s', async () => {
    const r = await cli(['inventory', '-i', hostile('billion-laughs.yaml'), '--list'], repoRoot, 10_000);
    assertBounded(r, 'billion laughs', [4], 10_000);
    assert.match(r.stderr, /billion-laughs\.yaml:\d+:\d+: .*alias/);
  });

  it('refuses a host range of 100 million hosts, naming the range, within 10 s', async () => {
    const r = await cli(['inventory', '-i', hostile('huge-range.yaml'), '--list'], repoRoot, 10_000);
    assertBounded(r, 'huge range', [4], 10_000);
    assert.match(r.stderr, /huge-range\.yaml:4:5: .*web\[0:99999999\].*more than 100000/);
  });

  it('refuses many ranges that together exceed the total host cap', async () => {
    const lines = Array.from({ length: 11 }, (_, i) => `g${i}-[00000:09999]`);
    const inv = writeFile(dir, 'many-ranges.ini', `[big]\n${lines.join('\n')}\n`);
    const r = await cli(['inventory', '-i', inv, '--list'], dir, 10_000);
    assertBounded(r, 'many ranges', [4], 10_000);
    assert.match(r.stderr, /many-ranges\.ini:12:1: .*more than 100000 hosts/);
  });

  it('refuses 3,000 levels of YAML flow nesting in an inventory and in a playbook', async () => {
    const deep = `${'['.repeat(3000)}${']'.repeat(3000)}`;
    const inv = writeFile(dir, 'deep.yaml', `all:\n  vars:\n    x: ${deep}\n`);
    const r1 = await cli(['inventory', '-i', inv, '--list'], dir, 10_000);
    assertBounded(r1, 'deep inventory', [4], 10_000);
    assert.match(r1.stderr, /deep\.yaml:\d+:\d+: .*nest/);
    const pb = writeFile(dir, 'deep-play.yaml', `- hosts: all\n  vars:\n    x: ${deep}\n  tasks: []\n`);
    const r2 = await cli(['validate', pb], dir, 10_000);
    assertBounded(r2, 'deep playbook', [4], 10_000);
    assert.match(r2.stderr, /deep-play\.yaml:\d+:\d+: .*nest/);
  });

  it('refuses 3,000 levels of block nesting', async () => {
    let text = '';
    for (let i = 0; i < 3000; i++) text += `${' '.repeat(i)}k:\n`;
    text += `${' '.repeat(3000)}v\n`;
    const inv = writeFile(dir, 'deep-block.yaml', `x:\n${text.replace(/^/gm, '  ')}`);
    const r = await cli(['inventory', '-i', inv, '--list'], dir, 10_000);
    assertBounded(r, 'deep block', [4], 10_000);
  });

  it('refuses 10,000 nested template blocks within 10 s', async () => {
    const tpl = `${'{% if a %}'.repeat(10_000)}x${'{% endif %}'.repeat(10_000)}`;
    const pb = writeFile(dir, 'deep-template.yaml', `- hosts: all\n  vars:\n    a: 1\n  tasks:\n    - command: "echo ${tpl}"\n`);
    const r = await cli(['validate', pb], dir, 10_000);
    assertBounded(r, 'deep template', [4], 10_000);
    assert.match(r.stderr, /deep-template\.yaml:5:\d+: .*nest/);
  });

  it('refuses a template string of several megabytes', async () => {
    const pb = writeFile(dir, 'big-template.yaml', `- hosts: all\n  tasks:\n    - command: "echo ${'{{a}} '.repeat(400_000)}"\n`);
    const r = await cli(['validate', pb], dir, 15_000);
    assertBounded(r, 'big template', [4], 15_000);
    assert.match(r.stderr, /big-template\.yaml:3:\d+: .*template.*larger than/);
  });

  it('refuses 1,000 nested parentheses in a condition (already bounded: a guard)', async () => {
    const pb = writeFile(dir, 'deep-expr.yaml', [
      '- hosts: all', '  tasks:', '    - command: echo x', `      when: ${'('.repeat(1000)}1${')'.repeat(1000)}`, '',
    ].join('\n'));
    const r = await cli(['validate', pb], dir, 10_000);
    assertBounded(r, 'deep expression', [4], 10_000);
    assert.match(r.stderr, /deep-expr\.yaml:4:\d+: .*nested more than/);
  });
});

describe('a regular expression with catastrophic backtracking on host output does not freeze the run', function () {
  this.timeout(180_000);

  it('`search`/`match` on lab02 output of 40,000 characters ends within 30 s with the right answers', async () => {
    const lab = await ensureLab();
    const dir = scratchDir('regex');
    const pb = writeFile(dir, 'evil-regex.yaml', [
      '- hosts: lab02', '  gather_facts: false', '  tasks:',
      '    - name: print 40,000 a then !, and test it with patterns that backtrack catastrophically',
      "      command: python3 -c \"print('a' * 40000 + '!')\"",
      '      register: out',
      "      failed_when: out.stdout is search('^(a+)+$') or out.stdout is match('(a|aa)+$') or not (out.stdout is search('a{3}!$'))",
      '',
    ].join('\n'));
    const r = await cli(['run', pb, '-i', lab.inventory, '--json'], dir, 30_000);
    assertBounded(r, 'evil regex run', [0], 30_000);
  });
});

describe('YAML duplicate keys: a warning with file:line:col, an error under --strict', function () {
  this.timeout(60_000);

  it('validate warns about `command:` given twice, naming the second one\'s place', async () => {
    const r = await cli(['validate', hostile('duplicate-keys.yaml')], repoRoot, 10_000);
    assertBounded(r, 'duplicate keys', [0], 10_000);
    assert.match(r.stderr, /\[WARNING\]: test\/fixtures\/hostile\/duplicate-keys\.yaml:7:7: found a duplicate dict key \(command\)/);
  });

  it('validate --strict refuses it with exit 4', async () => {
    const r = await cli(['validate', '--strict', hostile('duplicate-keys.yaml')], repoRoot, 10_000);
    assertBounded(r, 'duplicate keys --strict', [4], 10_000);
    assert.match(r.stderr, /duplicate-keys\.yaml:7:7: found a duplicate dict key \(command\)/);
  });

  it('run --strict refuses it before connecting, and so does an inventory with a host given twice', async () => {
    const dir = scratchDir('dup');
    const inv = writeFile(dir, 'inv.yaml', 'all:\n  hosts:\n    lab02:\n      ansible_host: 10.0.0.1\n      ansible_host: 10.0.0.2\n');
    const r1 = await cli(['inventory', '-i', inv, '--list'], dir, 10_000);
    assertBounded(r1, 'duplicate inventory key', [0], 10_000);
    assert.match(r1.stderr, /inv\.yaml:5:7: found a duplicate dict key \(ansible_host\)/);
    const clean = writeFile(dir, 'clean.yaml', 'all:\n  hosts:\n    lab02:\n      ansible_host: 10.0.0.1\n');
    const r2 = await cli(['run', '--strict', hostile('duplicate-keys.yaml'), '-i', clean], dir, 10_000);
    assertBounded(r2, 'run --strict', [4], 10_000);
    assert.match(r2.stderr, /duplicate-keys\.yaml:7:7: found a duplicate dict key/);
  });
});

// ---- mutations of the shipped playbooks, templates, vars files and inventories ----

/** mulberry32: a small seeded generator, so each mutant can be rebuilt from its number. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SPICE = ['&a ', '*a', '[', ']', '{', '}', '{{', '}}', '{{#if x}}', ':', '- ', '\t', '"', "'", '!!python/object ', '<<: ', '\\', '|', '#', '\n', 'ü', '\u0000'];

function mutate(text: string, random: () => number): string {
  const lines = text.split('\n');
  const at = (n: number): number => Math.floor(random() * n);
  const steps = 1 + at(3);
  let out = text;
  for (let s = 0; s < steps; s++) {
    const i = at(Math.max(out.length, 1));
    switch (at(7)) {
      case 0: // flip one byte's bit (kept inside ASCII so the file stays UTF-8)
        out = out.slice(0, i) + String.fromCharCode((out.charCodeAt(i) ^ (1 << at(7))) & 0x7f) + out.slice(i + 1);
        break;
      case 1: // delete a run
        out = out.slice(0, i) + out.slice(i + 1 + at(40));
        break;
      case 2: { // duplicate a line
        const ls = out.split('\n');
        const l = at(ls.length);
        ls.splice(l, 0, ls[l]!);
        out = ls.join('\n');
        break;
      }
      case 3: { // change a line's indentation
        const ls = out.split('\n');
        const l = at(ls.length);
        ls[l] = random() < 0.5 ? `${' '.repeat(1 + at(4))}${ls[l]}` : ls[l]!.replace(/^ {1,4}/, '');
        out = ls.join('\n');
        break;
      }
      case 4: // insert something YAML, Jinja or Handlebars gives meaning to
        out = out.slice(0, i) + SPICE[at(SPICE.length)]! + out.slice(i);
        break;
      case 5: { // move a line elsewhere
        const ls = out.split('\n');
        const [l] = ls.splice(at(ls.length), 1);
        ls.splice(at(ls.length + 1), 0, l!);
        out = ls.join('\n');
        break;
      }
      default: // repeat a slice
        out = out.slice(0, i) + out.slice(i, i + at(200)).repeat(1 + at(5)) + out.slice(i);
    }
  }
  return lines.length ? out : text;
}

interface Target { file: string; args: string[] }

// Paths relative to a scratch copy of playbooks/, templates/ and test/fixtures/.
const TARGETS: Target[] = [
  ...['site.yaml', 'bootstrap-hypervisor.yaml', 'bridge-network.yaml', 'vm-lifecycle.yaml', 'vm-rollout.yaml', 'group_vars/all.yaml']
    .map((f) => ({ file: `playbooks/${f}`, args: ['validate', 'playbooks/site.yaml', 'playbooks/vm-lifecycle.yaml', '-i', 'inventory.example.yaml'] })),
  ...['domain.xml.hbs', 'ifcfg-bridge.hbs', 'interfaces-bridge.hbs', 'network.xml.hbs', 'nm-bridge.nmconnection.hbs']
    .map((f) => ({ file: `templates/${f}`, args: ['validate', 'playbooks/site.yaml', '-i', 'inventory.example.yaml'] })),
  { file: 'inventory.example.yaml', args: ['inventory', '-i', 'inventory.example.yaml', '--list'] },
  { file: 'inventory.example.yaml', args: ['validate', 'playbooks/site.yaml', '-i', 'inventory.example.yaml'] },
  ...['site.yaml', 'vars/main.yaml', 'templates/domain.xml.hbs', 'inventory.yaml'].map((f) => ({
    file: `test/fixtures/playbooks/rollout/${f}`,
    args: ['validate', 'test/fixtures/playbooks/rollout/site.yaml', '-i', 'test/fixtures/playbooks/rollout/inventory.yaml'],
  })),
  ...['awkward.yaml', 'fail-one.yaml', 'serial.yaml', 'no-log.yaml', 'interrupt.yaml', 'site/site.yaml', 'site/templates/app.conf.hbs']
    .map((f) => ({ file: `test/fixtures/e2e-playbooks/${f}`, args: ['validate', `test/fixtures/e2e-playbooks/${f.replace(/templates\/app\.conf\.hbs$/, 'site.yaml')}`] })),
];

const MUTANTS = Number(process.env.KVMPLAY_FUZZ_COUNT ?? 200);
const SEED = Number(process.env.KVMPLAY_FUZZ_SEED ?? 11);
const WORKERS = 8;

function scratchCopy(): string {
  const root = scratchDir('fuzz');
  for (const d of ['playbooks', 'templates', 'test/fixtures/playbooks', 'test/fixtures/e2e-playbooks']) {
    cpSync(join(repoRoot, d), join(root, d), { recursive: true });
  }
  cpSync(join(repoRoot, 'inventory.example.yaml'), join(root, 'inventory.example.yaml'));
  return root;
}

describe('mutated playbooks, templates, vars files and inventories', function () {
  this.timeout(240_000);

  it(`every one of ${MUTANTS} seeded mutants exits 0 or 4 within 15 s and ${RSS_CAP_MB} MB, never with a stack trace`, async () => {
    const failures: string[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      const root = scratchCopy();
      for (let n = next++; n < MUTANTS; n = next++) {
        const random = rng(SEED * 100_003 + n);
        const target = TARGETS[Math.floor(random() * TARGETS.length)]!;
        const path = join(root, target.file);
        const original = readFileSync(path, 'utf8');
        writeFileSync(path, mutate(original, random));
        try {
          const r = await cli(target.args, root, 15_000);
          assertBounded(r, `mutant ${n} (seed ${SEED}) of ${target.file}: ${target.args.join(' ')}`, [0, 4], 15_000);
        } catch (e) {
          failures.push((e as Error).message);
        } finally {
          writeFileSync(path, original);
        }
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, worker));
    assert.deepEqual(failures.slice(0, 5).map((f) => f.slice(0, 600)), [], `${failures.length} of ${MUTANTS} mutants failed`);
  });
});
