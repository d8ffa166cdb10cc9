// The programs that start lab hosts. A regular or light host's init is sshd,
// exec'd as PID 1 of a new PID namespace by LAUNCHER (services start with
// `service NAME start`); a systemd host's is systemd-nspawn booting systemd.
import { rename, rm } from 'node:fs/promises';
import { run } from './run.js';

/**
 * The fixed contents of every host's /dev and /run, made once per `lab up`
 * and copied in with one `cp` per host: dozens of mknod/ln/mkdir processes
 * per host were most of a light host's start time.
 */
export const SKELETON_SCRIPT = `set -eu
s=$1
mkdir -p "$s/dev/net" "$s/dev/pts" "$s/dev/shm" "$s/run/sshd" "$s/run/network"
chmod 0755 "$s/dev" "$s/run" "$s/run/sshd"
mkdir -m 1777 "$s/run/lock"
cd "$s/dev"
mknod -m 666 null c 1 3
mknod -m 666 zero c 1 5
mknod -m 666 full c 1 7
mknod -m 666 random c 1 8
mknod -m 666 urandom c 1 9
mknod -m 666 tty c 5 0
mknod -m 666 net/tun c 10 200
ln -s pts/ptmx ptmx
ln -s /proc/self/fd fd
ln -s /proc/self/fd/0 stdin
ln -s /proc/self/fd/1 stdout
ln -s /proc/self/fd/2 stderr
# ifupdown's record that lo and em1 are up (the lab configured them).
printf 'lo=lo\\nem1=em1\\n' > "$s/run/network/ifstate"
echo lo > "$s/run/network/ifstate.lo"
echo em1 > "$s/run/network/ifstate.em1"
`;

export async function makeSkeleton(dir: string): Promise<void> {
  const tmp = `${dir}.tmp`;
  await rm(tmp, { recursive: true, force: true });
  await run('sh', ['-c', SKELETON_SCRIPT, 'sh', tmp]);
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
}

/**
 * Run as PID 1 of the host: arguments, not interpolation, carry the paths.
 * Mounts are made here, inside the host's private mount namespace, so they
 * live and end with the host: the control machine never sees them and
 * tear-down has nothing to unmount. /proc/sys (except net) and
 * /proc/sysrq-trigger are read-only so a host cannot change the control
 * machine's kernel settings; its own network settings stay writable (libvirt
 * turns on ip_forward inside the host's namespace).
 */
