#!/usr/bin/env bats
# `git jira-scopes check`: declared scopes against the call sites of one
# revision, per app, in JSON and text, with --exit-code and --worktree.

load helpers

# The fields every app of a check report has.
CHECK_FIELDS='{"declaration": a["declaration"], "declared": a["declared"], "call_sites": [call(c) for c in a["call_sites"]], "missing": [call(c) for c in a["missing"]], "unjustified": a["unjustified"], "unknown": a["unknown"], "unresolved": [call(c) for c in a["unresolved"]]}'

# src/index.js: a GET of an issue on line 4 and a PUT on line 8.
write_issue_calls()
{
	write_file "$1/src/index.js" <<'EOF'
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

@test "forge app with every call allowed" {
	make_repo app
	forge_manifest . read:jira-work write:jira-work storage:app
	write_issue_calls .
	commit 'Add app'

	run --separate-stderr git jira-scopes check --format=json
	assert_status 0
	json_equal "{
		\"declaration\": {\"path\": \"manifest.yml\", \"kind\": \"forge\"},
		\"declared\": [
			{\"scope\": \"read:jira-work\", \"line\": 11},
			{\"scope\": \"write:jira-work\", \"line\": 12},
			{\"scope\": \"storage:app\", \"line\": 13}
		],
		\"call_sites\": [$GET_SITE, $PUT_SITE],
		\"missing\": [],
		\"unjustified\": [],
		\"unknown\": [],
		\"unresolved\": []
	}" "$(json_pick "$output" "(lambda a: $CHECK_FIELDS)(app('manifest.yml'))")"
	json_equal '1' "$(json_pick "$output" 'len(d["apps"])')"

	run --separate-stderr git jira-scopes check --exit-code
	assert_status 0
	assert_equal '' "$stderr"
}

@test "missing scope names classic and granular alternatives" {
	make_repo app
	forge_manifest . read:jira-work
	write_issue_calls .
	commit 'Add app'

	run --separate-stderr git jira-scopes check --format=json
	assert_status 0
	json_equal "[[\"src/index.js\", 8, \"PUT\", \"/rest/api/3/issue/\${key}\",
		\"PUT /rest/api/3/issue/{issueIdOrKey}\"]]" \
		"$(json_pick "$output" 'sites(app("manifest.yml")["missing"])')"
	json_equal '[{"classic_alternative": ["write:jira-work"], "granular_absent": ["write:issue:jira"]}]' \
		"$(json_pick "$output" '[{k: m[k] for k in ("classic_alternative", "granular_absent")} for m in app("manifest.yml")["missing"]]')"
	json_equal '[]' "$(json_pick "$output" 'app("manifest.yml")["unjustified"]')"

	run --separate-stderr git jira-scopes check --exit-code
	assert_status 1
	run --separate-stderr git jira-scopes check
	assert_status 0
}

@test "unjustified unknown and platform scopes" {
	make_repo app
	forge_manifest . read:jira-work read:jira-user manage:jira-configuration \
		storage:app offline_access read:me read:jira-wrok
	write_file src/index.js <<'EOF'
import api, { route } from '@forge/api';

export const getIssue = (key) => api.asApp().requestJira(route`/rest/api/3/issue/${key}`, { method: 'GET' });
EOF
	commit 'Add app'

	run --separate-stderr git jira-scopes check --format=json
	assert_status 0
	json_equal '[{"scope": "read:jira-user", "line": 12}, {"scope": "manage:jira-configuration", "line": 13}]' \
		"$(json_pick "$output" 'app("manifest.yml")["unjustified"]')"
	json_equal '["read:jira-wrok"]' \
		"$(json_pick "$output" '[u["scope"] if isinstance(u, dict) else u for u in app("manifest.yml")["unknown"]]')"
	json_equal '[]' "$(json_pick "$output" 'app("manifest.yml")["missing"]')"

	run --separate-stderr git jira-scopes check --exit-code
	assert_status 1
}

@test "granular set must be declared whole" {
	make_repo granular
	# Whole granular set of PUT /rest/api/3/issue/{issueIdOrKey}.
	forge_manifest apps/edit write:issue:jira
	write_issue_calls apps/edit
	# Two of the nine granular scopes of GET /rest/api/3/issue/{issueIdOrKey}.
	forge_manifest apps/partial read:issue:jira read:issue-meta:jira
	write_file apps/partial/src/index.js <<'EOF'
import api, { route } from '@forge/api';

export const getIssue = (key) => api.asApp().requestJira(route`/rest/api/3/issue/${key}`, { method: 'GET' });
EOF
	forge_manifest apps/whole read:issue-meta:jira read:issue-security-level:jira read:issue.vote:jira \
		read:issue.changelog:jira read:avatar:jira read:issue:jira read:status:jira read:user:jira \
		read:field-configuration:jira
	mkdir -p apps/whole/src
	cp apps/partial/src/index.js apps/whole/src/index.js
	commit 'Add apps'

	run --separate-stderr git jira-scopes check --format=json
	assert_status 0
	# write:issue:jira allows the PUT but not the GET of apps/edit.
	json_equal '[["apps/edit/src/index.js", 4, "GET", "/rest/api/3/issue/${key}", "GET /rest/api/3/issue/{issueIdOrKey}"]]' \
		"$(json_pick "$output" 'sites(app("apps/edit/manifest.yml")["missing"])')"
	json_equal '[["apps/partial/src/index.js", 3, "GET", "/rest/api/3/issue/${key}", "GET /rest/api/3/issue/{issueIdOrKey}"]]' \
		"$(json_pick "$output" 'sites(app("apps/partial/manifest.yml")["missing"])')"
	json_equal '[{"classic_alternative": ["read:jira-work"], "granular_absent": [
			"read:issue-security-level:jira", "read:issue.vote:jira", "read:issue.changelog:jira",
			"read:avatar:jira", "read:status:jira", "read:user:jira", "read:field-configuration:jira"]}]' \
		"$(json_pick "$output" '[{k: m[k] for k in ("classic_alternative", "granular_absent")} for m in app("apps/partial/manifest.yml")["missing"]]')"
	json_equal '[]' "$(json_pick "$output" 'app("apps/whole/manifest.yml")["missing"]')"
	json_equal '[]' "$(json_pick "$output" 'app("apps/whole/manifest.yml")["unjustified"]')"
}

