// ~/.ssh/config end to end (issue 15): a host known only by an alias of the user's ssh
// config, reached through a ProxyJump that is itself an alias, over the lab's real
// sshd, and a host key recorded under a HostKeyAlias. The config lives in a temporary
// HOME; kvmplay runs with HOME set to it.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { explain, kvmplay, lastJsonLine, scratchDir, writeFile } from '../support/cli.js';

const LAB_DIR = '/var/lib/kvmplay/lab';

interface LabInventory {
  all: { children: { lab: { hosts: Record<string, { ansible_host: string }> } } };
}

function labAddress(name: string): string {
  const inv = parse(readFileSync(join(LAB_DIR, 'inventory.yaml'), 'utf8')) as LabInventory;
  const address = inv.all.children.lab.hosts[name]?.ansible_host;
  assert.ok(address, `the lab inventory gives ${name}'s address`);
  return address;
}

/** ssh config lines for an alias of a lab host, with the lab's key and known_hosts. */
/** The lab's known_hosts lines for `address`, with the host field replaced by `name`. */
function knownHostsAs(address: string, name: string): string {
  const lines = readFileSync(join(LAB_DIR, 'known_hosts'), 'utf8').split('\n')
    .filter((l) => l.split(/\s+/)[0]?.split(',').includes(address));
  assert.ok(lines.length > 0, `the lab known_hosts has ${address}`);
  return lines.map((l) => l.replace(/^\S+/, name)).join('\n') + '\n';
}

function labAlias(alias: string, address: string, extra = ''): string {
  return [
    `Host ${alias}`,
    `  HostName ${address}`,
    '  User root',
    `  IdentityFile ${join(LAB_DIR, 'id_ed25519')}`,
    `  UserKnownHostsFile ${join(LAB_DIR, 'known_hosts')}`,
    extra,
    '',
  ].join('\n');
}

