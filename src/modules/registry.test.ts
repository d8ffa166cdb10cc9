import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allModules, findModule, moduleNames, runModule } from './registry.js';
import { LocalHost } from '../transport/local/local-host.js';
import { fakeContext } from '../../test/support/module-context.js';

describe('module registry', () => {
  before(async () => {
    await allModules();
  });

  it('lists the generic modules by task key', () => {
    for (const name of ['command', 'copy', 'file', 'lineinfile', 'shell', 'template']) assert.ok(moduleNames().includes(name), name);
  });

  it("finds Ansible's fully-qualified names too", () => {
    assert.equal(findModule('ansible.builtin.copy')?.name, 'copy');
    assert.equal(findModule('ansible.legacy.shell')?.name, 'shell');
    assert.equal(findModule('nope'), undefined);
  });

  it('gives command and shell a free-form cmd argument', () => {
    assert.equal(findModule('command')?.freeForm, 'cmd');
    assert.equal(findModule('shell')?.freeForm, 'cmd');
    assert.equal(findModule('copy')?.freeForm, undefined);
  });

  it('refuses unknown arguments in every module', () => {
    // set_fact's arguments are the variables it sets: any valid name is one.
    for (const name of moduleNames().filter((n) => n !== 'set_fact')) {
      const r = findModule(name)?.args.safeParse({ no_such_argument: 1 });
      assert.equal(r?.success, false, name);
      assert.match(JSON.stringify(r?.error?.issues), /no_such_argument/, name);
    }
  });

  it('knows each module by every name its definition gives, and by no other', async () => {
    const modules = await allModules();
    const names = modules.flatMap((m) => m.names);
    assert.equal(new Set(names).size, names.length, 'no name is given twice');
    for (const mod of modules) for (const name of mod.names) assert.equal(findModule(name), mod, name);
    assert.deepEqual(moduleNames(), modules.map((m) => m.name).sort());
  });

  it('loads a module when a playbook file names it, and not the others', () => {
    // A process of its own: this one has every module loaded already.
    const script = `
      const registry = await import(${JSON.stringify(new URL('./registry.js', import.meta.url).href)});
      const { readSourceFile } = await import(${JSON.stringify(new URL('../playbook/source.js', import.meta.url).href)});
      const { writeFileSync } = await import('node:fs');
      const out = [];
      const tried = (name) => { try { return registry.findModule(name)?.name ?? 'unknown'; } catch (e) { return e.message; } };
      out.push(tried('copy'));
      writeFileSync(process.argv[1], '- hosts: all\\n  tasks:\\n    - ansible.builtin.copy: {content: x, dest: /tmp/y}\\n    - action: shell echo\\n');
      await readSourceFile(process.argv[1]);
      out.push(tried('copy'), tried('shell'), tried('virt'), tried('nope'), registry.isModuleName('virt'));
      console.log(JSON.stringify(out));`;
    const dir = mkdtempSync(join(tmpdir(), 'kvmplay-registry-'));
    try {
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', script, join(dir, 'site.yaml')], { encoding: 'utf8' });
      assert.deepEqual(JSON.parse(out), [
        'module "copy" looked up before it was loaded (loadModules)', 'copy', 'shell',
        'module "virt" looked up before it was loaded (loadModules)', 'unknown', true,
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs a module with arguments parsed by its own schema', async () => {
    const mod = findModule('copy');
    assert.ok(mod);
    const dir = mkdtempSync(join(tmpdir(), 'kvmplay-registry-'));
    try {
      const r = await runModule(mod, new LocalHost(), mod.args.parse({ dest: join(dir, 'x'), content: 'y' }), fakeContext());
      assert.equal(r.changed, true, r.msg);
      assert.equal(readFileSync(join(dir, 'x'), 'utf8'), 'y');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
