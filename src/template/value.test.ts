import assert from 'node:assert/strict';
import { TemplateError } from './template-error.js';
import { createTemplateCache, renderValue } from './value.js';

const vars = {
  vms: [{ name: 'web01', memory: '2GiB' }, { name: 'db01', memory: '4GiB' }],
  vm: { name: 'web01', memory: '1G', vcpus: 2, autostart: true, graphics: { type: 'vnc' } },
  bridge: 'br0',
  nothing: null,
};
const ctx = { name: 'playbooks/site.yaml:12:7 (task args)' };

describe('typed task arguments', () => {
  it('keeps a list a list when the string is one expression', () => {
    assert.deepEqual(renderValue('{{ vms }}', vars, ctx), vars.vms);
  });

  it('keeps numbers, booleans, maps and null', () => {
    assert.equal(renderValue('{{ vm.vcpus }}', vars, ctx), 2);
    assert.equal(renderValue('{{vm.autostart}}', vars, ctx), true);
    assert.deepEqual(renderValue('{{ vm.graphics }}', vars, ctx), { type: 'vnc' });
    assert.equal(renderValue('{{ nothing }}', vars, ctx), null);
  });

  it('returns the typed result of a helper call', () => {
    assert.equal(renderValue('{{ kib vm.memory }}', vars, ctx), 1048576);
    assert.equal(renderValue("{{ eq vm.name 'web01' }}", vars, ctx), true);
    assert.equal(renderValue("{{ default vm.cdrom 'none' }}", vars, ctx), 'none');
    assert.equal(renderValue('{{ shq bridge }}', vars, ctx), 'br0');
  });

  it('reads indexed paths', () => {
    assert.equal(renderValue('{{ vms.[1].name }}', vars, ctx), 'db01');
  });

  it('makes a string of anything with text around the expression', () => {
    assert.equal(renderValue('x {{ vm.vcpus }}', vars, ctx), 'x 2');
    assert.equal(renderValue('{{ vm.vcpus }}\n', vars, ctx), '2\n');
    assert.equal(renderValue('{{ vm.name }}-{{ vm.vcpus }}', vars, ctx), 'web01-2');
  });

  it('renders lists and maps recursively and leaves non-strings alone', () => {
    const args = { name: '{{ vm.name }}', disks: [{ size: '{{ vm.memory }}', n: 1 }], enabled: false, none: null };
    assert.deepEqual(renderValue(args, vars, ctx), { name: 'web01', disks: [{ size: '1G', n: 1 }], enabled: false, none: null });
  });

  it('does not template map keys', () => {
    assert.deepEqual(renderValue({ '{{ bridge }}': 1 }, vars, ctx), { '{{ bridge }}': 1 });
  });

  it('reports a missing variable with the label, the key path and the position', () => {
    try {
      renderValue({ disks: [{ size: 'x{{ vm.disk_size }}' }] }, vars, ctx);
      assert.fail('expected an error');
    } catch (e) {
      assert.ok(e instanceof TemplateError);
      assert.equal(e.variable, 'vm.disk_size');
      assert.equal(e.message, 'playbooks/site.yaml:12:7 (task args) at disks[0].size, line 1, column 5: variable "vm.disk_size" is not defined');
    }
    assert.throws(() => renderValue('{{ vms2 }}', vars, ctx), /variable "vms2" is not defined/);
  });

  it('compiles each string once per cache', () => {
    const cache = createTemplateCache();
    renderValue(['{{ bridge }}', 'x {{ bridge }}', 'plain'], vars, { ...ctx, cache });
    const size = cache.size;
    renderValue(['{{ bridge }}', 'x {{ bridge }}', 'plain'], { ...vars, bridge: 'br1' }, { ...ctx, cache });
    assert.equal(cache.size, size);
    assert.deepEqual(renderValue(['{{ bridge }}', 'x {{ bridge }}'], { bridge: 'br1' }, { ...ctx, cache }), ['br1', 'x br1']);
  });
});
