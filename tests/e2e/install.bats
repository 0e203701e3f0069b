#!/usr/bin/env bats
# The set-up steps of the README: the dependency check that `make` runs, and
# `make install` with PREFIX and DESTDIR.

load helpers

top=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)

# Puts stand-ins for pkg-config (every module missing), id and apt-get
# first on PATH; apt-get records its arguments.
fake_tools()
{
	mkdir -p "$TEST_DIR/bin"
	printf '#!/bin/sh\nexit 1\n' >"$TEST_DIR/bin/pkg-config"
	printf '#!/bin/sh\necho %s\n' "$1" >"$TEST_DIR/bin/id"
	printf '#!/bin/sh\necho "apt-get $*" >>"%s/apt.log"\n' "$TEST_DIR" >"$TEST_DIR/bin/apt-get"
	chmod +x "$TEST_DIR/bin/pkg-config" "$TEST_DIR/bin/id" "$TEST_DIR/bin/apt-get"
}

@test "missing packages as a user print the apt-get line" {
	fake_tools 1000
	run --separate-stderr env PATH="$TEST_DIR/bin:$PATH" sh "$top/pkg/install-deps.sh" build
	assert_status 1
	assert_equal "error: missing build dependencies. Install them with:
  sudo apt-get install libgit2-dev libcurl4-openssl-dev libcjson-dev libyaml-dev" "$stderr"
	[ ! -e "$TEST_DIR/apt.log" ]
}

@test "missing packages as root are installed" {
	fake_tools 0
	run --separate-stderr env PATH="$TEST_DIR/bin:$PATH" sh "$top/pkg/install-deps.sh" test
	assert_status 0
	assert_equal "apt-get update -qq
apt-get install -y -qq --no-install-recommends libgit2-dev libcurl4-openssl-dev libcjson-dev libyaml-dev libcmocka-dev" "$(cat "$TEST_DIR/apt.log")"
}

@test "make install honours PREFIX and DESTDIR" {
	run --separate-stderr env -u MAKEFLAGS -u MAKELEVEL make -s -C "$top" install \
		PREFIX=/opt/gjs DESTDIR="$TEST_DIR/dest"
	assert_status 0
	[ -x "$TEST_DIR/dest/opt/gjs/bin/git-jira-scopes" ]
	[ -x "$TEST_DIR/dest/opt/gjs/bin/git-jira-scopes-comment" ]
	[ -f "$TEST_DIR/dest/opt/gjs/share/man/man1/git-jira-scopes.1" ]
	run --separate-stderr "$TEST_DIR/dest/opt/gjs/bin/git-jira-scopes" --version
	assert_status 0
	assert_equal "git-jira-scopes version 0.1.0" "$output"
}
