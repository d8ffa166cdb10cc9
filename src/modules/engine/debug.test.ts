import assert from 'node:assert/strict';
import { debugModule, HELLO, NOT_DEFINED, VERBOSITY_NOT_MET } from './debug.js';
import type { RunModuleContext } from '../module.js';
import { fakeContext } from '../../../test/support/module-context.js';
import { RecordedHost } from '../../../test/support/recorded-host.js';

const VARS = { item: { name: 'web' }, ports: [22, 80], greeting: 'hi' };

async function debug(args: Record<string, unknown>, over: Partial<RunModuleContext> = {}) {
  const host = new RecordedHost();
  const r = await debugModule.run(host, debugModule.args.parse(args), fakeContext({ vars: VARS, ...over }));
  assert.equal(host.calls.length, 0, 'debug never contacts the host');
  return r;
}

describe('debug', () => {
  it('says Hello world! without arguments, never changed', async () => {
    const r = await debug({});
    assert.deepEqual(r, { changed: false, msg: HELLO });
  });

  it('shows msg as given; a list or map keeps its value under data.msg', async () => {
    assert.equal((await debug({ msg: 'rendered text' })).msg, 'rendered text');
    const r = await debug({ msg: ['a', 1] });
    assert.equal(r.msg, '["a",1]');
    assert.deepEqual(r.data, { msg: ['a', 1] });
  });

  it('registers var under its own text: a name, a path or an expression', async () => {
    assert.deepEqual((await debug({ var: 'item.name' })).data, { 'item.name': 'web' });
    assert.deepEqual((await debug({ var: 'ports | length' })).data, { 'ports | length': 2 });
    const r = await debug({ var: 'ports' });
    assert.deepEqual(r.data, { ports: [22, 80] });
    assert.equal(r.msg, 'ports: [22,80]');
    assert.equal(r.changed, false);
  });

  it('shows an undefined var as VARIABLE IS NOT DEFINED!, with the reason from -v on', async () => {
    assert.deepEqual((await debug({ var: 'nope' })).data, { nope: NOT_DEFINED });
    assert.deepEqual((await debug({ var: 'item.missing' })).data, { 'item.missing': NOT_DEFINED });
    assert.deepEqual((await debug({ var: 'nope | upper' })).data, { 'nope | upper': NOT_DEFINED });
    const v = await debug({ var: 'nope' }, { verbosity: 1 });
    assert.match(String(v.data?.['nope']), /^VARIABLE IS NOT DEFINED!: undefined variable 'nope'/);
  });

  it('takes a var rendered to a list as not defined, keyed by its Python type (as Ansible)', async () => {
    assert.deepEqual((await debug({ var: [1, 2] })).data, { "<class 'list'>": NOT_DEFINED });
  });

  it('fails the task when var cannot be evaluated for another reason than undefined', async () => {
    const r = await debug({ var: 'greeting + 1' });
    assert.equal(r.failed, true);
    assert.match(r.msg, /^cannot evaluate var "greeting \+ 1": /);
  });

  it('skips below its verbosity, runs at or above it (missing verbosity counts as 0)', async () => {
    const skipped = await debug({ msg: 'detail', verbosity: 2 }, { verbosity: 1 });
    assert.deepEqual(skipped, { changed: false, skipped: true, msg: VERBOSITY_NOT_MET, data: { skipped_reason: VERBOSITY_NOT_MET } });
    assert.equal((await debug({ msg: 'detail', verbosity: '1' })).skipped, true);
    assert.equal((await debug({ msg: 'detail', verbosity: 2 }, { verbosity: 2 })).msg, 'detail');
    assert.equal((await debug({ msg: 'detail', verbosity: 0 })).msg, 'detail');
  });

  it('gives its real result in check mode (not skipped, no "would")', async () => {
    const r = await debug({ var: 'item.name' }, { check: true });
    assert.deepEqual(r, { changed: false, msg: 'item.name: web', data: { 'item.name': 'web' } });
  });

  it('refuses msg with var, unknown arguments, a bad verbosity and a var that does not parse', () => {
    const issues = (args: Record<string, unknown>): string => {
      const r = debugModule.args.safeParse(args);
      assert.equal(r.success, false, JSON.stringify(args));
      return JSON.stringify(r.error?.issues);
    };
    assert.match(issues({ msg: 'a', var: 'b' }), /mutually exclusive: msg\|var/);
    assert.match(issues({ message: 'a' }), /message/);
    assert.match(issues({ verbosity: 'lots' }), /whole number/);
    const bad = debugModule.args.safeParse({ var: 'a b' }).error?.issues[0];
    assert.deepEqual(bad?.path, ['var']);
    assert.match(bad?.message ?? '', /^"a b" is not a variable name or expression: expression syntax error at column 3/);
    assert.equal(debugModule.args.safeParse({ var: '{{ name }}' }).success, true, 'a template is checked after rendering');
  });
});
