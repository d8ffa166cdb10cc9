import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { repoRoot } from '../../test/support/cli.js';
import { allModules } from '../modules/registry.js';
import { playbookJsonSchema } from './json-schema.js';

describe('the JSON Schema of playbooks and task files', () => {
  let validate: ValidateFunction;
  before(async () => {
    validate = new Ajv2020({ strict: false, allErrors: true }).compile(playbookJsonSchema(await allModules()));
  });
  const check = (text: string): boolean => validate(parse(text));
  const yamlFiles = (dir: string): string[] => readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.ya?ml$/.test(f) && !f.includes('group_vars') && !f.includes('host_vars')).map((f) => join(dir, f));

  it('accepts the shipped playbooks and the differential tests\' task files', () => {
    const files = [...yamlFiles(join(repoRoot, 'playbooks')), ...yamlFiles(join(repoRoot, 'test', 'fixtures', 'twin-modules'))];
    assert.ok(files.length > 20, files.join('\n'));
    for (const file of files) {
      const ok = validate(parse(readFileSync(file, 'utf8')));
      assert.ok(ok, `${file}: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
    }
  });

  it('refuses an unknown argument, a wrong literal, an unknown module and an unknown play key', () => {
    const task = (body: string): string => `- hosts: all\n  tasks:\n    - name: t\n${body}`;
    assert.equal(check(task('      ansible.builtin.apt: {name: qemu-kvm, install_recommends: false}\n')), true);
    assert.equal(check(task('      ansible.builtin.apt: {name: qemu-kvm, install_recommend: false}\n')), false);
    assert.equal(check(task('      community.libvirt.virt: {name: web01, state: started}\n')), false);
    assert.equal(check(task('      frobnicate: {level: 11}\n')), false);
    assert.equal(check('- hosts: all\n  taks: []\n'), false);
  });

  it('takes templates, free-form arguments, blocks, imports and loops', () => {
    const text = [
      '- hosts: "{{ target }}"',
      '  become: "{{ use_become }}"',
      '  tasks:',
      '    - community.libvirt.virt: {name: web01, state: "{{ wanted }}", autostart: "{{ auto }}"}',
      '    - shell: echo hi > /tmp/x',
      '    - copy: src=a dest=/tmp/b',
      '    - block:',
      '        - debug: {msg: "{{ item }}"}',
      '          with_items: [1, 2]',
      '      rescue:',
      '        - import_tasks: other.yml',
      '    - import_role: {name: web, tasks_from: setup}',
    ].join('\n');
    assert.ok(check(text), JSON.stringify(validate.errors?.slice(0, 3)));
  });
});
