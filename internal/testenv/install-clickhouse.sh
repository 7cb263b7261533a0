#!/usr/bin/env bash
# install-clickhouse.sh installs Debian's clickhouse-server and
# clickhouse-client packages (18.16.1 on Debian 12 "bookworm"), which the
# tests of internal/testenv/chserver run as private child processes, and
# Debian's zookeeper package (3.8, with a Java runtime), which
# internal/testenv/chcluster runs beside four servers as a local cluster.
#
# Usage (as root, or as a user with passwordless sudo):
#
#	bash internal/testenv/install-clickhouse.sh
#
# It is idempotent: when the packages are installed it only prints the
# version and exits. It never starts a server itself; the tests start
# their own on free 127.0.0.1 ports, so a system service that the package
# may start where systemd runs does not get in their way.
set -euo pipefail

pkgs=(clickhouse-server clickhouse-client zookeeper)

installed() {
	local p
	for p in "${pkgs[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -qx 'install ok installed' || return 1
	done
}

version() {
	echo "clickhouse-server $(dpkg-query -W -f='${Version}' clickhouse-server), zookeeper $(dpkg-query -W -f='${Version}' zookeeper)"
}

if installed; then
	echo "install-clickhouse: $(version) already installed"
	exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		sudo=(sudo -n)
	else
		echo "install-clickhouse: must run as root (or with sudo) to install ${pkgs[*]}" >&2
		exit 1
	fi
fi

export DEBIAN_FRONTEND=noninteractive
echo "install-clickhouse: installing ${pkgs[*]} with apt-get"
"${sudo[@]}" apt-get update -qq
for p in "${pkgs[@]}"; do
	if ! apt-cache show "$p" >/dev/null 2>&1; then
		echo "install-clickhouse: no $p package in this machine's apt sources" \
			"(Debian 12 bookworm has clickhouse-server 18.16.1 and zookeeper 3.8.0)" >&2
		exit 1
	fi
done
"${sudo[@]}" apt-get install -y -qq --no-install-recommends -o Dpkg::Use-Pty=0 "${pkgs[@]}"

if ! installed; then
	echo "install-clickhouse: apt-get finished but ${pkgs[*]} are not installed" >&2
	exit 1
fi
echo "install-clickhouse: installed $(version)"
