import assert from 'node:assert/strict';
import { cacheEntryName, findMirror, recipeHash } from './recipe.js';

describe('lab recipe', () => {
  it('names the cache entry after the suite and a stable recipe hash', () => {
    assert.equal(recipeHash(), recipeHash());
    assert.match(cacheEntryName(), /^bookworm-[0-9a-f]{12}$/);
    assert.equal(cacheEntryName('0123456789abcdef'), 'bookworm-0123456789ab');
  });

  it('finds the mirror serving bookworm itself in deb822 sources, not -security', () => {
    const text = [
      'Types: deb\nURIs: http://deb.debian.org/debian-security\nSuites: bookworm-security\nComponents: main\n',
      'Types: deb\n# a comment\nURIs: http://deb.debian.org/debian/\nSuites: bookworm bookworm-updates\nComponents: main\n',
    ].join('\n');
    assert.equal(findMirror([{ name: 'debian.sources', text }]), 'http://deb.debian.org/debian');
  });

  it('skips disabled stanzas and reads one-line .list files', () => {
    const off = 'Types: deb\nURIs: http://off.example/debian\nSuites: bookworm\nEnabled: no\n';
    const list = 'deb [arch=amd64] http://mirror.example/debian bookworm main\n';
    assert.equal(findMirror([{ name: 'a.sources', text: off }, { name: 'b.list', text: list }]), 'http://mirror.example/debian');
    assert.equal(findMirror([{ name: 'c.list', text: 'deb https://x.example/apt nodistro main\n' }]), null);
  });
});
