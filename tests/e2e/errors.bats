#!/usr/bin/env bats
# Failures of check and diff: exit 128 with a `fatal:` or `error:` message
# that names the input, and exit 129 for usage errors.

load helpers

# A repository with one Forge app and three commits.
make_history()
{
	make_repo "$1"
	forge_manifest . read:jira-work
	commit 'First'
	forge_manifest . read:jira-work read:jira-user
	commit 'Second'
	forge_manifest . read:jira-work read:jira-user write:jira-work
	commit 'Third'
}

@test "outside a repository" {
	mkdir "$TEST_DIR/plain"
	cd "$TEST_DIR/plain"
	for command in check diff; do
		run --separate-stderr git-jira-scopes "$command"
		assert_status 128
		assert_equal '' "$output"
		[[ $stderr == fatal:* ]]
	done
}

@test "unknown revision" {
	make_history repo
	for args in 'check no-such-rev' 'diff no-such-rev HEAD' 'diff HEAD no-such-rev' \
		'diff no-such-rev..HEAD' 'diff HEAD...no-such-rev' 'diff --exit-code no-such-rev'; do
		# shellcheck disable=SC2086
		run --separate-stderr git jira-scopes $args
		assert_status 128
		assert_equal '' "$output"
		[[ $stderr == fatal:* ]]
		[[ $stderr == *no-such-rev* ]]
	done
}

@test "three dot range without merge base" {
	make_history repo
	git checkout -q --orphan other
	forge_manifest . write:jira-work
	commit 'Unrelated'
	run --separate-stderr git jira-scopes diff main...other
	assert_status 128
	[[ $stderr == fatal:* ]]
}

@test "base missing from a shallow clone" {
	make_history origin
	first=$(git rev-parse HEAD~2)
	second=$(git rev-parse HEAD~1)
	git clone -q --depth 1 "file://$TEST_DIR/origin" "$TEST_DIR/shallow"
	cd "$TEST_DIR/shallow"
	[ "$(git rev-parse --is-shallow-repository)" = true ]

	run --separate-stderr git jira-scopes diff "$first" HEAD
	assert_status 128
	assert_equal '' "$output"
	[[ $stderr == *"${first:0:7}"* ]]
	[[ $stderr == *"git fetch --deepen"* || $stderr == *"--unshallow"* ]]

	# HEAD~1 is a parent the clone does not have: the message names it as
	# given or by its id.
	run --separate-stderr git jira-scopes diff HEAD~1 HEAD
	assert_status 128
	[[ $stderr == *"'HEAD~1'"* || $stderr == *"${second:0:7}"* ]]
	[[ $stderr == *"git fetch --deepen"* || $stderr == *"--unshallow"* ]]
}

@test "malformed manifest still reports other apps" {
	make_repo broken
	write_file README.md 'Two apps.'
	commit 'Start'
	write_file apps/a/manifest.yml <<'EOF'
permissions:
  scopes:
    - read:jira-work
  - write:jira-work
EOF
	write_file apps/b/.jira-scopes <<'EOF'
[scopes]
	scope = read:jira-work
EOF
	write_file apps/b/tool.py <<'EOF'
import requests
requests.put("/rest/api/3/issue/ABC-1", json={})
EOF
	commit 'Add apps'

	run --separate-stderr git jira-scopes check --format=json
	assert_status 128
	[[ $stderr == *apps/a/manifest.yml:4* ]]
	json_equal '[["apps/b/tool.py", 2, "PUT", "/rest/api/3/issue/ABC-1", "PUT /rest/api/3/issue/{issueIdOrKey}"]]' \
		"$(json_pick "$output" 'sites(app("apps/b/.jira-scopes")["missing"])')"

	run --separate-stderr git jira-scopes check
	assert_status 128
	[[ $stderr == *apps/a/manifest.yml:4* ]]
	[[ $output == *apps/b/tool.py* ]]

	run --separate-stderr git jira-scopes diff --format=json HEAD~1 HEAD
	assert_status 128
	[[ $stderr == *apps/a/manifest.yml:4* ]]
}

@test "malformed connect and scopes files" {
	make_repo broken
	write_file connect/atlassian-connect.json <<'EOF'
{
  "key": "c",
  "scopes": ["read" "write"]
}
EOF
	commit 'Add broken Connect app'
	run --separate-stderr git jira-scopes check
	assert_status 128
	[[ $stderr == *connect/atlassian-connect.json:3* ]]

	git rm -q -r connect
	write_file tool/.jira-scopes <<'EOF'
[scopes
	scope = read:jira-work
EOF
	commit 'Add broken scopes file'
	run --separate-stderr git jira-scopes check
	assert_status 128
	[[ $stderr == *tool/.jira-scopes:1* ]]
}

@test "scopes that are not a list" {
	make_repo shape
	write_file manifest.yml <<'EOF'
permissions:
  scopes: read:jira-work
EOF
	commit 'Add app'
	run --separate-stderr git jira-scopes check
	assert_status 128
	[[ $stderr == *manifest.yml:2* ]]
}

@test "manifest that is a symlink" {
	make_repo links
	forge_manifest real read:jira-work
	mkdir app
	ln -s ../real/manifest.yml app/manifest.yml
	commit 'Add linked manifest'
	run --separate-stderr git jira-scopes check
	assert_status 128
	[[ $stderr == *app/manifest.yml* ]]
	run --separate-stderr git jira-scopes diff HEAD~0 HEAD
	assert_status 128
	[[ $stderr == *app/manifest.yml* ]]
}

@test "manifest that is a submodule" {
	make_history sub
	gitlink=$(git rev-parse HEAD)
	git update-index --add --cacheinfo "160000,$gitlink,app/manifest.yml"
	git commit -q -m 'Add a gitlink named manifest.yml'
	run --separate-stderr git jira-scopes check
	assert_status 128
	[[ $stderr == *app/manifest.yml* ]]
}

@test "usage errors" {
	make_history repo
	for args in 'check --format=xml' 'check --no-such-option' 'check HEAD HEAD~1' \
		'diff --format=xml' 'diff HEAD~2 HEAD~1 HEAD' 'diff --no-such-option' \
		'check --worktree HEAD' 'no-such-command'; do
		# shellcheck disable=SC2086
		run --separate-stderr git-jira-scopes $args
		if [ "$status" -ne 129 ]; then
			echo "git-jira-scopes $args"
		fi
		assert_status 129
		assert_equal '' "$output"
		[ -n "$stderr" ]
	done
	run --separate-stderr git-jira-scopes
	assert_status 129
}
