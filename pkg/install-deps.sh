#!/bin/sh
# Checks the Debian packages that building (`build`) or testing (`test`)
# needs. As root it installs the missing ones with apt-get; otherwise it
# prints the exact apt-get line and fails.
set -u

what=${1:-build}
missing=""

need_pc() { # pkg-config module, Debian package
	pkg-config --exists "$1" 2>/dev/null || missing="$missing $2"
}
need_cmd() { # command, Debian package
	command -v "$1" >/dev/null 2>&1 || missing="$missing $2"
}

need_cmd cc gcc
need_cmd make make
need_cmd pkg-config pkg-config
need_cmd git git
need_pc libgit2 libgit2-dev
need_pc libcurl libcurl4-openssl-dev
need_pc libcjson libcjson-dev
need_pc yaml-0.1 libyaml-dev
if [ "$what" = test ]; then
	need_pc cmocka libcmocka-dev
	need_cmd bats bats
	need_cmd python3 python3
fi

[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "Installing missing packages:$missing" >&2
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >&2 ||
		{ echo "error: apt-get install$missing failed" >&2; exit 1; }
	exit 0
fi

echo "error: missing build dependencies. Install them with:" >&2
echo "  sudo apt-get install$missing" >&2
exit 1
