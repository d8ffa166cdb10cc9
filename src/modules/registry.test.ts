import assert from 'node:assert/strict';
import { findModule, moduleNames, runModule } from './registry.js';
import { fakeContext } from '../../test/support/module-context.js';
import { FakeHost } from '../../test/support/fake-host.js';

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
    for (const name of moduleNames()) {
      const r = findModule(name)?.args.safeParse({ no_such_argument: 1 });
      assert.equal(r?.success, false, name);
      assert.match(JSON.stringify(r?.error?.issues), /no_such_argument/, name);
    }
  });

  it('runs a module with arguments parsed by its own schema', async () => {
    const mod = findModule('copy');
    assert.ok(mod);
    const host = new FakeHost({ '/srv/.keep': '' });
    const r = await runModule(mod, host, mod.args.parse({ dest: '/srv/x', content: 'y' }), fakeContext());
    assert.equal(r.changed, true);
    assert.equal(host.text('/srv/x'), 'y');
  });
});
