import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../test/support/cli.js';
import { formatModuleDoc, moduleDoc, modulesMarkdown } from './module-doc.js';
import { allModules, findModule, type AnyModule } from './registry.js';

describe('module documentation', () => {
  let modules: readonly AnyModule[];
  before(async () => {
    modules = await allModules();
  });

  it('names every module, with a summary, its collection names and its arguments from its own schema', () => {
    const virt = moduleDoc(findModule('community.libvirt.virt')!);
    assert.deepEqual(virt.names, ['virt', 'ansible.builtin.virt', 'ansible.legacy.virt', 'community.libvirt.virt']);
    assert.deepEqual(virt.arguments.find((a) => a.name === 'name'), { name: 'name', aliases: ['guest'], type: 'string', required: false });
    assert.deepEqual(virt.arguments.find((a) => a.name === 'state')?.choices, ['destroyed', 'paused', 'running', 'shutdown']);
    assert.equal(virt.arguments.some((a) => a.name === 'guest'), false, 'an alias is not an argument of its own');
    for (const mod of modules) assert.notEqual(moduleDoc(mod).summary, '', `${mod.name} has no summary`);
    assert.match(formatModuleDoc(moduleDoc(findModule('copy')!)), /^copy — .*\n\nNames: copy, ansible\.builtin\.copy, ansible\.legacy\.copy\n[^]*\n {2}dest +/);
  });

  it('docs/modules.md is the current reference (regenerate: kvmplay doc --markdown > docs/modules.md)', () => {
    assert.equal(readFileSync(join(repoRoot, 'docs', 'modules.md'), 'utf8'), modulesMarkdown(modules));
  });
});
