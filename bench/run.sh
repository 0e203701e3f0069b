#!/bin/sh
# Measures `git jira-scopes check HEAD` on the synthetic repository that
# bench/generate.sh builds in bench/work/repo, against `git grep` for the
# same REST path prefixes over the same tree. Targets: check's wall time at
# most twice git grep's (best of 3 runs each) and check's peak resident
# memory under 64 MiB. Then runs bench/hook.sh BINARY REPO when that file
# exists. Exits non-zero when a target is missed.
# Usage: bench/run.sh BINARY (the path of git-jira-scopes)
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
bench=$(cd "$(dirname "$0")" && pwd)
work=$bench/work
repo=$work/repo

# Rebuild the repository when it is missing or generate.sh has changed.
mkdir -p "$work"
stamp=$(cksum <"$bench/generate.sh")
if [ ! -d "$repo" ] || [ "$(cat "$work/repo.stamp" 2>/dev/null)" != "$stamp" ]; then
	rm -rf "$repo" "$work/repo.stamp"
	echo "Generating $repo ..."
	sh "$bench/generate.sh" "$repo"
	printf '%s\n' "$stamp" >"$work/repo.stamp"
fi

# Keep user and system git config out of both measured commands.
mkdir -p "$work/home"
export HOME="$work/home" GIT_CONFIG_NOSYSTEM=1 LC_ALL=C
unset XDG_CONFIG_HOME GIT_DIR GIT_WORK_TREE
PATH=$(dirname "$binary"):$PATH
export PATH

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
echo "machine: $(nproc) CPUs, ${cpu:-unknown CPU}"
echo "repository: $repo ($(git -C "$repo" ls-tree -r --name-only HEAD | wc -l) files," \
	"HEAD $(git -C "$repo" rev-parse --short HEAD))"
echo "binary: $binary"

status=0
python3 - "$repo" <<'PYEOF' || status=$?
import os
import sys
import time

RUNS = 5
repo = sys.argv[1]

def measure(argv):
    """Run argv RUNS times in repo with stdout discarded; return the best
    wall time in seconds and the largest ru_maxrss in KiB."""
    best, peak = None, 0
    for _ in range(RUNS):
        actions = [(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)]
        cwd = os.getcwd()
        os.chdir(repo)
        start = time.monotonic()
        pid = os.posix_spawnp(argv[0], argv, os.environ, file_actions=actions)
        _, status, usage = os.wait4(pid, 0)
        elapsed = time.monotonic() - start
        os.chdir(cwd)
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            sys.exit("error: '%s' exited with %d" % (" ".join(argv), code))
        best = elapsed if best is None else min(best, elapsed)
        peak = max(peak, usage.ru_maxrss)
    return best, peak

check_argv = ["git", "jira-scopes", "check", "HEAD"]
grep_argv = ["git", "grep", "-c", "-E", "/rest/(api|agile|servicedeskapi)/", "HEAD"]
check_time, check_rss = measure(check_argv)
grep_time, _ = measure(grep_argv)

ratio = check_time / grep_time
rss_mib = check_rss / 1024.0
ratio_ok = ratio <= 2.0
rss_ok = rss_mib < 64.0
print("$ %s   best of %d: %.3f s, peak memory %.1f MiB" % (" ".join(check_argv), RUNS, check_time, rss_mib))
print("$ %s   best of %d: %.3f s" % (" ".join(grep_argv[:4]) + " '" + grep_argv[4] + "' HEAD", RUNS, grep_time))
print("time ratio check/grep: %.2f (target <= 2): %s" % (ratio, "ok" if ratio_ok else "MISSED"))
print("check peak memory: %.1f MiB (target < 64 MiB): %s" % (rss_mib, "ok" if rss_ok else "MISSED"))
sys.exit(0 if ratio_ok and rss_ok else 1)
PYEOF

if [ -f "$bench/hook.sh" ]; then
	echo
	sh "$bench/hook.sh" "$binary" "$repo" || status=1
fi
exit "$status"
