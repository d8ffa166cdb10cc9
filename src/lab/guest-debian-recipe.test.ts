import assert from 'node:assert/strict';
import { parse } from 'yaml';
import {
  bootRelease, CLOUD_CFG, CLOUD_MODULES_LEFT_OUT, DEBIAN_GUEST_CMDLINE, DEBIAN_GUEST_FILES, DEBIAN_GUEST_MASKED, DEBIAN_GUEST_PACKAGES,
  debianGuestEntryName, debianGuestHash, parseSums, sumsText,
} from './guest-debian-recipe.js';
import { cacheEntryName } from './recipe.js';

describe('Debian guest image recipe', () => {
  it('names its own cache entry, apart from the lab rootfs entry, after a stable hash', () => {
    assert.equal(debianGuestHash(), debianGuestHash());
    assert.match(debianGuestEntryName(), /^guest-debian-[0-9a-f]{12}$/);
    assert.equal(debianGuestEntryName('0123456789abcdef'), 'guest-debian-0123456789ab');
    assert.notEqual(debianGuestEntryName(), cacheEntryName());
  });

  it('installs what cloud-init needs on minbase, logind\'s dbus (ACPI shutdown), a kernel with virtio drivers and a DHCP client cloud-init renders for', () => {
    for (const p of ['systemd-sysv', 'dbus', 'openssh-server', 'cloud-init', 'python3-cffi-backend', 'linux-image-cloud-amd64', 'ifupdown', 'isc-dhcp-client', 'sudo']) {
      assert.ok(DEBIAN_GUEST_PACKAGES.includes(p as (typeof DEBIAN_GUEST_PACKAGES)[number]), p);
    }
  });

  it('configures cloud-init for a NoCloud seed: ed25519 keys only, root key usable, no locale module', () => {
    const cfg = parse(CLOUD_CFG) as Record<string, unknown>;
    assert.deepEqual(cfg['datasource_list'], ['NoCloud', 'None']);
    assert.deepEqual(cfg['ssh_genkeytypes'], ['ed25519']);
    assert.equal(cfg['disable_root'], false);
    const modules = ['cloud_init_modules', 'cloud_config_modules', 'cloud_final_modules'].flatMap((k) => cfg[k] as string[]);
    for (const needed of ['set_hostname', 'update_hostname', 'update_etc_hosts', 'users-groups', 'ssh', 'runcmd', 'write-files']) assert.ok(modules.includes(needed), needed);
    for (const out of CLOUD_MODULES_LEFT_OUT) assert.ok(!modules.includes(out), out);
    // ds-identify reads datasource_list only when it is on one line.
    assert.match(CLOUD_CFG, /^datasource_list: \[NoCloud, None\]$/m);
  });

  it('leaves no machine identity in the image and masks e2scrub_reap', () => {
    const file = (p: string) => DEBIAN_GUEST_FILES.find((f) => f.path === p);
    assert.equal(file('etc/machine-id')?.content, '');
    assert.match(file('etc/ssh/sshd_config.d/kvmplay-guest.conf')?.content ?? '', /^HostKey \/etc\/ssh\/ssh_host_ed25519_key$/m);
    assert.match(file('etc/initramfs-tools/modules')?.content ?? '', /^virtio_blk$/m);
    assert.ok(DEBIAN_GUEST_MASKED.includes('e2scrub_reap.service'));
    assert.equal(DEBIAN_GUEST_CMDLINE, 'root=/dev/vda rw console=ttyS0');
  });

  it('finds the one kernel release that has its initrd', () => {
    assert.equal(bootRelease(['System.map-6.1.0-50-cloud-amd64', 'config-6.1.0-50-cloud-amd64', 'initrd.img-6.1.0-50-cloud-amd64', 'vmlinuz-6.1.0-50-cloud-amd64']), '6.1.0-50-cloud-amd64');
    assert.equal(bootRelease(['vmlinuz-6.1.0-50-cloud-amd64']), null);
    assert.equal(bootRelease(['vmlinuz-a', 'initrd.img-a', 'vmlinuz-b', 'initrd.img-b']), null);
  });

  it('writes and reads sha256sum lines', () => {
    const sums = [{ name: 'debian12.raw', sha256: 'a'.repeat(64) }, { name: 'vmlinuz', sha256: 'b'.repeat(64) }];
    const text = sumsText(sums);
    assert.equal(text, `${'a'.repeat(64)}  debian12.raw\n${'b'.repeat(64)}  vmlinuz\n`);
    assert.deepEqual([...parseSums(text)], [['debian12.raw', 'a'.repeat(64)], ['vmlinuz', 'b'.repeat(64)]]);
    assert.equal(parseSums('not a sum\n').size, 0);
  });
});
