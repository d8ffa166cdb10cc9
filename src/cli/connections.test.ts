import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadInventory } from '../inventory/index.js';
import { resolveConnections } from './connections.js';

describe('resolving the hosts\' connections', () => {
  it('names what the settings cannot honour once per warning, with its hosts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kvmplay-conn-'));
    try {
      const host = (name: string, args: string): string => `    ${name}:\n      ansible_host: 127.0.0.1\n      ansible_ssh_common_args: "${args}"\n`;
      writeFileSync(join(dir, 'inv.yaml'), `all:\n  hosts:\n${host('a', '-A')}${host('b', '-A')}${host('c', '-o Compression=yes')}${host('d', '-A')}${host('e', '-A')}${host('f', '-A')}`);
      const inventory = await loadInventory([join(dir, 'inv.yaml')]);
      const few = resolveConnections(inventory, inventory.hostNames(), ['a', 'b', 'c']);
      assert.deepEqual(few.warnings, ['a, b: ssh arguments: kvmplay cannot honour -A: ignored']);
      const many = resolveConnections(inventory, inventory.hostNames(), ['a', 'b', 'd', 'e', 'f']);
      assert.deepEqual(many.warnings, ['5 hosts: ssh arguments: kvmplay cannot honour -A: ignored']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('resolves only the checked hosts, yet knows every host\'s passwords as secrets', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kvmplay-conn-'));
    try {
      writeFileSync(join(dir, 'inv.yaml'), [
        'all:', '  hosts:',
        '    a: { ansible_host: 127.0.0.1 }',
        '    b: { ansible_host: 127.0.0.1, ansible_password: 12345, ansible_port: not-a-port, ansible_become_pass: sesame-b }',
      ].join('\n'));
      const inventory = await loadInventory([join(dir, 'inv.yaml')]);
      const r = resolveConnections(inventory, inventory.hostNames(), ['a']);
      assert.deepEqual([...r.specs.keys()], ['a']);
      assert.equal(r.problems.count, 0, 'b\'s unusable port is not checked');
      assert.equal(r.redactor.redact('pw 12345 and sesame-b'), 'pw ******** and ********');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