@test "connect scopes are case-insensitive" {
	make_repo connect
	write_file atlassian-connect.json <<'EOF'
{
  "key": "connect-demo",
  "baseUrl": "https://connect.example.com",
  "authentication": { "type": "jwt" },
  "scopes": [
    "read",
    "Write"
  ],
  "modules": {}
}
EOF
	write_file public/app.js <<'EOF'
AP.request({ url: '/rest/api/3/issue/ABC-1', type: 'GET' });
AP.request({ url: '/rest/api/3/issue/ABC-1', type: 'PUT', data: '{}' });
AP.request({ url: '/rest/api/3/issue/ABC-1', type: 'DELETE' });
EOF
	commit 'Add Connect app'

	run --separate-stderr git jira-scopes check --format=json
	assert_status 0
	json_equal '{"path": "atlassian-connect.json", "kind": "connect"}' \
		"$(json_pick "$output" 'app("atlassian-connect.json")["declaration"]')"
	json_equal '[{"scope": "READ", "line": 6}, {"scope": "WRITE", "line": 7}]' \
		"$(json_pick "$output" 'app("atlassian-connect.json")["declared"]')"
	# DELETE needs the Connect DELETE scope, which READ and WRITE do not give.
	json_equal '[["public/app.js", 3, "DELETE", "/rest/api/3/issue/ABC-1", "DELETE /rest/api/3/issue/{issueIdOrKey}"]]' \
		"$(json_pick "$output" 'sites(app("atlassian-connect.json")["missing"])')"
	json_equal '[]' "$(json_pick "$output" 'app("atlassian-connect.json")["unknown"]')"
}

