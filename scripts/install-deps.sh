#!/bin/sh
# Installs the system tools the tests need when they are missing (Debian, as root):
#   tshark — the independent judge of every frame format.
# Without root, it says what is missing and fails: a test that cannot run is a failure.
set -e
missing=""
command -v tshark >/dev/null 2>&1 || missing="$missing tshark"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "install-deps: missing:$missing — install them (apt-get install$missing) or run as root" >&2
  exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; the tests only read files.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