describe('~/.ssh/config over real SSH', function () {
  this.timeout(300_000);
  let home = '';
  let inventoryDir = '';
  let inventory = '';
  let lab01 = '';
  let lab02 = '';

  before(() => {
    lab01 = labAddress('lab01');
    lab02 = labAddress('lab02');
    home = scratchDir('kvp-ssh-config-home');
    mkdirSync(join(home, '.ssh'), { mode: 0o700 });
    // Only the alias: no ansible_host, user, key or known_hosts in the inventory.
    inventoryDir = scratchDir('kvp-ssh-config-inv');
    inventory = writeFile(inventoryDir, 'inventory.yaml', 'all:\n  hosts:\n    kvp-alias: {}\n');
  });
  after(() => {
    for (const dir of [home, inventoryDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Run kvmplay with the temporary HOME holding `config`, and no agent. */
  function withConfig(config: string, args: string[]) {
    writeFile(join(home, '.ssh'), 'config', config);
    return kvmplay(args, { env: { HOME: home, SSH_AUTH_SOCK: '' } });
  }

  const jumpConfig = () => labAlias('kvp-jump', lab01) + labAlias('kvp-alias', lab02, '  ProxyJump kvp-jump');

  it('pings a host known only by its ssh config alias, through an aliased jump host', async () => {
    const r = await withConfig(jumpConfig(), ['ping', '-i', inventory, '--json']);
    assert.equal(r.code, 0, explain(r));
    const recap = lastJsonLine<{ ok: boolean; hosts: Record<string, { ok: number; unreachable: boolean }> }>(r.stdout);
    assert.equal(recap.ok, true, explain(r));
    assert.deepEqual(Object.keys(recap.hosts), ['kvp-alias']);
  });

  it('runs a command on lab02 whose SSH client is lab01: the connection went through the jump', async () => {
    const r = await withConfig(jumpConfig(), ['exec', '-i', inventory, '--', 'hostname; echo "client=${SSH_CLIENT%% *}"']);
    assert.equal(r.code, 0, explain(r));
    assert.match(r.stdout, /\blab02\b/, explain(r));
    assert.match(r.stdout, new RegExp(`client=${lab01.replace(/\./g, '\\.')}\\b`), explain(r));
  });

  it('connects directly, from another address, when the config has no ProxyJump (the check above can fail)', async () => {
    const r = await withConfig(labAlias('kvp-alias', lab02), ['exec', '-i', inventory, '--', 'echo "client=${SSH_CLIENT%% *}"']);
    assert.equal(r.code, 0, explain(r));
    const client = /client=(\S+)/.exec(r.stdout)?.[1];
    assert.ok(client, explain(r));
    assert.notEqual(client, lab01);
  });

  it('checks the jump host\'s key against its own UserKnownHostsFile', async () => {
    const emptyKnown = writeFile(home, 'empty_known_hosts', '');
    const config = labAlias('kvp-jump', lab01).replace(join(LAB_DIR, 'known_hosts'), emptyKnown)
      + labAlias('kvp-alias', lab02, '  ProxyJump kvp-jump');
    const r = await withConfig(config, ['ping', '-i', inventory]);
    assert.notEqual(r.code, 0, explain(r));
    assert.match(r.stdout + r.stderr, new RegExp(`jump host root@${lab01.replace(/\./g, '\\.')}:22: host key not in known_hosts \\(${emptyKnown}`), explain(r));
  });

  it('reaches a jump host through its own ProxyJump: lab03 through lab02 through lab01', async () => {
    const lab03 = labAddress('lab03');
    const chain = (firstKnown: string) => labAlias('kvp-outer', lab01).replace(join(LAB_DIR, 'known_hosts'), firstKnown)
      + labAlias('kvp-jump', lab02, '  ProxyJump kvp-outer') + labAlias('kvp-alias', lab03, '  ProxyJump kvp-jump');
    const r = await withConfig(chain(join(LAB_DIR, 'known_hosts')), ['exec', '-i', inventory, '--', 'hostname; echo "client=${SSH_CLIENT%% *}"']);
    assert.equal(r.code, 0, explain(r));
    assert.match(r.stdout, /\blab03\b/, explain(r));
    assert.match(r.stdout, new RegExp(`client=${lab02.replace(/\./g, '\\.')}\\b`), explain(r));
    // lab01 was on the way: with its key unknown, the connection fails at lab01.
    const refused = await withConfig(chain(writeFile(home, 'outer_known_hosts', '')), ['ping', '-i', inventory]);
    assert.notEqual(refused.code, 0, explain(refused));
    assert.match(refused.stdout + refused.stderr, new RegExp(`jump host root@${lab01.replace(/\./g, '\\.')}:22: host key not in known_hosts`), explain(refused));
  });

  it('checks the host key under the HostKeyAlias, which is the only name known_hosts holds it by', async () => {
    const aliasKnown = writeFile(home, 'alias_known_hosts', knownHostsAs(lab02, 'kvp-key-alias'));
    const base = labAlias('kvp-alias', lab02).replace(join(LAB_DIR, 'known_hosts'), aliasKnown);
    const ok = await withConfig(base.replace('  User root', '  User root\n  HostKeyAlias kvp-key-alias'), ['exec', '-i', inventory, '--', 'hostname']);
    assert.equal(ok.code, 0, explain(ok));
    assert.match(ok.stdout, /\blab02\b/, explain(ok));
    // The control: without the alias the same file does not know the host.
    const refused = await withConfig(base, ['ping', '-i', inventory]);
    assert.notEqual(refused.code, 0, explain(refused));
    assert.match(refused.stdout + refused.stderr, /host key not in known_hosts/, explain(refused));
  });

  it('records a first-seen host key under the HostKeyAlias, without [host]:port', async () => {
    const fresh = writeFile(home, 'fresh_known_hosts', '');
    const config = labAlias('kvp-alias', lab02, '  HostKeyAlias kvp-recorded-alias\n  StrictHostKeyChecking accept-new')
      .replace(join(LAB_DIR, 'known_hosts'), fresh);
    const r = await withConfig(config, ['ping', '-i', inventory]);
    assert.equal(r.code, 0, explain(r));
    const recorded = readFileSync(fresh, 'utf8').split('\n').filter(Boolean);
    assert.equal(recorded.length, 1, recorded.join('\n'));
    assert.ok(knownHostsAs(lab02, 'kvp-recorded-alias').split('\n').includes(recorded[0]!), recorded.join('\n'));
  });
});
