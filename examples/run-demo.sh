#!/bin/sh
# Builds the example Forge app's history in examples/work/ and prints what
# `git jira-scopes diff` reports between its first and last commit.
# Usage: examples/run-demo.sh BINARY (the path of git-jira-scopes)
set -eu

if [ $# -ne 1 ]; then
	echo "usage: $0 BINARY" >&2
	exit 129
fi
binary=$1
case $binary in /*) ;; *) binary=$PWD/$binary ;; esac
if [ "$(basename "$binary")" != git-jira-scopes ] || [ ! -x "$binary" ]; then
	echo "fatal: '$binary' is not an executable named git-jira-scopes; run 'make' first" >&2
	exit 128
fi
here=$(cd "$(dirname "$0")" && pwd)
work=$here/work

rm -rf "$work"
sh "$here/build-example.sh" "$work"
PATH=$(dirname "$binary"):$PATH
export PATH
cd "$work"

first=$(git rev-list --max-parents=0 HEAD)
echo "The example Forge app in examples/work has this history:"
echo
git log --reverse --format='  %h %s'
echo
echo "\$ git jira-scopes diff $(git rev-parse --short "$first") HEAD"
exec git jira-scopes diff "$first" HEAD
