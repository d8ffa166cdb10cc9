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
    const problem = await schemaError(invalid, fakeContext(), '<domain/>', 'domain');
    assert.match(problem ?? '', /^virt-xml-validate \(libvirt's domain schema\): .*Relax-NG validity error/);
    assert.deepEqual(invalid.calls[0]?.argv?.slice(-1), ['domain']);
    assert.equal(String(invalid.calls[0]?.opts?.stdin), '<domain/>', 'the XML goes on stdin, never as a shared file');
    const valid = new RecordedHost().on(runsScript(SCHEMA_CHECK), { rc: 0, stdout: '/tmp/k.xml validates\n' });
    assert.equal(await schemaError(valid, fakeContext(), '<domain/>', 'domain'), null);
  });

  it('passes where the validator is missing (the script exits 0 on this machine without it)', async () => {
    const r = await new LocalHost().run(['sh', '-c', SCHEMA_CHECK.replace(/virt-xml-validate >/, 'kvmplay-no-such-validator >'), 'sh', 'domain'], { stdin: '<domain/>' });
    assert.equal(r.rc, 0);
  });

  it('stages the XML for the validator in a private directory it removes (a stand-in validator on this machine)', async () => {
    const seen = '/tmp/kvmplay-schema-check-test.txt';
    // A virt-xml-validate that reports where its file is, its directory's mode and the content.
    const fake = SCHEMA_CHECK.replace(/! command -v virt-xml-validate >\/dev\/null 2>&1 \|\| ! command -v xmllint >\/dev\/null 2>&1/, 'false')
      .replace(/virt-xml-validate "\$d\/\$1\.xml" "\$1"/, `{ stat -c %a "$d"; cat "$d/$1.xml"; echo "$d" > ${seen}; }`);
    const r = await new LocalHost().run(['sh', '-c', fake, 'sh', 'domain'], { stdin: '<domain/>' });
    assert.equal(r.rc, 0, r.stderr);
    assert.equal(r.stdout, '700\n<domain/>');
    const dir = (await new LocalHost().run(['sh', '-c', `cat ${seen}; rm -f ${seen}`])).stdout.trim();
    assert.match(dir, /^\/tmp\/tmp\./);
    assert.equal((await new LocalHost().run(['test', '-e', dir])).rc, 1, 'removed afterwards');
  });
});
