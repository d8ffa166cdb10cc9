import assert from 'node:assert/strict';
import { writeTree } from '../../test/support/file-tree.js';
import { OptionsError, ValidationError } from '../errors.js';
import { parseExtraVars } from './extra-vars.js';
import { parseKeyValues, splitArgs } from './kv.js';

describe('-e extra variables', () => {
  it('reads key=value pairs as strings, with quotes', async () => {
    assert.deepEqual(await parseExtraVars(['vm_action=shutdown force=true', 'msg="a b" n=3']), {
      vm_action: 'shutdown', force: 'true', msg: 'a b', n: '3',
    });
  });

  it('reads JSON and YAML maps, keeping their types', async () => {
    assert.deepEqual(await parseExtraVars(['{"vm_names": ["web01"], "timeout": 30}', '{force: yes}']), {
      vm_names: ['web01'], timeout: 30, force: true,
    });
  });

  it('reads @file, later values replacing earlier ones', async () => {
    const tree = await writeTree({ 'vars.yaml': 'a: 1\nb: [x]\n' });
    try {
      assert.deepEqual(await parseExtraVars([`@${tree.path('vars.yaml')}`, 'a=2']), { a: '2', b: ['x'] });
    } finally {
      await tree.remove();
    }
  });

  it('refuses a word that is not key=value, and a JSON list', async () => {
    await assert.rejects(parseExtraVars(['force']), OptionsError);
    await assert.rejects(parseExtraVars(['[1, 2]']), /must be a map of variables/);
    await assert.rejects(parseExtraVars(['@/nonexistent/vars.yaml']), /cannot read the file: no such file/);
  });

  it('places malformed YAML in an @file at its line and column', async () => {
    const tree = await writeTree({ 'bad.yaml': 'a: 1\nb: [x\n' });
    try {
      await assert.rejects(parseExtraVars([`@${tree.path('bad.yaml')}`]), (e: unknown) => e instanceof ValidationError && e.line >= 2);
    } finally {
      await tree.remove();
    }
  });
});

describe('key=value splitting', () => {
  it('keeps quoted words and {{ }} together', () => {
    assert.deepEqual(splitArgs(`a=1 msg="x y" t={{ a | b }} 'c d'`), ['a=1', 'msg="x y"', 't={{ a | b }}', "'c d'"]);
  });

  it('cuts each word at its first unescaped =', () => {
    assert.deepEqual(parseKeyValues('opt=a=b esc\\=no=1 bare'), { pairs: { opt: 'a=b', 'esc\\=no': '1' }, raw: ['bare'] });
  });
});
