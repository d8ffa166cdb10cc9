import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findModule, moduleNames, runModule } from './registry.js';
import { LocalHost } from '../transport/local/local-host.js';
import { fakeContext } from '../../test/support/module-context.js';

describe('module registry', () => {
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
