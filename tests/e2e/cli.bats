#!/usr/bin/env bats
# Command-line behaviour shared by check, diff and explain: settings from
# `git -c`, colour from color.ui, option order, revision labels, trace
# lines, and the messages for empty repositories and broken declarations.

load helpers

index_js="import api, { route } from '@forge/api';
export const get = (key) => api.asApp().requestJira(route\`/rest/api/3/issue/\${key}\`);"

setup()
{
	gjs_setup
	make_repo app
	forge_manifest . read:jira-work
	write_file src/index.js "$index_js"
	commit "read issues"
}

@test "git -c settings reach the command" {
	forge_manifest . read:jira-work write:jira-work
	commit "add write"

	run --separate-stderr git jira-scopes diff --exit-code
	assert_status 0
	run --separate-stderr git -c 'jira-scopes.broad=write:*' jira-scopes diff --exit-code
	assert_status 1
	run --separate-stderr env GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=jira-scopes.broad \
		GIT_CONFIG_VALUE_0='write:jira-*' git jira-scopes diff --exit-code
	assert_status 1
	run --separate-stderr git -c jira-scopes.catalog=missing.tsv jira-scopes check
	assert_status 128
	assert_equal "fatal: cannot load the catalog named by jira-scopes.catalog: cannot open 'missing.tsv': No such file or directory" "$stderr"
}

@test "color.ui always and never" {
	git config color.ui always
	run --separate-stderr git jira-scopes check
	assert_status 0
	[[ "$output" == *$'\033['* ]]
	git config color.ui never
	run --separate-stderr script -qec 'git jira-scopes check' /dev/null
	assert_status 0
	[[ "$output" != *$'\033['* ]]
}

@test "explain takes options after the query" {
	run --separate-stderr git jira-scopes explain 'GET /rest/api/3/myself' --format=json
	assert_status 0
	assert_equal '{"operations":[{"method":"GET","path":"/rest/api/3/myself","operation_id":"getCurrentUser","classic":["read:jira-user"],"granular":["read:application-role:jira","read:avatar:jira","read:group:jira","read:user:jira"],"connect":"READ","deprecated":false}]}' "$output"
}

@test "three-dot range names the merge base" {
	git checkout -q -b feature
	forge_manifest . read:jira-work write:jira-work
	commit "add write"
	git checkout -q main
	write_file README "main moves on"
	commit "main moves"
	base=$(git merge-base main feature | cut -c1-7)

	run --separate-stderr git jira-scopes diff main...feature --format=json
	assert_status 0
	assert_equal "merge base of main and feature ($base)" "$(json_pick "$output" 'd["base"]' | tr -d '"')"
}

@test "broken declaration names the revision" {
	write_file manifest.yml "permissions:
  scopes: [read:jira-work"
	commit "break the manifest"
	head=$(git rev-parse --short=7 HEAD)
	base=$(git rev-parse --short=7 HEAD~1)

	run --separate-stderr git jira-scopes diff
	assert_status 128
	assert_equal "fatal: manifest.yml:3: did not find expected ',' or ']'; fix the YAML syntax (in HEAD ($head))" "$stderr"

	run --separate-stderr git jira-scopes diff HEAD HEAD~1
	assert_status 128
	assert_equal "fatal: manifest.yml:3: did not find expected ',' or ']'; fix the YAML syntax (in HEAD ($head))" "$stderr"
	[[ "$output" == *"scope changes from HEAD ($head) to HEAD~1 ($base)"* ]]
}

@test "empty repository says there are no commits" {
	make_repo empty
	run --separate-stderr git jira-scopes check
	assert_status 128
	assert_equal "fatal: HEAD has no commits yet; commit first, or read the working tree with 'git jira-scopes check --worktree'" "$stderr"
}

@test "text report counts files not scanned" {
	write_file node_modules/lib/index.js "fetch('/rest/api/3/field', {method: 'POST'})"
	write_file web/app.min.js "fetch('/rest/api/3/field', {method: 'POST'})"
	commit "vendored files"

	run --separate-stderr git jira-scopes check
	assert_status 0
	assert_equal "2 source files not scanned: binary, larger than jira-scopes.maxFileSize, or under a skipped path (jira-scopes.skip)" "$(printf '%s\n' "$output" | tail -n 1)"
}

@test "trace lines for check" {
	head=$(git rev-parse --short=7 HEAD)
	run --separate-stderr git jira-scopes -v check
	assert_status 0
	assert_equal "trace: repository: $PWD/.git/" "$(printf '%s\n' "$stderr" | sed -n 1p)"
	[[ "$(printf '%s\n' "$stderr" | sed -n 2p)" == "trace: HEAD ($head): 1 apps, 1 call sites, 0 source files not scanned, "*" s" ]]
}
