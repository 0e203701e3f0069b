# Shared setup for the end-to-end tests. Each bats file loads it with
# `load helpers`. A test gets its own temporary folder and HOME, fixed git
# identities and dates, and a PATH on which `git jira-scopes` runs the binary
# under test ($GJS_BIN, by default the one at the top of the repository).
#
# Helpers:
#   make_repo NAME        create $TEST_DIR/NAME as a git repository and cd into it
#   write_file PATH [TEXT] write TEXT (or standard input) to PATH, making folders
#   forge_manifest DIR SCOPE...
#                         write DIR/manifest.yml of a Forge app that declares
#                         the scopes as a block list, the first on line 11
#   commit MESSAGE        stage everything and commit, one minute after the
#                         previous commit, so commit ids are the same each run
#   assert_status N       fail, showing the output, unless $status is N
#   assert_equal EXP ACT  fail with a diff unless the two strings are equal
#   json_pick JSON EXPR   print the value of a python3 expression over `d`
#                         (the parsed JSON), as canonical JSON
#   json_equal EXP ACT    compare two JSON texts after sorting keys and arrays

bats_require_minimum_version 1.5.0

GJS_BIN=${GJS_BIN:-$BATS_TEST_DIRNAME/../../git-jira-scopes}
case $GJS_BIN in
/*) ;;
*) GJS_BIN=$PWD/$GJS_BIN ;;
esac
export GJS_BIN

# The date of the first commit of every test; `commit` adds a minute each time.
GJS_BASE_EPOCH=1700000000

gjs_setup()
{
	TEST_DIR=$BATS_TEST_TMPDIR
	export HOME=$TEST_DIR/home
	mkdir -p "$HOME"

	export LC_ALL=C
	export GIT_CONFIG_NOSYSTEM=1
	export GIT_CEILING_DIRECTORIES=$TEST_DIR
	unset XDG_CONFIG_HOME GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY
	unset GIT_ALTERNATE_OBJECT_DIRECTORIES GIT_NAMESPACE GIT_CONFIG GIT_CONFIG_GLOBAL
	unset NO_COLOR GJS_TRACE GIT_TRACE

	export GIT_AUTHOR_NAME='Ada Author'
	export GIT_AUTHOR_EMAIL='ada@example.com'
	export GIT_COMMITTER_NAME='Cy Committer'
	export GIT_COMMITTER_EMAIL='cy@example.com'
	gjs_tick=0
	gjs_set_dates

	PATH=$(dirname "$GJS_BIN"):$PATH
	export PATH
	cd "$TEST_DIR" || return 1
}

setup()
{
	gjs_setup
}

gjs_set_dates()
{
	export GIT_AUTHOR_DATE="@$((GJS_BASE_EPOCH + gjs_tick * 60)) +0000"
	export GIT_COMMITTER_DATE=$GIT_AUTHOR_DATE
}

make_repo()
{
	git init -q -b main "$TEST_DIR/$1" || return 1
	cd "$TEST_DIR/$1" || return 1
}

write_file()
{
	mkdir -p "$(dirname "$1")" || return 1
	if [ $# -ge 2 ]; then
		printf '%s\n' "$2" >"$1"
	else
		cat >"$1"
	fi
}

forge_manifest()
{
	local dir=$1 scope
	shift
	mkdir -p "$dir" || return 1
	{
		printf 'modules:\n  jira:issuePanel:\n    - key: panel\n      resource: main\n'
		printf '      title: Panel\nresources:\n  - key: main\n    path: static\n'
		printf 'permissions:\n  scopes:\n'
		for scope in "$@"; do
			printf '    - %s\n' "$scope"
		done
	} >"$dir/manifest.yml"
}

commit()
{
	git add -A || return 1
	git commit -q --allow-empty -m "$1" || return 1
	gjs_tick=$((gjs_tick + 1))
	gjs_set_dates
}

assert_status()
{
	if [ "$status" -ne "$1" ]; then
		printf 'expected exit status %s, got %s\n' "$1" "$status"
		printf -- '--- stdout\n%s\n' "$output"
		printf -- '--- stderr\n%s\n' "${stderr-}"
		return 1
	fi
}

assert_equal()
{
	if [ "$1" != "$2" ]; then
		diff -u <(printf '%s\n' "$1") <(printf '%s\n' "$2") | sed '1,2d' || true
		return 1
	fi
}

# Prints the value of a python3 expression over the parsed JSON `d` as
# indented JSON with sorted keys. In the expression, `app(PATH)` is the app
# whose declaration has that path, `call(c)` keeps the fields that every
# call site has (file, line, method, path, operation), and `sites(list)`
# turns call sites into sorted [file, line, method, path, operation] lists.
json_pick()
{
	python3 - "$2" 3<<<"$1" <<'EOF'
import json, os, sys

CALL_FIELDS = ("file", "line", "method", "path", "operation")

def call(c):
    return {k: c[k] for k in CALL_FIELDS}

def site(c):
    return [c[k] for k in CALL_FIELDS]

def sites(items):
    return sorted((site(c) for c in items), key=json.dumps)

def app(d, path):
    found = [a for a in d["apps"] if a["declaration"]["path"] == path]
    if len(found) != 1:
        sys.exit("json_pick: %d apps with declaration %r" % (len(found), path))
    return found[0]

with os.fdopen(3) as f:
    d = json.load(f)
names = {"d": d, "call": call, "sites": sites, "site": site, "app": lambda p: app(d, p)}
value = eval(sys.argv[1], names)
print(json.dumps(value, indent=2, sort_keys=True))
EOF
}

# Compares two JSON texts. Key order and the order of array items are not
# part of the report contract, so both are sorted before comparing.
json_equal()
{
	python3 - 3<<<"$1" 4<<<"$2" <<'EOF'
import difflib, json, os, sys

def canon(v):
    if isinstance(v, dict):
        return {k: canon(x) for k, x in v.items()}
    if isinstance(v, list):
        return sorted((canon(x) for x in v), key=lambda x: json.dumps(x, sort_keys=True))
    return v

with os.fdopen(3) as f:
    expected = json.dumps(canon(json.load(f)), indent=2, sort_keys=True).splitlines()
with os.fdopen(4) as f:
    actual = json.dumps(canon(json.load(f)), indent=2, sort_keys=True).splitlines()
if expected != actual:
    sys.stdout.write("\n".join(difflib.unified_diff(expected, actual, "expected", "actual", lineterm="")) + "\n")
    sys.exit(1)
EOF
}
