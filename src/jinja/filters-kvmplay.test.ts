// kvmplay's own filters (the Handlebars helpers of the same names, same rules), the filters
// that read the control machine, and properties no single Ansible answer pins down:
// random salts, linear-time regular expressions, the registry's shape.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExprError } from './errors.js';
import { FILTERS } from './filters.js';
import { applyFilter } from './filters-harness.js';
import { shaCrypt } from './filters-hashing.js';

describe('kvmplay filters keep the meaning of the Handlebars helpers', () => {
  it('kib converts binary sizes to KiB and refuses decimal units', () => {
    assert.equal(applyFilter('kib', '4GiB'), 4194304);
    assert.equal(applyFilter('kib', '512M'), 524288);
    assert.equal(applyFilter('kib', 2048), 2048);
    assert.throws(() => applyFilter('kib', '4GB'), (e: unknown) => e instanceof ExprError && /ambiguous size "4GB"/.test(e.message));
  });

  it('mac and uuid join the value and arguments with "/" into the same pinned seed', () => {
    assert.equal(applyFilter('mac', 'hv01', ['web01', 0]), '52:54:00:26:f1:7e');
    assert.equal(applyFilter('mac', 'hv01/web01/0'), '52:54:00:26:f1:7e');
    assert.equal(applyFilter('uuid', 'hv01', ['web01']), '5b94230b-457f-5efb-8543-bd54f72e4074');
    assert.throws(() => applyFilter('uuid', ''), /seed part 1 is empty/);
  });

  it('libvirt_conf writes libvirt config syntax', () => {
    assert.equal(applyFilter('libvirt_conf', ['cpu', 'devices']), '[ "cpu", "devices" ]');
    assert.equal(applyFilter('libvirt_conf', true), '1');
    assert.throws(() => applyFilter('libvirt_conf', { a: 1 }), /cannot be written in a libvirt config file/);
  });

  it('shq quotes as quote does (Python shlex.quote)', () => {
    assert.equal(applyFilter('shq', "it's"), `'it'"'"'s'`);
    assert.equal(applyFilter('shq', 'plain-word'), 'plain-word');
  });

  it('subelements gives [item, element, index] and honours skip_missing', () => {
    const vms = [{ name: 'a', disks: ['d0', 'd1'] }, { name: 'b' }];
    assert.deepEqual(applyFilter('subelements', vms, ['disks'], { skip_missing: true }), [[vms[0], 'd0', 0], [vms[0], 'd1', 1]]);
    assert.throws(() => applyFilter('subelements', vms, ['disks']), /item 1 has no "disks"/);
  });
});

describe('filters that read the control machine', () => {
  it('expanduser replaces a leading ~ with $HOME and leaves ~user alone', () => {
    const home = process.env.HOME ?? '';
    assert.equal(applyFilter('expanduser', '~/x'), `${home.replace(/\/+$/, '')}/x`);
    assert.equal(applyFilter('expanduser', '~other/x'), '~other/x');
  });

  it('realpath resolves symlinks of the existing part and keeps the rest', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kvmplay-realpath-'));
    try {
      symlinkSync('/etc', join(dir, 'link'));
      assert.equal(applyFilter('realpath', `${dir}/link/./hosts`), '/etc/hosts');
      assert.equal(applyFilter('realpath', `${dir}/link/missing/../x`), '/etc/x');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('password_hash', () => {
  it('matches glibc crypt (openssl passwd -6 / -5) for a given salt', () => {
    assert.equal(shaCrypt('sha512', 'secret', 'mysalt'), '$6$mysalt$UX6P1VKOf6dr0s2pg4pLNvIUB6hLXvP6M5f/Yj9hJgMPdAJ4oArvk5YUD9/XWtk1JOpVwt/JTsczMJr8sFVML1');
  });

  it('draws a fresh 16-character salt when none is given', () => {
    const a = applyFilter('password_hash', 'secret', ['sha512']) as string;
    const b = applyFilter('password_hash', 'secret', ['sha512']) as string;
    assert.match(a, /^\$6\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}$/);
    assert.notEqual(a, b);
  });

  it('refuses a scheme it cannot compute instead of writing a wrong hash', () => {
    assert.throws(() => applyFilter('password_hash', 'x', ['blowfish', 'salt']), /not supported/);
  });
});

describe('regular-expression filters run in linear time', () => {
  it('answers `(a+)+$` over 100,000 characters in well under a second', () => {
    const text = `${'a'.repeat(100_000)}!`;
    const started = Date.now();
    assert.equal(applyFilter('regex_search', text, ['^(a+)+$']), null);
    assert.equal(applyFilter('regex_replace', text, ['(a|aa)+$', 'x']), text);
    assert.deepEqual(applyFilter('regex_findall', text, ['(a+)+b']), []);
    assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
  });

  it('refuses a backreference, saying why', () => {
    assert.throws(() => applyFilter('regex_replace', 'aa', ['(a)\\1', 'x']), /backreferences and lookaround are not supported/);
  });
});

describe('the filter registry', () => {
  it('holds the filters issue 12 lists, by name, in a Map', () => {
    const wanted = ['default', 'd', 'mandatory', 'bool', 'int', 'float', 'string', 'lower', 'upper', 'capitalize', 'title', 'trim',
      'replace', 'regex_replace', 'regex_search', 'regex_findall', 'split', 'join', 'length', 'count', 'first', 'last', 'min', 'max',
      'sum', 'unique', 'union', 'intersect', 'difference', 'symmetric_difference', 'sort', 'reverse', 'list', 'map', 'select', 'reject',
      'selectattr', 'rejectattr', 'dict2items', 'items2dict', 'combine', 'dictsort', 'zip', 'zip_longest', 'flatten', 'product', 'batch',
      'slice', 'to_json', 'to_nice_json', 'from_json', 'to_yaml', 'to_nice_yaml', 'from_yaml', 'b64encode', 'b64decode', 'hash',
      'checksum', 'password_hash', 'basename', 'dirname', 'expanduser', 'realpath', 'splitext', 'quote', 'indent', 'center', 'format',
      'ternary', 'type_debug', 'random', 'kib', 'mac', 'uuid', 'shq', 'libvirt_conf', 'subelements'];
    assert.ok(FILTERS instanceof Map);
    assert.deepEqual(wanted.filter((name) => !FILTERS.has(name)), []);
  });

  it('resolves no prototype name', () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) assert.equal(FILTERS.get(name), undefined);
  });
});
