#!/bin/sh
# Builds the example Forge app's git history in DIR (which must not exist or
# be empty). Each folder NN-name/ under forge-app/ is the whole tree of one
# commit and NN-name.msg its message. Names, emails and dates are fixed and
# user and system git config are ignored, so every run makes the same commit
# ids. Usage: examples/build-example.sh DIR
set -eu

if [ $# -ne 1 ]; then
	echo "usage: $0 DIR" >&2
	exit 129
fi
dir=$1
snapshots=$(cd "$(dirname "$0")" && pwd)/forge-app

if [ -e "$dir" ] && [ -n "$(ls -A "$dir")" ]; then
	echo "fatal: '$dir' is not empty; remove it or name another folder" >&2
	exit 128
fi

home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
export HOME="$home"
export GIT_CONFIG_NOSYSTEM=1
export LC_ALL=C
unset XDG_CONFIG_HOME GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_CONFIG_GLOBAL
export GIT_AUTHOR_NAME='Mei Developer' GIT_AUTHOR_EMAIL='mei@example.com'
export GIT_COMMITTER_NAME='Mei Developer' GIT_COMMITTER_EMAIL='mei@example.com'

git init -q -b main "$dir"
cd "$dir"

# 2024-03-04 09:00 UTC; one commit a day from there.
epoch=1709542800
for snapshot in "$snapshots"/[0-9][0-9]-*/; do
	snapshot=${snapshot%/}
	find . -mindepth 1 -maxdepth 1 ! -name .git -exec rm -rf {} +
	cp -R "$snapshot/." .
	# Git records only the executable bit; clear it so the checkout's
	# modes never change the tree ids.
	find . -path ./.git -prune -o -type f -exec chmod 644 {} +
	git add -A
	export GIT_AUTHOR_DATE="@$epoch +0000" GIT_COMMITTER_DATE="@$epoch +0000"
	git commit -q -F "$snapshot.msg"
	epoch=$((epoch + 86400))
done
