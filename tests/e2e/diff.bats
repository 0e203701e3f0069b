#!/usr/bin/env bats
# `git jira-scopes diff`: scopes added and removed between two revisions,
# the call sites behind them, broad scopes, revision ranges and the default
# base.

load helpers

# The fields of a diff report's app, except the new_operations counts.
DIFF_FIELDS='{"declaration": a["declaration"], "added": [{"scope": x["scope"], "broad": x["broad"], "line": x["line"], "justified_by": [call(c) for c in x["justified_by"]]} for x in a["added"]], "removed": [{"scope": x["scope"], "still_needed_by": [call(c) for c in x["still_needed_by"]]} for x in a["removed"]], "newly_missing": [call(c) for c in a["newly_missing"]], "fixed": [call(c) for c in a["fixed"]]}'

# src/index.js: a GET of an issue on line 4 and a PUT on line 8.
write_issue_calls()
{
	write_file src/index.js <<'EOF'
import api, { route } from '@forge/api';

export async function getIssue(key) {
  return api.asApp().requestJira(route`/rest/api/3/issue/${key}`, { method: 'GET' });
}

export async function editIssue(key, body) {
  return api.asApp().requestJira(route`/rest/api/3/issue/${key}`, {
    method: 'PUT',
    body: JSON.stringify(body),
  });
}
EOF
}

GET_SITE='{"file": "src/index.js", "line": 4, "method": "GET", "path": "/rest/api/3/issue/${key}",
	"operation": "GET /rest/api/3/issue/{issueIdOrKey}"}'
PUT_SITE='{"file": "src/index.js", "line": 8, "method": "PUT", "path": "/rest/api/3/issue/${key}",
	"operation": "PUT /rest/api/3/issue/{issueIdOrKey}"}'

# Fails unless no app of the JSON diff in $output has a change.
assert_no_changes()
{
	json_equal '[]' "$(json_pick "$output" '[a["declaration"]["path"] for a in d["apps"] if a["added"] or a["removed"] or a["newly_missing"] or a["fixed"]]')"
}

@test "added scope with the call that needs it" {
	make_repo app
	forge_manifest . read:jira-work
	write_issue_calls
	commit 'Edit issues without the scope'
	forge_manifest . read:jira-work write:jira-work
	commit 'Add write:jira-work'

	run --separate-stderr git jira-scopes diff --format=json HEAD~1 HEAD
	assert_status 0
	json_equal "{
		\"declaration\": {\"path\": \"manifest.yml\", \"kind\": \"forge\"},
		\"added\": [{\"scope\": \"write:jira-work\", \"broad\": false, \"line\": 12,
			\"justified_by\": [$PUT_SITE]}],
		\"removed\": [],
		\"newly_missing\": [],
		\"fixed\": [$PUT_SITE]
	}" "$(json_pick "$output" "(lambda a: $DIFF_FIELDS)(app('manifest.yml'))")"
	json_equal 'true' "$(json_pick "$output" 'app("manifest.yml")["added"][0]["new_operations"] > 0')"

	run --separate-stderr git jira-scopes diff --exit-code HEAD~1 HEAD
	assert_status 0
	assert_equal '' "$stderr"
	[[ $output != *$'\e'* ]]
	[[ $output == *write:jira-work* ]]
}

@test "no revisions without upstream diffs HEAD~1 against HEAD" {
	make_repo app
	forge_manifest . read:jira-work
	write_issue_calls
	commit 'Read issues'
	forge_manifest . read:jira-work write:jira-work
	commit 'Add write:jira-work'

	run --separate-stderr git jira-scopes diff HEAD~1 HEAD
	assert_status 0
	expected=$output
	run --separate-stderr git jira-scopes diff
	assert_status 0
	assert_equal "$expected" "$output"
	run --separate-stderr git jira-scopes diff HEAD~1
	assert_status 0
	assert_equal "$expected" "$output"
}

@test "reformatted manifest is no change" {
	make_repo app
	forge_manifest . read:jira-work write:jira-work storage:app
	write_issue_calls
	commit 'Add app'
	write_file manifest.yml <<'EOF'
# Panel app.
modules:
  jira:issuePanel:
    - { key: panel, resource: main, title: Panel }
resources: [{ key: main, path: static }]
permissions:
  scopes: [storage:app, write:jira-work, "read:jira-work"]   # sorted
EOF
	commit 'Use flow style'
	write_file manifest.yml <<'EOF'
modules:
  jira:issuePanel:
    - key: panel
      resource: main
      title: Panel
resources:
  - key: main
    path: static
permissions:
  scopes:
    write:jira-work:
      allowImpersonation: true
    storage:app: {}
    read:jira-work: {}
EOF
	commit 'Use a scope map'

	for range in 'HEAD~2 HEAD~1' 'HEAD~1 HEAD' 'HEAD~2 HEAD' HEAD~2..HEAD; do
		# shellcheck disable=SC2086
		run --separate-stderr git jira-scopes diff --format=json --exit-code $range
		assert_status 0
		assert_no_changes
	done
}

