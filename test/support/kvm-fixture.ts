// libvirt inside a lab host (LAB-NOTES "libvirt inside a lab host"): install the KVM
// stack from the lab's local repository, allow pty consoles, start the daemons.
// Idempotent, so every e2e file that needs libvirt can call it from `before`.
import type { Host } from '../../src/transport/host.js';

const PACKAGES = ['qemu-system-x86', 'qemu-utils', 'libvirt-daemon-system', 'libvirt-daemon-system-sysv', 'libvirt-clients', 'dnsmasq-base'];

// Lab hosts have no systemd as PID 1: the sysv package brings init scripts, and a
// policy-rc.d exiting 101 keeps the package scripts from starting daemons half-configured.
// Regular lab hosts ship their own policy-rc.d (src/lab/recipe.ts): it is kept aside and
// put back on exit; the file is removed only where there was none.
const INSTALL = [
  'set -e',
  'if command -v virsh >/dev/null && command -v qemu-img >/dev/null && [ -x /etc/init.d/libvirtd ] && command -v qemu-system-x86_64 >/dev/null && command -v dnsmasq >/dev/null; then exit 0; fi',
  'policy=/usr/sbin/policy-rc.d; kept=$(mktemp)',
  'if [ -e "$policy" ]; then cp -p "$policy" "$kept"; else rm -f "$kept"; fi',
  'trap \'if [ -e "$kept" ]; then cp -p "$kept" "$policy" && rm -f "$kept"; else rm -f "$policy"; fi\' EXIT',
  'printf "#!/bin/sh\\nexit 101\\n" > "$policy" && chmod 0755 "$policy"',
  'apt-get update -qq -o DPkg::Lock::Timeout=600 >/dev/null',
  'DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=600 "$@" >/dev/null',
].join('\n');

// Domains with pty serial/console fail ("Failed to create PTY") under libvirt's
// private /dev per domain; `namespaces = [ ]` turns that off. Restart only on change.
const CONFIGURE = [
  'set -e',
  'conf=/etc/libvirt/qemu.conf',
  'restart=',
  'if ! grep -qx "namespaces = \\[ \\]" "$conf"; then echo "namespaces = [ ]" >> "$conf"; restart=1; fi',
  // libvirtd's init script does not start virtlogd, and domains need it.
  'service virtlogd status >/dev/null 2>&1 || service virtlogd start >/dev/null',
  'if service libvirtd status >/dev/null 2>&1; then',
  '  if [ -n "$restart" ]; then service libvirtd restart >/dev/null; fi',
  'else service libvirtd start >/dev/null; fi',
  // The socket appears a moment after the init script returns.
  'i=0; until virsh -c qemu:///system version >/dev/null 2>&1; do i=$((i+1)); [ $i -gt 60 ] && { echo "libvirtd did not answer" >&2; exit 1; }; sleep 0.5; done',
].join('\n');

async function sh(host: Host, text: string, what: string, ...params: string[]): Promise<void> {
  const r = await host.run(['sh', '-c', text, 'kvm-fixture', ...params], { timeoutMs: 20 * 60_000 });
  if (r.rc !== 0) throw new Error(`${what} on ${host.name} failed (rc ${r.rc ?? 'none'}): ${r.stderr || r.stdout}`);
}

export async function ensureLibvirt(host: Host): Promise<void> {
  await sh(host, INSTALL, 'installing the KVM stack', ...PACKAGES);
  await sh(host, CONFIGURE, 'starting libvirt');
}
