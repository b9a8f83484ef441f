#!/usr/bin/env bash
# need.sh BINARY DEBIAN_PACKAGE: make sure BINARY is on PATH, installing the
# Debian package when running as root, otherwise saying how in one line.
set -euo pipefail
bin=$1 pkg=$2
command -v "$bin" >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "installing $pkg (for $bin)"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null
	apt-get install -y -qq "$pkg" >/dev/null
	command -v "$bin" >/dev/null 2>&1 && exit 0
fi
echo "tests need $bin: install it with 'sudo apt-get install -y $pkg'" >&2
exit 1
