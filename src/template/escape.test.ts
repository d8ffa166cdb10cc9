import assert from 'node:assert/strict';
import { escapeXml, formatFor, RefusedValue, writeValue } from './escape.js';
import { SafeText } from './safe-text.js';

describe('output formats', () => {
  const names: Array<[string, string]> = [
    ['templates/domain.xml.hbs', 'xml'],
    ['network.xml', 'xml'],
    ['NETWORK.XML.HBS', 'xml'],
    ['templates/ifcfg-bridge.hbs', 'ifcfg'],
    ['ifcfg-em1', 'ifcfg'],
    ['br0.ifcfg', 'ifcfg'],
    ['templates/interfaces-bridge.hbs', 'ifupdown'],
    ['interfaces', 'ifupdown'],
    ['br0.interfaces', 'ifupdown'],
    ['setup.sh.hbs', 'shell'],
    ['run.bash', 'shell'],
    ['vars.json.handlebars', 'json'],
    ['libvirtd.conf', 'text'],
    ['motd', 'text'],
    ['playbooks/site.yaml:12:7 (task args)', 'text'],
  ];
  for (const [name, format] of names) {
    it(`chooses ${format} for ${name}`, () => assert.equal(formatFor(name), format));
  }
});

describe('writing values', () => {
  it('escapes & < > " and \' in XML', () => {
    assert.equal(escapeXml(`a&b<c>"d'e`), 'a&amp;b&lt;c&gt;&quot;d&apos;e');
    assert.equal(writeValue(`<x a="1">&</x>`, 'xml'), '&lt;x a=&quot;1&quot;&gt;&amp;&lt;/x&gt;');
  });

  it('refuses control characters that XML 1.0 cannot carry but keeps tab and newline', () => {
    assert.throws(() => writeValue('a\u0001b', 'xml'), RefusedValue);
    assert.equal(writeValue('a\tb\nc', 'xml'), 'a\tb\nc');
  });

  it('quotes ifcfg and shell values only when needed, as sh reads them', () => {
    assert.equal(writeValue('192.0.2.11', 'ifcfg'), '192.0.2.11');
    assert.equal(writeValue('br0', 'shell'), 'br0');
    assert.equal(writeValue('va lue', 'ifcfg'), "'va lue'");
    assert.equal(writeValue("it's", 'ifcfg'), "'it'\\''s'");
    assert.equal(writeValue('$(reboot)', 'ifcfg'), "'$(reboot)'");
    assert.equal(writeValue('a;b', 'shell'), "'a;b'");
    assert.equal(writeValue('', 'ifcfg'), "''");
  });

  it('refuses newline, carriage return and NUL in ifcfg, shell and ifupdown files', () => {
    for (const format of ['ifcfg', 'shell', 'ifupdown'] as const) {
      assert.throws(() => writeValue('a\nb', format), /contains a newline/);
      assert.throws(() => writeValue('a\rb', format), /carriage return/);
      assert.throws(() => writeValue('a\0b', format), /NUL byte/);
    }
  });

  it('writes ifupdown values as words, without quotes', () => {
    assert.equal(writeValue('em1 em2', 'ifupdown'), 'em1 em2');
  });

  it('escapes nothing in text, least of all HTML', () => {
    const s = `a=b 'c' "d" \`e\` <f> & g`;
    assert.equal(writeValue(s, 'text'), s);
  });

  it('writes a JSON value as a JSON literal, without HTML escaping', () => {
    assert.equal(writeValue(`a "b" <c> & \\`, 'json'), '"a \\"b\\" <c> & \\\\"');
    assert.equal(writeValue(2, 'json'), '2');
    assert.equal(writeValue(new SafeText('[1]', 'json'), 'json'), '[1]');
  });

  it('refuses in ifupdown option values what /bin/sh would read as more than words', () => {
    assert.throws(() => writeValue('1.2.3.4;reboot', 'ifupdown'), /plain words/);
    assert.throws(() => writeValue('$(id)', 'ifupdown'), /plain words/);
  });

  it('writes raw values unescaped in every format', () => {
    assert.equal(writeValue('<a b>', 'xml', true), '<a b>');
    assert.equal(writeValue('a\nb', 'ifcfg', true), 'a\nb');
  });

  it('writes text escaped for the same syntax verbatim and escapes it for any other', () => {
    const quoted = new SafeText("'a b'", 'shell');
    assert.equal(writeValue(quoted, 'shell'), "'a b'");
    assert.equal(writeValue(quoted, 'ifcfg'), "'a b'");
    assert.equal(writeValue(quoted, 'xml'), '&apos;a b&apos;');
    const escaped = new SafeText('&amp;', 'xml');
    assert.equal(writeValue(escaped, 'xml'), '&amp;');
    assert.equal(writeValue(escaped, 'shell'), "'&amp;'");
  });

  it('writes numbers and booleans as text', () => {
    assert.equal(writeValue(4194304, 'xml'), '4194304');
    assert.equal(writeValue(false, 'ifcfg'), 'false');
  });

  it('refuses undefined, null, lists, maps and non-finite numbers', () => {
    assert.throws(() => writeValue(undefined, 'text'), /is not defined/);
    assert.throws(() => writeValue(null, 'text'), /is null/);
    assert.throws(() => writeValue([1], 'text'), /is a list/);
    assert.throws(() => writeValue({ a: 1 }, 'text'), /is a map/);
    assert.throws(() => writeValue(Number.NaN, 'text'), /NaN/);
  });
});
