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
});
