import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fakeContext } from '../../../test/support/module-context.js';
import { FakeHost } from '../../../test/support/fake-host.js';
import { SCHEMA_CHECK, schemaError, xmlSyntaxError } from './xml-check.js';

const GOLDEN = join(process.cwd(), 'test', 'fixtures', 'golden');

describe('XML checks before define', () => {
  it('accepts the shipped templates\' golden renders', () => {
    for (const f of ['domain-full.xml', 'domain-minimal.xml', 'network-default.xml']) {
      assert.equal(xmlSyntaxError(readFileSync(join(GOLDEN, f), 'utf8')), null, f);
    }
    assert.equal(xmlSyntaxError("<domain type='qemu'><name>a &amp; b</name><devices><disk/></devices></domain>"), null);
  });

  it('names line and column of the first problem', () => {
    assert.equal(xmlSyntaxError("<domain type='qemu'>\n  <name>x</name\n</domain>"), "line 2, column 10: Closing tag 'name' can't have attributes or invalid starting.");
    assert.match(xmlSyntaxError("<domain><name>x</domain>") ?? '', /^line 1, column \d+: .*name/);
    assert.match(xmlSyntaxError('<domain a=1></domain>') ?? '', /^line 1, column \d+: /);
  });

  it('runs virt-xml-validate only where it and xmllint exist, and reports its words', async () => {
    const host = new FakeHost();
    host.onCommand = (argv) => (argv[2] === SCHEMA_CHECK
      ? { rc: 3, stdout: "/tmp/k.xml:3: element memory: Relax-NG validity error : Element domain failed to validate content\n/tmp/k.xml fails to validate\n", stderr: '' }
      : undefined);
    const problem = await schemaError(host, fakeContext(), '/tmp/k.xml', 'domain');
    assert.match(problem ?? '', /^virt-xml-validate \(libvirt's domain schema\): .*Relax-NG validity error/);
    assert.deepEqual(host.calls[0]?.argv?.slice(-2), ['/tmp/k.xml', 'domain']);
    host.onCommand = () => ({ rc: 0, stdout: '/tmp/k.xml validates\n', stderr: '' });
    assert.equal(await schemaError(host, fakeContext(), '/tmp/k.xml', 'domain'), null);
  });
});