export const LAUNCHER = `#!/bin/sh
# kvmplay lab host init: kind rootfs hostdir name repo skeleton address|-
set -eu
kind=$1 rootfs=$2 hostdir=$3 name=$4 repo=$5 skel=$6 address=$7
root=$hostdir/root
if [ "$kind" = systemd ]; then
  # The host's own ifupdown (networking.service) gives em1 its address at boot;
  # a restarted host starts from a clean em1 like a rebooted machine.
  printf '%s\\n' 'link set lo up' 'addr flush dev em1' 'link set em1 up' 'link set em2 up' | ip -batch -
elif [ "$address" != - ]; then
  # A new namespace: em1 gets the host's address; no default route, ever.
  printf '%s\\n' 'link set lo up' "addr add $address dev em1" 'link set em1 up' 'link set em2 up' | ip -batch -
fi
case $kind in
regular)
  mount -t overlay overlay -o "lowerdir=$rootfs,upperdir=$hostdir/upper,workdir=$hostdir/work" "$root"
  mount --bind "$repo" "$root/var/lib/kvmplay-repo"
  mount -o remount,bind,ro "$root/var/lib/kvmplay-repo"
  ;;
light)
  # The shared rootfs under the host's own small layer, read-only; writable
  # /tmp, /root and /srv are per-host tmpfs.
  mount -t overlay overlay -o "ro,lowerdir=$hostdir/layer:$rootfs" "$root"
  mount -t tmpfs -o nosuid,nodev,mode=1777,size=64m tmpfs "$root/tmp"
  mount -t tmpfs -o nosuid,nodev,mode=0755,size=64m tmpfs "$root/srv"
  mount -t tmpfs -o nosuid,nodev,mode=0700,size=16m tmpfs "$root/root"
  # root's dotfiles from the rootfs, then the host's own (authorized_keys).
  cp -a "$rootfs/root/." "$hostdir/layer/root/." "$root/root/"
  ;;
systemd)
  # Cgroups of its own in each hierarchy systemd uses (cgroups.ts): nspawn
  # --keep-unit puts the container under this process's cgroup.
  for h in /sys/fs/cgroup/systemd /sys/fs/cgroup/unified; do
    if [ -w "$h/cgroup.procs" ]; then
      mkdir -p "$h/kvmplay-lab/$name"
      echo $$ > "$h/kvmplay-lab/$name/cgroup.procs"
    fi
  done
  mount -t overlay overlay -o "lowerdir=$rootfs,upperdir=$hostdir/upper,workdir=$hostdir/work" "$root"
  # LAB-NOTES: /proc/sys/net writable and CAP_NET_ADMIN so the host can manage
  # its own network (bridges, libvirt networks); nspawn does /dev, /proc, /run.
  SYSTEMD_NSPAWN_API_VFS_WRITABLE=network exec systemd-nspawn --quiet --register=no --keep-unit --boot \\
    --capability=CAP_NET_ADMIN --directory="$root" --hostname="$name" --console=passive \\
    --bind-ro="$repo:/var/lib/kvmplay-repo"
  ;;
*) echo "unknown host kind $kind" >&2; exit 2 ;;
esac
mount -t proc -o nosuid,nodev,noexec proc "$root/proc"
# The UTS namespace is the host's own; writing it here saves a process.
echo "$name" > "$root/proc/sys/kernel/hostname"
mount --bind "$root/proc/sys" "$root/proc/sys"
mount --bind "$root/proc/sys/net" "$root/proc/sys/net"
mount -o remount,bind,ro "$root/proc/sys"
if [ -e "$root/proc/sysrq-trigger" ]; then
  mount --bind "$root/proc/sysrq-trigger" "$root/proc/sysrq-trigger"
  mount -o remount,bind,ro "$root/proc/sysrq-trigger"
fi
mount -t sysfs -o nosuid,nodev,noexec sysfs "$root/sys"
mount -t tmpfs -o nosuid,nodev,mode=0755,size=32m tmpfs "$root/run"
mount -t tmpfs -o nosuid,mode=0755,size=1m tmpfs "$root/dev"
cp -a "$skel/dev" "$skel/run" "$root/"
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5 devpts "$root/dev/pts"
mount -t tmpfs -o nosuid,nodev,mode=1777 tmpfs "$root/dev/shm"
exec chroot "$root" /usr/sbin/sshd -D -e
`;

/**
 * Starts one host per input line (`netns kind rootfs dir name repo skeleton
 * address|-`; no field holds spaces) in the background and prints `NAME PID`
 * for each: kvmplay spawns one process for any number of hosts (spawning
 * from a large process was most of the time of starting 50). nsenter execs
 * unshare, so PID is unshare's; unshare forks the namespace's PID 1. nsenter,
 * not `ip netns exec`: that one remounts /sys, which hides the cgroup
 * hierarchies systemd-nspawn needs ("Failed to determine whether the unified
 * cgroups hierarchy is used").
 */
export const START_HOSTS = `launcher=$1
while read -r ns kind rootfs dir name repo skel address; do
  nsenter --net="/run/netns/$ns" unshare --mount --uts --pid --fork --propagation private \\
    /bin/sh "$launcher" "$kind" "$rootfs" "$dir" "$name" "$repo" "$skel" "$address" \\
    </dev/null >>"$dir/console.log" 2>&1 &
  echo "$name $!"
done
`;