@test "removed scope still needed" {
	make_repo app
	forge_manifest . read:jira-work write:jira-work
	write_issue_calls
	commit 'Add app'
	forge_manifest . write:jira-work
	commit 'Drop read:jira-work'

	run --separate-stderr git jira-scopes diff --format=json HEAD~1 HEAD
	assert_status 0
	json_equal "{
		\"declaration\": {\"path\": \"manifest.yml\", \"kind\": \"forge\"},
		\"added\": [],
		\"removed\": [{\"scope\": \"read:jira-work\", \"still_needed_by\": [$GET_SITE]}],
		\"newly_missing\": [$GET_SITE],
		\"fixed\": []
	}" "$(json_pick "$output" "(lambda a: $DIFF_FIELDS)(app('manifest.yml'))")"
	run --separate-stderr git jira-scopes diff --exit-code HEAD~1 HEAD
	assert_status 1

	# Removing a scope together with its last call is fine.
	write_file src/index.js <<'EOF'
import api, { route } from '@forge/api';

export async function getIssue(key) {
  return api.asApp().requestJira(route`/rest/api/3/issue/${key}`, { method: 'GET' });
}
EOF
	forge_manifest .
	commit 'Drop editing'
	run --separate-stderr git jira-scopes diff --format=json --exit-code HEAD~1 HEAD
	assert_status 0
	json_equal '[{"scope": "write:jira-work", "still_needed_by": []}]' \
		"$(json_pick "$output" '[{k: x[k] for k in ("scope", "still_needed_by")} for x in app("manifest.yml")["removed"]]')"
	json_equal '[]' "$(json_pick "$output" 'app("manifest.yml")["newly_missing"]')"
}

