import assert from 'node:assert/strict';
import { lookupContext, makeTree, runLookup, type TempTree } from './test-support.js';

describe('lookup first_found', () => {
  let tree: TempTree;
  before(() => {
    tree = makeTree({
      'play/files/default.yml': '',
      'play/files/debian.yml': '',
      'play/vars/main.yml': '',
      'play/other.yml': '',
      'play/files/adir/': '',
    });
  });
  after(() => tree.remove());
  const ctx = (): ReturnType<typeof lookupContext> => lookupContext([tree.path('play')]);

  it('gives the absolute path of the first name that exists, searched in files/', () => {
    assert.deepEqual(runLookup(ctx(), 'first_found', ['redhat.yml', 'debian.yml', 'default.yml']), [tree.path('play/files/debian.yml')]);
    assert.deepEqual(runLookup(ctx(), 'first_found', [['nope.yml', 'other.yml']]), [tree.path('play/other.yml')]);
  });

  it('takes names joined with , or ; and an existing directory, as Ansible does', () => {
    assert.deepEqual(runLookup(ctx(), 'first_found', ['nope.yml;default.yml']), [tree.path('play/files/default.yml')]);
    assert.deepEqual(runLookup(ctx(), 'first_found', ['adir']), [tree.path('play/files/adir')]);
  });

  it('joins each path with each name, from a dict term or from the options', () => {
    const dict = { files: ['nope.yml', 'main.yml'], paths: ['vars'] };
    assert.deepEqual(runLookup(ctx(), 'first_found', [dict]), [tree.path('play/vars/main.yml')]);
    assert.deepEqual(runLookup(ctx(), 'first_found', [], { files: ['nope.yml', 'main.yml'], paths: 'x:vars' }), [tree.path('play/vars/main.yml')]);
    assert.deepEqual(runLookup(ctx(), 'first_found', ['main.yml'], { paths: [tree.path('play/vars')] }), [tree.path('play/vars/main.yml')]);
  });

  it('gives [] with skip=true when nothing exists, else fails as Ansible does', () => {
    assert.deepEqual(runLookup(ctx(), 'first_found', ['nope.yml'], { skip: true }), []);
    assert.deepEqual(runLookup(ctx(), 'first_found', [{ files: ['nope.yml'], skip: true }]), []);
    assert.throws(() => runLookup(ctx(), 'first_found', ['nope.yml']), { message: 'No file was found when using first_found.' });
  });

  it('refuses an unknown key in a dict term and a term of another type', () => {
    assert.throws(() => runLookup(ctx(), 'first_found', [{ file: ['x'] }]), /has no option 'file'; it takes files, paths, skip/);
    assert.throws(() => runLookup(ctx(), 'first_found', [3]), /Invalid term supplied.*number for 3/);
  });
});
