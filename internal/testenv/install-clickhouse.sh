#!/usr/bin/env bash
# install-clickhouse.sh installs Debian's clickhouse-server and
# clickhouse-client packages (18.16.1 on Debian 12 "bookworm"), which the
# tests of internal/testenv/chserver run as private child processes.
#
# Usage (as root, or as a user with passwordless sudo):
#
#	bash internal/testenv/install-clickhouse.sh
#
# It is idempotent: when both packages are installed it only prints the
# version and exits. It never starts a server itself; the tests start
# their own on free 127.0.0.1 ports, so a system service that the package
# may start where systemd runs does not get in their way.
set -euo pipefail

pkgs=(clickhouse-server clickhouse-client)

installed() {
	local p
	for p in "${pkgs[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -qx 'install ok installed' || return 1
	done
}

version() {
	dpkg-query -W -f='${Version}' clickhouse-server
}

if installed; then
	echo "install-clickhouse: clickhouse-server $(version) is already installed"
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
if ! apt-cache show clickhouse-server >/dev/null 2>&1; then
	echo "install-clickhouse: no clickhouse-server package in this machine's apt sources" \
		"(Debian 12 bookworm has 18.16.1)" >&2
	exit 1
fi
"${sudo[@]}" apt-get install -y -qq --no-install-recommends -o Dpkg::Use-Pty=0 "${pkgs[@]}"

if ! installed; then
	echo "install-clickhouse: apt-get finished but ${pkgs[*]} are not installed" >&2
	exit 1
fi
echo "install-clickhouse: installed clickhouse-server $(version)"
