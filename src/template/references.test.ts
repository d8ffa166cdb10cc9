import assert from 'node:assert/strict';
import { templateReferences, templateVariables } from './references.js';
import { TemplateError } from './template-error.js';

describe('template variables', () => {
  const domain = [
    '<domain type="{{virt_type}}">',
    '  <name>{{vm.name}}</name>',
    '  <memory>{{kib vm.memory}}</memory>',
    '{{#each vm.disks as |disk i|}}',
    '  <disk bus="{{disk.bus}}" index="{{i}}" n="{{@index}}">{{@root.pool_path}}</disk>',
    '{{/each}}',
    '{{#each vm.interfaces}}',
    '  <interface>{{model}} {{../bridge}} {{mac ../inventory_hostname ../vm.name @index}}</interface>',
    '{{/each}}',
    "{{#if vm.cdrom}}<cdrom>{{vm.cdrom}}</cdrom>{{/if}}{{default vm.uuid (uuid inventory_hostname vm.name)}}",
  ].join('\n');

  it('lists the top-level variables, without block params, item fields, @data and helper names', () => {
    assert.deepEqual(templateVariables(domain), ['bridge', 'inventory_hostname', 'pool_path', 'virt_type', 'vm']);
  });

  it('gives each reference its path, position and whether it may be undefined', () => {
    const refs = templateReferences(domain);
    const memory = refs.find((r) => r.path === 'vm.memory');
    assert.deepEqual(memory, { name: 'vm', path: 'vm.memory', line: 3, col: 17, optional: false });
    assert.equal(refs.find((r) => r.path === 'vm.uuid')?.optional, true);
    assert.equal(refs.filter((r) => r.path === 'vm.cdrom').every((r) => r.optional), true);
    assert.equal(refs.find((r) => r.path === '../bridge')?.optional, false);
    assert.equal(refs.some((r) => r.path === 'model' || r.path === 'disk.bus' || r.path === 'i'), false);
  });

  it('counts this.x at the top level as the variable x', () => {
    assert.deepEqual(templateVariables('{{this.a}} {{./b}} {{#with c}}{{this.d}}{{/with}}'), ['a', 'b', 'c']);
  });

  it('reports a syntax error with its position', () => {
    assert.throws(() => templateVariables('a\n{{#if x}}', 'templates/x.hbs'), (e: unknown) => e instanceof TemplateError && e.line === 2 && e.template === 'templates/x.hbs');
  });
});
