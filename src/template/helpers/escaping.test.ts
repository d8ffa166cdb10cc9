import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { SafeText } from '../safe-text.js';
import { shq, xml } from './escaping.js';

describe('xml and shq helpers', () => {
  it('xml escapes the five XML special characters and marks the text as XML-safe', () => {
    const out = xml(`a&b<c>"d'e`);
    assert.ok(out instanceof SafeText);
    assert.equal(out.syntax, 'xml');
    assert.equal(out.text, 'a&amp;b&lt;c&gt;&quot;d&apos;e');
  });

  it('xml writes numbers and booleans and refuses lists', () => {
    assert.equal(xml(3).text, '3');
    assert.equal(xml(true).text, 'true');
    assert.throws(() => xml([1]), /is a list/);
  });

  it('shq leaves safe words bare and single-quotes the rest so sh reads them back exactly', () => {
    assert.equal(shq('br0').text, 'br0');
    for (const word of ["it's", '$(id)', 'a; b', '`x`', 'a b', '']) {
      const quoted = shq(word);
      assert.equal(quoted.syntax, 'shell');
      const out = spawnSync('sh', ['-c', `printf '%s' ${quoted.text}`], { encoding: 'utf8' });
      assert.equal(out.stdout, word);
    }
  });
});
