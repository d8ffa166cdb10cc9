// A `virsh` for unit tests of the libvirt inventory: a shell script answering as a
// qemu:///system hypervisor with three domains would (web01 running with a DHCP lease,
// stopped shut off, fresh running with only an ARP entry). Each call is appended to
// `calls` beside it.
export const FAKE_VIRSH = `#!/bin/sh
echo "$*" >> "$(dirname "$0")/calls"
[ "$1" = -c ] && [ "$2" = qemu:///system ] || { echo "error: wrong URI $2" >&2; exit 1; }
shift 2
cmd=$1; shift
[ "$cmd" = list ] && { printf 'web01\\nstopped\\nfresh\\n\\n'; exit 0; }
[ "$1" = --domain ] || exit 9
dom=$2
state=running; [ "$dom" = stopped ] && state='shut off'
case $cmd in
dominfo) printf 'Id:             1\\nName:           %s\\nUUID:           uuid-%s\\nState:          %s\\nCPU(s):         1\\nMax memory:     131072 KiB\\nUsed memory:    131072 KiB\\n' "$dom" "$dom" "$state";;
dumpxml) printf "<domain type='qemu'>\\n  <name>%s</name>\\n</domain>\\n" "$dom";;
domifaddr)
  [ "$5" = lease ] || { [ "$dom" = fresh ] && printf ' Name  MAC address  Protocol  Address\\n----\\n vnet2  52:54:00:00:00:02  ipv4  192.168.122.77/24\\n'; exit 0; }
  printf ' Name       MAC address          Protocol     Address\\n-----\\n'
  [ "$dom" = web01 ] && printf ' vnet0      52:54:00:2e:fa:76    ipv4         192.168.122.135/24\\n'
  exit 0;;
esac
`;

