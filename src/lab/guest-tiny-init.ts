// The tiny lab guest's own files (guest-tiny.ts packs them into its initramfs): a
// busybox init that brings the guest up from its kernel command line alone, so a
// rollout can give each guest its identity without any image of its own.
//
// Kernel command line (the domain's <cmdline>):
//   kvmplay.hostname=NAME            the guest's hostname (also sent in its DHCP request)
//   kvmplay.ssh_key=TYPE:BASE64      root's authorized key, a space written as ':' (repeatable)
// The guest then: loads its drivers, takes an address by DHCP on eth0, starts dropbear
// (ed25519 host key only: other types are slow to make under software emulation) and
// powers off on the ACPI power button (`virsh shutdown`). Its host key is kept on
// its first disk when that disk is blank or already holds one, so a guest keeps its
// key across boots (known_hosts stays true); without such a disk it makes a new one
// at each boot.

/** /init: PID 1 of the guest. */
export const TINY_INIT = `#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin:/usr/bin:/usr/sbin
mkdir -p /proc /sys /dev /tmp /run /var/run /var/log /root/.ssh /etc/dropbear
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts && mount -t devpts -o ptmxmode=0666 devpts /dev/pts
# What udev makes on a full system (devtmpfs does not): scripts read /dev/fd/N.
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin; ln -sf /proc/self/fd/1 /dev/stdout; ln -sf /proc/self/fd/2 /dev/stderr
mount -t tmpfs tmpfs /tmp
for m in $(cat /etc/kvmplay-modules); do insmod "/lib/modules/$m" 2>/dev/null; done

name=guest
for word in $(cat /proc/cmdline); do
  case $word in
  kvmplay.hostname=*) name=\${word#kvmplay.hostname=} ;;
  kvmplay.ssh_key=*) echo "\${word#kvmplay.ssh_key=}" | tr ':' ' ' >> /root/.ssh/authorized_keys ;;
  esac
done
hostname "$name"
echo "$name" > /etc/hostname
printf '127.0.0.1 localhost\\n127.0.1.1 %s\\n' "$name" > /etc/hosts
chmod 700 /root /root/.ssh; chmod 600 /root/.ssh/authorized_keys 2>/dev/null

acpid -c /etc/acpi
ip link set lo up
# In the foreground until the first lease (or 10 tries), then in the background, renewing.
udhcpc -i eth0 -s /etc/udhcpc.sh -x "hostname:$name" -b -t 10 -T 1 -A 2 >/dev/null 2>&1

key=/etc/dropbear/dropbear_ed25519_host_key
# The first disk keeps the host key: read when it holds one, written when blank.
# Any other disk content is left alone.
if [ -b /dev/vda ]; then
  if tar -tf /dev/vda 2>/dev/null | grep -qx './dropbear_ed25519_host_key'; then
    tar -xf /dev/vda -C /etc/dropbear
  fi
fi
if [ ! -s "$key" ]; then
  dropbearkey -t ed25519 -f "$key" >/dev/null 2>&1
  if [ -b /dev/vda ] && [ "$(head -c 4096 /dev/vda | tr -d '\\000' | wc -c)" = 0 ]; then
    tar -cf /dev/vda -C /etc/dropbear ./dropbear_ed25519_host_key && sync
  fi
fi
dropbear -r "$key" -s -p 22
echo "kvmplay tiny guest $name up" > /dev/console

# PID 1 never exits; it reaps orphans while waiting.
while :; do sleep 3600; done
`;

/** udhcpc's event script: the lease's address, mask and default route on the interface. */
export const UDHCPC_SCRIPT = `#!/bin/sh
case $1 in
deconfig) ip addr flush dev "$interface"; ip link set "$interface" up ;;
bound|renew)
  ip addr flush dev "$interface"
  ip addr add "$ip/\${mask:-24}" dev "$interface"
  if [ -n "$router" ]; then ip route replace default via "\${router%% *}" dev "$interface"; fi
  ;;
esac
exit 0
`;

/** busybox acpid runs /etc/acpi/PWRF/00000080 for the power button: power off at once (nothing to save). */
export const POWER_BUTTON_SCRIPT = '#!/bin/sh\nsync\npoweroff -f\n';

export const PASSWD = 'root:x:0:0:root:/root:/bin/sh\n';
export const GROUP = 'root:x:0:\n';

/** Drivers the guest loads, by module name (their dependencies are found by the build). */
// virtio_rng: the kernel's random pool is ready at once (a domain with a virtio <rng>)
// instead of after seconds, and dropbearkey waits for it.
export const TINY_GUEST_MODULES: readonly string[] = ['virtio_pci', 'virtio_net', 'virtio_blk', 'virtio_rng', 'button', 'evdev'];

/** What the guest is made of: the kernel metapackage, then what its programs need. */
export const TINY_GUEST_PACKAGES: readonly string[] = [
  'linux-image-cloud-amd64', 'busybox-static', 'dropbear-bin', 'openssh-sftp-server',
  'libc6', 'libcrypt1', 'libtomcrypt1', 'libtommath1', 'zlib1g',
];

/** Where the guest's files are in a cache entry's repository (and so, under the repository's mount, inside lab hosts). */
export const TINY_GUEST_DIR = 'guests/tiny';

/** Everything above, for the cache recipe's hash: a change rebuilds the guest. */
export const TINY_GUEST_FILES = {
  packages: TINY_GUEST_PACKAGES, modules: TINY_GUEST_MODULES,
  init: TINY_INIT, udhcpc: UDHCPC_SCRIPT, powerButton: POWER_BUTTON_SCRIPT, passwd: PASSWD, group: GROUP,
};