@test "monorepo assigns call sites to the nearest app" {
	make_repo mono
	forge_manifest apps/forge read:jira-work
	write_file apps/forge/src/a.js <<'EOF'
import api, { route } from '@forge/api';
export const a = (key) => api.asApp().requestJira(route`/rest/api/3/issue/${key}`, { method: 'GET' });
EOF
	write_file apps/connect/atlassian-connect.json <<'EOF'
{
  "key": "mono-connect",
  "scopes": ["READ"]
}
EOF
	write_file apps/connect/web/b.js <<'EOF'
AP.request({ url: '/rest/api/3/myself', type: 'GET' });
EOF
	write_file services/bot/.jira-scopes <<'EOF'
[scopes]
	scope = read:jira-work
	scope = write:jira-work
EOF
	write_file services/bot/bot.py <<'EOF'
import requests

def edit(base, key, fields):
    return requests.put(f"{base}/rest/api/3/issue/{key}", json={"fields": fields})
EOF
	forge_manifest services/bot/plugins/panel read:jira-work
	write_file services/bot/plugins/panel/src/c.js <<'EOF'
import api, { route } from '@forge/api';
export const c = (key) => api.asApp().requestJira(route`/rest/api/3/issue/${key}`, { method: 'PUT' });
EOF
	write_file scripts/report.py <<'EOF'
import requests

def search(base, jql):
    return requests.get(f"{base}/rest/api/3/search?jql={jql}")
EOF
	commit 'Add apps'

	run --separate-stderr git jira-scopes check --format=json
	assert_status 0
	json_equal '[
		{"path": "apps/connect/atlassian-connect.json", "kind": "connect"},
		{"path": "apps/forge/manifest.yml", "kind": "forge"},
		{"path": "services/bot/.jira-scopes", "kind": "scopes-file"},
		{"path": "services/bot/plugins/panel/manifest.yml", "kind": "forge"}
	]' "$(json_pick "$output" '[a["declaration"] for a in d["apps"]]')"
	json_equal '{
		"apps/connect/atlassian-connect.json": [["apps/connect/web/b.js", 1, "GET", "GET /rest/api/3/myself"]],
		"apps/forge/manifest.yml": [["apps/forge/src/a.js", 2, "GET", "GET /rest/api/3/issue/{issueIdOrKey}"]],
		"services/bot/.jira-scopes": [["services/bot/bot.py", 4, "PUT", "PUT /rest/api/3/issue/{issueIdOrKey}"]],
		"services/bot/plugins/panel/manifest.yml": [["services/bot/plugins/panel/src/c.js", 2, "PUT", "PUT /rest/api/3/issue/{issueIdOrKey}"]]
	}' "$(json_pick "$output" '{a["declaration"]["path"]: [[c["file"], c["line"], c["method"], c["operation"]] for c in a["call_sites"]] for a in d["apps"]}')"
	# The nested panel app declares no write scope, although its parent does.
	json_equal '{
		"apps/connect/atlassian-connect.json": [],
		"apps/forge/manifest.yml": [],
		"services/bot/.jira-scopes": [],
		"services/bot/plugins/panel/manifest.yml": [["services/bot/plugins/panel/src/c.js", 2]]
	}' "$(json_pick "$output" '{a["declaration"]["path"]: [[c["file"], c["line"]] for c in a["missing"]] for a in d["apps"]}')"
	json_equal '[["scripts/report.py", 4, "GET", "GET /rest/api/3/search"]]' \
		"$(json_pick "$output" '[[c["file"], c["line"], c["method"], c["operation"]] for c in d["outside_apps"]]')"
}

