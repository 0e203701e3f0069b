#!/bin/sh
# Runs every unit test (cmocka) and end-to-end test (bats) and ends with one
# line "N passed, N failed". Usage: tests/run.sh BINARY BUILD_DIR
set -u

binary=$1
build=$2
top=$(cd "$(dirname "$0")/.." && pwd)
case $binary in /*) ;; *) binary=$top/$binary ;; esac
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0

export GJS_BIN="$binary"
export CMOCKA_MESSAGE_OUTPUT=TAP
export LC_ALL=C

for unit in "$top/$build"/tests/test_*; do
	[ -x "$unit" ] || continue
	echo "# unit: $(basename "$unit")"
	"$unit" >"$log.out" 2>&1 || status=1
	cat "$log.out"
	cat "$log.out" >>"$log"
done
rm -f "$log.out"

if ls "$top"/tests/e2e/*.bats >/dev/null 2>&1; then
	bats --tap "$top"/tests/e2e/ >"$log.out" 2>&1 || status=1
	cat "$log.out"
	cat "$log.out" >>"$log"
	rm -f "$log.out"
fi

passed=$(grep -c '^ok ' "$log")
failed=$(grep -c '^not ok ' "$log")
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ]
