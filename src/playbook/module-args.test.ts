import assert from 'node:assert/strict';
import { z } from 'zod';
import { argumentNames, checkModuleArgs, validateModuleArgs, type ModuleSchema } from './module-args.js';
import { argumentSpec } from '../modules/args.js';

const disk: ModuleSchema = {
  name: 'disk',
  args: z.object({ name: z.string(), size_gib: z.number().int(), format: z.enum(['qcow2', 'raw']).default('qcow2') }).strict(),
};
const domain: ModuleSchema = {
  name: 'domain',
  args: z.discriminatedUnion('state', [
    z.object({ state: z.literal('running'), name: z.string() }).strict(),
    z.object({ state: z.literal('shutdown'), name: z.string(), timeout: z.number() }).strict(),
  ]),
};

describe('module arguments', () => {
  it('validates rendered arguments at run time and returns the parsed values', () => {
    const r = validateModuleArgs(disk, { name: 'web01', size_gib: 20 });
    assert.deepEqual(r, { ok: true, args: { name: 'web01', size_gib: 20, format: 'qcow2' } });
  });

  it('reports a rendered value of the wrong type at run time', () => {
    const r = validateModuleArgs(disk, { name: 'web01', size_gib: '20GiB' });
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.message, 'argument "size_gib" of disk must be a number, not a string');
  });

  it('lets a template stand for any type before run time', () => {
    assert.deepEqual(checkModuleArgs(disk, { name: '{{ vm.name }}', size_gib: '{{ vm.size }}', format: '{{ fmt }}' }), []);
  });

  it('still reports unknown and missing arguments next to templates', () => {
    assert.deepEqual(checkModuleArgs(disk, { size_gib: '{{ s }}', fromat: 'raw' }).map((i) => i.message), [
      'unknown argument "fromat" for disk: did you mean "format"? (valid: format, name, size_gib)',
      'missing required argument "name" for disk',
    ]);
  });

  it('knows the arguments of every branch of a union', () => {
    assert.deepEqual(argumentNames(domain.args)?.sort(), ['name', 'state', 'timeout']);
    assert.deepEqual(argumentNames(z.object({ a: z.string() }).passthrough()), undefined);
    assert.deepEqual(argumentNames(z.preprocess((v) => v, z.object({ a: z.string() }))), undefined);
  });

  it('reports a discriminator outside its choices, and nothing when it is a template', () => {
    assert.deepEqual(checkModuleArgs(domain, { state: 'stopped', name: 'x' }).map((i) => i.message), [
      'argument "state" of domain must be one of: running, shutdown',
    ]);
    assert.deepEqual(checkModuleArgs(domain, { state: '{{ vm.state }}', name: 'x' }), []);
    assert.deepEqual(checkModuleArgs(domain, { state: '{{ vm.state }}', nmae: 'x' }).map((i) => i.path), [['nmae']]);
  });

  it('says when an argument of another form does not go with the ones given', () => {
    assert.deepEqual(checkModuleArgs(domain, { state: 'running', name: 'x', timeout: 3 }).map((i) => i.message), [
      'argument "timeout" of domain does not go with the other arguments given',
    ]);
  });

  it('describes the closest branch of a plain union', () => {
    const m: ModuleSchema = { name: 'net', args: z.union([z.object({ xml: z.string() }).strict(), z.object({ template: z.string(), vars: z.record(z.string(), z.unknown()) }).strict()]) };
    assert.deepEqual(checkModuleArgs(m, { xml: 3 }).map((i) => i.message), ['argument "xml" of net must be a string, not a number']);
  });

  it("knows an argument spec's aliases as argument names, so validation accepts them", () => {
    const spec = argumentSpec({ path: z.string().optional(), state: z.string().optional() }, { aliases: { path: ['dest', 'name'] } });
    assert.deepEqual(argumentNames(spec)?.sort(), ['dest', 'name', 'path', 'state']);
  });
});