@test "added broad scope fails with exit code" {
	make_repo app
	forge_manifest . read:jira-work
	write_issue_calls
	commit 'Add app'
	forge_manifest . read:jira-work manage:jira-configuration
	commit 'Add manage:jira-configuration'

	run --separate-stderr git jira-scopes diff --format=json HEAD~1 HEAD
	assert_status 0
	json_equal '[{"scope": "manage:jira-configuration", "broad": true, "line": 12, "justified_by": []}]' \
		"$(json_pick "$output" '[{k: x[k] for k in ("scope", "broad", "line", "justified_by")} for x in app("manifest.yml")["added"]]')"
	json_equal 'true' "$(json_pick "$output" 'app("manifest.yml")["added"][0]["new_operations"] > 0')"

	run --separate-stderr git jira-scopes diff --exit-code HEAD~1 HEAD
	assert_status 1
	run --separate-stderr git jira-scopes diff --format=markdown --exit-code HEAD~1 HEAD
	assert_status 1
	# Markdown may escape punctuation with a backslash: compare the text.
	[[ ${output//\\/} == *manage:jira-configuration* ]]
}

@test "connect admin scopes are broad" {
	make_repo connect
	write_file atlassian-connect.json '{ "key": "c", "scopes": ["read"] }'
	commit 'Add Connect app'
	write_file atlassian-connect.json <<'EOF'
{
  "key": "c",
  "scopes": [
    "read",
    "admin",
    "Project_Admin",
    "act_as_user"
  ]
}
EOF
	commit 'Add admin scopes'

	run --separate-stderr git jira-scopes diff --format=json HEAD~1 HEAD
	assert_status 0
	json_equal '[
		{"scope": "ADMIN", "broad": true, "line": 5},
		{"scope": "PROJECT_ADMIN", "broad": true, "line": 6},
		{"scope": "ACT_AS_USER", "broad": true, "line": 7}
	]' "$(json_pick "$output" '[{k: x[k] for k in ("scope", "broad", "line")} for x in app("atlassian-connect.json")["added"]]')"
	run --separate-stderr git jira-scopes diff --exit-code HEAD~1 HEAD
	assert_status 1
}

@test "broad config replaces the default list" {
	make_repo app
	forge_manifest . read:jira-work
	commit 'Add app'
	forge_manifest . read:jira-work write:jira-work read:jira-user manage:jira-configuration
	commit 'Add three scopes'
	git config jira-scopes.broad write:jira-work
	git config --add jira-scopes.broad read:jira-user

	run --separate-stderr git jira-scopes diff --format=json HEAD~1 HEAD
	assert_status 0
	json_equal '[
		{"scope": "write:jira-work", "broad": true},
		{"scope": "read:jira-user", "broad": true},
		{"scope": "manage:jira-configuration", "broad": false}
	]' "$(json_pick "$output" '[{k: x[k] for k in ("scope", "broad")} for x in app("manifest.yml")["added"]]')"
	run --separate-stderr git jira-scopes diff --exit-code HEAD~1 HEAD
	assert_status 1

	git config --unset-all jira-scopes.broad
	git config jira-scopes.broad read:jira-user
	forge_manifest . read:jira-work manage:jira-configuration
	commit 'Keep only manage:jira-configuration'
	run --separate-stderr git jira-scopes diff --format=json --exit-code HEAD~2 HEAD
	assert_status 0
	json_equal '[{"scope": "manage:jira-configuration", "broad": false}]' \
		"$(json_pick "$output" '[{k: x[k] for k in ("scope", "broad")} for x in app("manifest.yml")["added"]]')"
}

@test "classic to granular swap" {
	make_repo app
	write_file src/index.js <<'EOF'
import api, { route } from '@forge/api';

export async function editIssue(key, body) {
  return api.asApp().requestJira(route`/rest/api/3/issue/${key}`, { method: 'PUT', body });
}
EOF
	forge_manifest . write:jira-work
	commit 'Add app'
	forge_manifest . write:issue:jira
	commit 'Use the granular scope'

	# Every operation that write:issue:jira allows needs write:jira-work too.
	run --separate-stderr git jira-scopes diff --format=json --exit-code HEAD~1 HEAD
	assert_status 0
	json_equal '{
		"added": [{"scope": "write:issue:jira", "broad": false, "line": 11, "new_operations": 0}],
		"removed": [{"scope": "write:jira-work", "still_needed_by": []}],
		"newly_missing": []
	}' "$(json_pick "$output" '(lambda a: {"added": [{k: x[k] for k in ("scope", "broad", "line", "new_operations")} for x in a["added"]], "removed": [{k: x[k] for k in ("scope", "still_needed_by")} for x in a["removed"]], "newly_missing": a["newly_missing"]})(app("manifest.yml"))')"

	# From read:jira-work to write:issue:jira the PUT becomes allowed.
	forge_manifest . read:jira-work
	commit 'Back to read:jira-work'
	forge_manifest . write:issue:jira
	commit 'Swap to write:issue:jira'
	run --separate-stderr git jira-scopes diff --format=json HEAD~1 HEAD
	assert_status 0
	json_equal 'true' "$(json_pick "$output" 'app("manifest.yml")["added"][0]["new_operations"] > 0')"
	json_equal '[["src/index.js", 4]]' "$(json_pick "$output" '[[c["file"], c["line"]] for c in app("manifest.yml")["fixed"]]')"
}

@test "two dot and three dot ranges" {
	make_repo ranges
	forge_manifest . read:jira-work
	commit 'Add app'
	git branch feature
	forge_manifest . read:jira-work read:jira-user
	commit 'Add read:jira-user on main'
	git checkout -q feature
	forge_manifest . read:jira-work write:jira-work
	commit 'Add write:jira-work on feature'

	pick='{"added": [x["scope"] for x in app("manifest.yml")["added"]], "removed": [x["scope"] for x in app("manifest.yml")["removed"]]}'
	run --separate-stderr git jira-scopes diff --format=json main..feature
	assert_status 0
	json_equal '{"added": ["write:jira-work"], "removed": ["read:jira-user"]}' "$(json_pick "$output" "$pick")"
	two_dot=$output
	run --separate-stderr git jira-scopes diff --format=json main feature
	assert_status 0
	assert_equal "$two_dot" "$output"

	run --separate-stderr git jira-scopes diff --format=json main...feature
	assert_status 0
	json_equal '{"added": ["write:jira-work"], "removed": []}' "$(json_pick "$output" "$pick")"
}

