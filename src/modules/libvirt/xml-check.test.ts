import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fakeContext } from '../../../test/support/module-context.js';
import { RecordedHost, runsScript } from '../../../test/support/recorded-host.js';
import { LocalHost } from '../../transport/local/local-host.js';
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
    // virt-xml-validate's output for a <memory> that is not a number (libvirt 9, Debian 12).
    const invalid = new RecordedHost().on(runsScript(SCHEMA_CHECK), {
      rc: 3, stdout: '/tmp/k.xml:3: element memory: Relax-NG validity error : Element domain failed to validate content\n/tmp/k.xml fails to validate\n',
    });
    const problem = await schemaError(invalid, fakeContext(), '/tmp/k.xml', 'domain');
    assert.match(problem ?? '', /^virt-xml-validate \(libvirt's domain schema\): .*Relax-NG validity error/);
    assert.deepEqual(invalid.calls[0]?.argv?.slice(-2), ['/tmp/k.xml', 'domain']);
    const valid = new RecordedHost().on(runsScript(SCHEMA_CHECK), { rc: 0, stdout: '/tmp/k.xml validates\n' });
    assert.equal(await schemaError(valid, fakeContext(), '/tmp/k.xml', 'domain'), null);
  });

  it('passes where the validator is missing (the script exits 0 on this machine without it)', async () => {
    const r = await new LocalHost().run(['sh', '-c', SCHEMA_CHECK.replace(/virt-xml-validate >/, 'kvmplay-no-such-validator >'), 'sh', '/nonexistent.xml', 'domain']);
    assert.equal(r.rc, 0);
  });
});
