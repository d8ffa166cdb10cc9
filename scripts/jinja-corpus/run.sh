#!/bin/sh
# Regenerates test/fixtures/jinja-corpus/ from cases.yaml with ansible-core itself
# (Debian's `ansible` package, installed here if missing). Run as root on Debian 12.
# Debian's own interpreter, not whatever `python3` a version manager puts first on PATH:
# the package installs ansible for /usr/bin/python3 only.
set -eu
PY=/usr/bin/python3
if ! "$PY" -c 'import ansible' 2>/dev/null; then
  apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends ansible
fi
exec "$PY" "$(dirname "$0")/generate.py" "$@"