@test "scopes file include and exclude" {
	make_repo files
	write_file .jira-scopes <<'EOF'
[scopes]
	scope = read:jira-work
[files]
	exclude = legacy/*
EOF
	write_file tools/new.py <<'EOF'
import requests
issue = requests.get("/rest/api/3/issue/ABC-1")
EOF
	write_file legacy/old.py <<'EOF'
import requests
requests.put("/rest/api/3/issue/ABC-1", json={})
EOF
	commit 'Add tools'

	run --separate-stderr git jira-scopes check --format=json
	assert_status 0
	json_equal '[["tools/new.py", 2]]' \
		"$(json_pick "$output" '[[c["file"], c["line"]] for c in app(".jira-scopes")["call_sites"]]')"
	json_equal '[]' "$(json_pick "$output" 'app(".jira-scopes")["missing"]')"

	write_file .jira-scopes <<'EOF'
[scopes]
	scope = read:jira-work
[files]
	include = tools/*
EOF
	write_file other/extra.py <<'EOF'
import requests
requests.delete("/rest/api/3/issue/ABC-1")
EOF
	commit 'Only tools belong to the app'

	run --separate-stderr git jira-scopes check --format=json
	assert_status 0
	json_equal '[["tools/new.py", 2]]' \
		"$(json_pick "$output" '[[c["file"], c["line"]] for c in app(".jira-scopes")["call_sites"]]')"
}

@test "worktree and revision arguments" {
	make_repo revs
	forge_manifest . read:jira-work
	write_file src/index.js <<'EOF'
import api, { route } from '@forge/api';
export const a = (key) => api.asApp().requestJira(route`/rest/api/3/issue/${key}`, { method: 'GET' });
EOF
	commit 'Read issues'
	write_issue_calls .
	commit 'Edit issues'

	run --separate-stderr git jira-scopes check --format=json HEAD~1
	assert_status 0
	json_equal '[]' "$(json_pick "$output" 'app("manifest.yml")["missing"]')"
	run --separate-stderr git jira-scopes check --format=json
	assert_status 0
	json_equal '[["src/index.js", 8]]' "$(json_pick "$output" '[[c["file"], c["line"]] for c in app("manifest.yml")["missing"]]')"

	# Uncommitted: the scope is added in the manifest and a new file calls DELETE.
	forge_manifest . read:jira-work write:jira-work
	write_file src/remove.js <<'EOF'
import api, { route } from '@forge/api';
export const r = (key) => api.asApp().requestJira(route`/rest/api/3/issue/${key}`, { method: 'DELETE' });
EOF
	run --separate-stderr git jira-scopes check --format=json --worktree
	assert_status 0
	json_equal '[]' "$(json_pick "$output" 'app("manifest.yml")["missing"]')"
	json_equal '[["src/index.js", 4, "GET"], ["src/index.js", 8, "PUT"], ["src/remove.js", 2, "DELETE"]]' \
		"$(json_pick "$output" '[[c["file"], c["line"], c["method"]] for c in app("manifest.yml")["call_sites"]]')"
	run --separate-stderr git jira-scopes check --format=json HEAD
	assert_status 0
	json_equal '[["src/index.js", 8]]' "$(json_pick "$output" '[[c["file"], c["line"]] for c in app("manifest.yml")["missing"]]')"
}

@test "forge call with own credentials is listed apart" {
	make_repo apart
	forge_manifest . read:jira-work
	write_file src/direct.js <<'EOF'
export async function findUser(site, credentials, accountId) {
  return fetch(`https://${site}/rest/api/3/user?accountId=${accountId}`, {
    method: 'GET',
    headers: { Authorization: 'Basic ' + credentials },
  });
}
EOF
	commit 'Call Jira with an API token'

	run --separate-stderr git jira-scopes check --format=json
	assert_status 0
	json_equal '[]' "$(json_pick "$output" 'app("manifest.yml")["call_sites"]')"
	json_equal '[]' "$(json_pick "$output" 'app("manifest.yml")["missing"]')"
	json_equal '[["src/direct.js", 2, "GET", "GET /rest/api/3/user"]]' \
		"$(json_pick "$output" '[[c["file"], c["line"], c["method"], c["operation"]] for c in app("manifest.yml")["apart"]]')"
}

@test "vendored built binary and large files are not scanned" {
	make_repo skips
	forge_manifest . read:jira-work
	write_file src/ok.js <<'EOF'
import api, { route } from '@forge/api';
export const ok = (key) => api.asApp().requestJira(route`/rest/api/3/issue/${key}`, { method: 'GET' });
EOF
	put_call="export const edit = (key) => api.asApp().requestJira(route\`/rest/api/3/issue/\${key}\`, { method: 'PUT' });"
	for path in node_modules/lib/index.js vendor/github.com/x/client.go dist/bundle.js \
		build/out.js src/app.min.js apps/panel/node_modules/dep/index.js; do
		write_file "$path" "$put_call"
	done
	# A blob with a NUL byte is binary, whatever its name.
	printf '%s\n\0\1\2\n' "$put_call" >src/blob.js
	# Over 1 MiB: the call is in the first line.
	{ printf '%s\n' "$put_call"; head -c 1100000 /dev/zero | tr '\0' 'x'; printf '\n'; } >src/huge.js
	commit 'Add vendored and built files'

	run --separate-stderr git jira-scopes check --format=json
	assert_status 0
	json_equal '[["src/ok.js", 2, "GET"]]' \
		"$(json_pick "$output" '[[c["file"], c["line"], c["method"]] for c in app("manifest.yml")["call_sites"]]')"
	json_equal '[]' "$(json_pick "$output" 'app("manifest.yml")["missing"]')"
}

@test "text and markdown formats" {
	make_repo formats
	forge_manifest . read:jira-work
	write_issue_calls .
	commit 'Add app'

	run --separate-stderr git jira-scopes check
	assert_status 0
	[ -n "$output" ]
	# No colour off a terminal.
	[[ $output != *$'\e'* ]]
	[[ $output == *src/index.js:8* ]]

	run --separate-stderr git jira-scopes check --format=text
	assert_status 0
	[[ $output != *$'\e'* ]]

	run --separate-stderr git jira-scopes check --format=markdown --exit-code
	assert_status 1
	[[ $output != *$'\e'* ]]
	# Markdown may escape punctuation with a backslash: compare the text.
	[[ ${output//\\/} == *src/index.js:8* ]]

	# On a terminal NO_COLOR still turns colour off.
	run script -qec 'NO_COLOR=1 git jira-scopes check' /dev/null
	assert_status 0
	[[ $output != *$'\e['* ]]
}
