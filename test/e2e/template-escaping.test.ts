// Template escaping by quoting context over real SSH (issue 11, item 3): hostile
// values rendered by `kvmplay run` (the `template` module) into ifcfg files in
// double-quoted, single-quoted and unquoted contexts, sourced on lab01 by sh, bash
// and dash; ifupdown `up`/`pre-up` lines run by /bin/sh; a .json template parsed
// by python3. Nothing a value holds may run, and each variable holds the exact value.
// lab01 only, read-only apart from a temp folder under /tmp.
import assert from 'node:assert/strict';
import { SshHost } from '../../src/transport/ssh/ssh-host.js';
import { connectionFor, loadInventory } from '../../src/inventory/index.js';
import { type CliResult, explain, kvmplay, scratchDir, writeFile } from '../support/cli.js';
import { ensureLab, type Lab } from '../support/lab-fixture.js';

describe('template escaping by quoting context on a real host', function () {
  this.timeout(600_000);
  let lab: Lab;
  let lab01: SshHost;
  let dir: string;
  const remote = `/tmp/kvmplay-escaping-test-${process.pid}`;
  const pwned = `${remote}/PWNED`;
  const hostile = [
    `$(touch ${pwned})`, `\`touch ${pwned}\``, `"; touch ${pwned}; "`, `'; touch ${pwned}; '`, `\\"$(touch ${pwned})`,
    '"', "'", '\\', 'a\\', ';', '$HOME', '${HOME}', ' spaced  out ', 'ü✓ ñ', "it's", 'a;b&c|d>e<f', '*', '~root', '!$', '',
  ];

  /** A playbook (JSON is YAML) rendering `src` to `dest` on lab01 with `vars`. */
  const play = (name: string, vars: Record<string, unknown>, templates: Array<[string, string]>): string =>
    writeFile(dir, name, JSON.stringify([{
      hosts: 'lab01',
      gather_facts: false,
      vars,
      tasks: templates.map(([src, dest]) => ({ name: `render ${src}`, template: { src, dest } })),
    }], null, 1));
  const run = (playbook: string): Promise<CliResult> => kvmplay(['run', playbook, '-i', lab.inventory], { timeoutMs: 180_000 });
  /** Run argv on lab01 as root; values never pass through a shell string. */
  const sh = async (script: string, ...args: string[]): Promise<string> => {
    const r = await lab01.run(['sh', '-c', script, 'sh', ...args]);
    assert.equal(r.rc, 0, r.stderr);
    return r.stdout;
  };
  const exists = async (path: string): Promise<boolean> => (await lab01.run(['test', '-e', path])).rc === 0;

  before(async function () {
    this.timeout(900_000);
    lab = await ensureLab();
    const inv = await loadInventory([lab.inventory]);
    lab01 = new SshHost(connectionFor(inv, 'lab01'), { acceptNewHostKeys: false, agentSocket: '' });
    assert.equal((await lab01.run(['mkdir', '-p', '--', remote])).rc, 0);
    dir = scratchDir('escaping');
    const each = (line: string): string => `{{#each values as |v i|}}\n${line}\n{{/each}}\n`;
    writeFile(dir, 'ifcfg-dq.hbs', each('V{{i}}="{{v}}"'));
    writeFile(dir, 'ifcfg-sq.hbs', each("V{{i}}='{{v}}'"));
    writeFile(dir, 'ifcfg-bare.hbs', each('V{{i}}={{v}}'));
    writeFile(dir, 'ifcfg-mixed.hbs', each('# value {{i}}: {{v}}\nV{{i}}=pre"{{v}}"\'{{v}}\'{{v}}post'));
    writeFile(dir, 'interfaces-up.hbs', [
      'iface {{iface}} inet manual',
      '    pre-up printf %s {{word}} > {{dir}}/pre-up.out',
      '    up printf %s {{note}} > {{dir}}/up.out',
      '',
    ].join('\n'));
    // A name that says nothing of the format: where it is written decides (ifcfg).
    writeFile(dir, 'network.conf.hbs', each('V{{i}}="{{v}}"'));
    writeFile(dir, 'data.json.hbs', '{"bare": {{v}}, "quoted": "{{v}}", "list": {{values}}, "n": {{n}} }\n');
  });

  after(async () => {
    await lab01.run(['rm', '-rf', '--', remote]).catch(() => undefined);
    await lab01.close();
  });

  it('sources ifcfg files with hostile values in "…", \'…\' and unquoted contexts with sh, bash and dash: no command runs, each variable holds the exact value', async () => {
    const files = ['dq', 'sq', 'bare', 'mixed'];
    const r = await run(play('ifcfg.yaml', { values: hostile }, files.map((f) => [`ifcfg-${f}.hbs`, `${remote}/ifcfg-${f}`])));
    assert.equal(r.code, 0, explain(r));
    const printAll = `printf '%s\\0' ${hostile.map((_, i) => `"$V${i}"`).join(' ')}`;
    for (const shell of ['sh', 'bash', 'dash']) {
      for (const f of files) {
        const r = await lab01.run([shell, '-c', `. "$1" && ${printAll}`, shell, `${remote}/ifcfg-${f}`], { cwd: remote });
        assert.equal(await exists(pwned), false, `${shell} sourcing ifcfg-${f} ran a command from a value`);
        assert.equal(r.rc, 0, `${shell} sourcing ifcfg-${f}: ${r.stderr}`);
        const expected = f === 'mixed' ? hostile.map((v) => `pre${v}${v}${v}post`) : hostile;
        assert.deepEqual(r.stdout.split('\0').slice(0, -1), expected, `${shell} sourcing ifcfg-${f}`);
      }
    }
  });

  it('refuses an ifcfg value with a newline, naming template, line and variable, and writes nothing', async () => {
    const r = await run(play('newline.yaml', { values: ['ok', 'x"\nreboot\n"'] }, [['ifcfg-dq.hbs', `${remote}/ifcfg-newline`]]));
    assert.notEqual(r.code, 0, explain(r));
    assert.match(r.stdout + r.stderr, /ifcfg-dq\.hbs:2:\d+: variable "v" contains a newline/, explain(r));
    assert.equal(await exists(`${remote}/ifcfg-newline`), false);
  });

  it('writes plain words into ifupdown up and pre-up lines, which /bin/sh then runs with exactly those words', async () => {
    const dest = `${remote}/interfaces-plain`;
    const r = await run(play('up-plain.yaml', { iface: 'em1', word: 'mtu:9000', note: 'hello-world', dir: remote }, [['interfaces-up.hbs', dest]]));
    assert.equal(r.code, 0, explain(r));
    // ifupdown hands everything after the keyword to /bin/sh -c: do the same.
    await sh('sed -n "s/^ *\\(pre-up\\|up\\) //p" "$1" | while IFS= read -r line; do /bin/sh -c "$line"; done', dest);
    assert.equal((await lab01.readFile(`${remote}/pre-up.out`))?.toString(), 'mtu:9000');
    assert.equal((await lab01.readFile(`${remote}/up.out`))?.toString(), 'hello-world');
  });

  for (const value of hostile.filter((v) => !/^[A-Za-z0-9_@+:,./-]+$/.test(v))) {
    it(`refuses ${JSON.stringify(value)} in an ifupdown up line, naming template, line and variable, and writes nothing`, async () => {
      const dest = `${remote}/interfaces-hostile`;
      const r = await run(play('up-hostile.yaml', { iface: 'em1', word: 'w', note: value, dir: remote }, [['interfaces-up.hbs', dest]]));
      assert.notEqual(r.code, 0, explain(r));
      assert.match(r.stdout + r.stderr, /interfaces-up\.hbs:3:\d+: variable "note" .*plain word/, explain(r));
      assert.equal(await exists(dest), false, 'the file was written');
      assert.equal(await exists(pwned), false);
    });
  }

  it('escapes values in a .json template: string escaping inside "…", a JSON literal outside', async () => {
    const dest = `${remote}/data.json`;
    const v = `"}, "injected": true, "x": {"\\ ü\n`;
    const r = await run(play('json.yaml', { v, values: hostile, n: 42 }, [['data.json.hbs', dest]]));
    assert.equal(r.code, 0, explain(r));
    const parsed = await sh('python3 -c "import json,sys; print(json.dumps(json.load(open(sys.argv[1]))))" "$1"', dest);
    assert.deepEqual(JSON.parse(parsed), { bare: v, quoted: v, list: hostile, n: 42 });
  });

  it('escapes a template whose own name says nothing by where it is written (an ifcfg file)', async () => {
    const dest = `${remote}/ifcfg-by-dest`;
    const r = await run(play('by-dest.yaml', { values: hostile }, [['network.conf.hbs', dest]]));
    assert.equal(r.code, 0, explain(r));
    const printAll = `printf '%s\\0' ${hostile.map((_, i) => `"$V${i}"`).join(' ')}`;
    const sourced = await lab01.run(['sh', '-c', `. "$1" && ${printAll}`, 'sh', dest], { cwd: remote });
    assert.equal(await exists(pwned), false, 'sourcing the file ran a command from a value');
    assert.deepEqual(sourced.stdout.split('\0').slice(0, -1), hostile);
  });
});