@test "no revisions with upstream diffs from the merge base" {
	make_repo upstream
	forge_manifest . read:jira-work
	commit 'Add app'
	git clone -q "file://$TEST_DIR/upstream" "$TEST_DIR/clone"
	forge_manifest . read:jira-work storage:app
	commit 'Upstream moves on'

	cd "$TEST_DIR/clone"
	git fetch -q origin
	forge_manifest . read:jira-work read:jira-user
	commit 'Add read:jira-user'
	forge_manifest . read:jira-work read:jira-user write:jira-work
	commit 'Add write:jira-work'

	run --separate-stderr git jira-scopes diff --format=json
	assert_status 0
	json_equal '{"added": ["read:jira-user", "write:jira-work"], "removed": []}' \
		"$(json_pick "$output" '{"added": [x["scope"] for x in app("manifest.yml")["added"]], "removed": [x["scope"] for x in app("manifest.yml")["removed"]]}')"

	git branch -q --unset-upstream
	run --separate-stderr git jira-scopes diff --format=json
	assert_status 0
	json_equal '{"added": ["write:jira-work"], "removed": []}' \
		"$(json_pick "$output" '{"added": [x["scope"] for x in app("manifest.yml")["added"]], "removed": [x["scope"] for x in app("manifest.yml")["removed"]]}')"
}

@test "apps that appear and disappear" {
	make_repo apps
	forge_manifest apps/old read:jira-work
	commit 'Add old app'
	git rm -q -r apps/old
	write_file apps/new/atlassian-connect.json '{ "key": "n", "scopes": ["read"] }'
	commit 'Replace the app'

	run --separate-stderr git jira-scopes diff --format=json HEAD~1 HEAD
	assert_status 0
	json_equal '{
		"apps/new/atlassian-connect.json": {"kind": "connect", "added": ["READ"], "removed": []},
		"apps/old/manifest.yml": {"kind": "forge", "added": [], "removed": ["read:jira-work"]}
	}' "$(json_pick "$output" '{a["declaration"]["path"]: {"kind": a["declaration"]["kind"], "added": [x["scope"] for x in a["added"]], "removed": [x["scope"] for x in a["removed"]]} for a in d["apps"]}')"
}

@test "example history" {
	sh "$BATS_TEST_DIRNAME/../../examples/build-example.sh" "$TEST_DIR/example"
	sh "$BATS_TEST_DIRNAME/../../examples/build-example.sh" "$TEST_DIR/again"
	assert_equal "$(git -C "$TEST_DIR/example" rev-parse HEAD)" "$(git -C "$TEST_DIR/again" rev-parse HEAD)"
	cd "$TEST_DIR/example"
	first=$(git rev-list --max-parents=0 HEAD)

	run --separate-stderr git jira-scopes diff --format=json "$first" HEAD
	assert_status 0
	user_site='{"file": "src/user.js", "line": 5, "method": "GET", "path": "/rest/api/3/user?accountId=${accountId}",
		"operation": "GET /rest/api/3/user"}'
	json_equal "{
		\"declaration\": {\"path\": \"manifest.yml\", \"kind\": \"forge\"},
		\"added\": [
			{\"scope\": \"manage:jira-configuration\", \"broad\": true, \"line\": 29, \"justified_by\": []},
			{\"scope\": \"write:jira-work\", \"broad\": false, \"line\": 32, \"justified_by\": [
				{\"file\": \"src/index.js\", \"line\": 22, \"method\": \"PUT\", \"path\": \"/rest/api/3/issue/\${key}\",
				 \"operation\": \"PUT /rest/api/3/issue/{issueIdOrKey}\"}]}
		],
		\"removed\": [{\"scope\": \"read:jira-user\", \"still_needed_by\": [$user_site]}],
		\"newly_missing\": [$user_site],
		\"fixed\": []
	}" "$(json_pick "$output" "(lambda a: $DIFF_FIELDS)(app('manifest.yml'))")"

	run --separate-stderr git jira-scopes diff --exit-code "$first" HEAD
	assert_status 1
	assert_equal '' "$stderr"
	assert_equal "scope changes from ${first:0:7} to HEAD ($(git rev-parse --short HEAD))

app manifest.yml (forge)
  added:
    + manage:jira-configuration (manifest.yml:29), newly allows 267 operations
        broad: classic manage:* scope: administers Jira configuration, projects or webhooks; needs a 'Scopes-Reviewed-by: Name <email>' trailer from a reviewer
        justified by: no call site
    + write:jira-work (manifest.yml:32), newly allows 84 operations
        justified by src/index.js:22  PUT /rest/api/3/issue/{issueIdOrKey}
  removed:
    - read:jira-user
        still needed by src/user.js:5  GET /rest/api/3/user
  newly missing:
    src/user.js:5  GET /rest/api/3/user
      declare read:jira-user, or the granular read:application-role:jira, read:avatar:jira, read:group:jira and read:user:jira" "$output"
	# The commit that only sorts the scopes changes nothing.
	run --separate-stderr git jira-scopes diff --format=json --exit-code HEAD~3 HEAD~2
	assert_status 0
	assert_no_changes
}
