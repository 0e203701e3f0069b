#!/usr/bin/env bats
# End-to-end tests of `git jira-scopes comment` against loopback fakes of the
# GitHub, GitLab, Bitbucket Cloud and Bitbucket Data Center REST APIs
# (tests/servers/fake_forge.py). Each test builds a Forge app repository with
# a main branch and a feature branch that adds manage:jira-configuration,
# starts one fake on 127.0.0.1, runs the real binary, and reads the requests
# and the comments and statuses the fake recorded.

load helpers

FAKE_FORGE=$BATS_TEST_DIRNAME/../servers/fake_forge.py
TOKEN=test-token-7f3a9c1e5b
BROAD=manage:jira-configuration

# The call that needs write:jira-work, on line 3 of src/index.js.
INDEX_BASE="import api, { route } from '@forge/api';
export async function edit(key, body) {
  return api.asApp().requestJira(route\`/rest/api/3/issue/\${key}\`, { method: 'PUT', body });
}"

# The same file plus a call that needs manage:jira-configuration, on line 6.
INDEX_BANNER="$INDEX_BASE
export async function banner() {
  return api.asApp().requestJira(route\`/rest/api/3/announcementBanner\`, { method: 'PUT' });
}"

setup()
{
	gjs_setup
	# Nothing of the CI that runs this suite may leak into the command.
	unset GITHUB_ACTIONS GITHUB_EVENT_PATH GITHUB_REPOSITORY GITHUB_API_URL GITHUB_SERVER_URL
	unset GITHUB_TOKEN GH_TOKEN GITLAB_CI GITLAB_TOKEN CI_JOB_TOKEN CI_API_V4_URL CI_PROJECT_ID
	unset CI_PROJECT_URL CI_MERGE_REQUEST_IID CI_MERGE_REQUEST_DIFF_BASE_SHA CI_COMMIT_SHA
	unset CI_MERGE_REQUEST_SOURCE_BRANCH_SHA CI_MERGE_REQUEST_LABELS BITBUCKET_BUILD_NUMBER
	unset BITBUCKET_PR_ID BITBUCKET_REPO_FULL_NAME BITBUCKET_COMMIT BITBUCKET_PR_DESTINATION_COMMIT
	unset BITBUCKET_TOKEN BITBUCKET_USER BITBUCKET_APP_PASSWORD
	unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
	SERVER_PID=
	make_app
}

teardown()
{
	stop_server
}

# Builds the app: main declares write:jira-work for its one call; the
# feature branch adds the broad scope and the call that needs it. Sets
# BASE_SHA and HEAD_SHA, and leaves the feature branch checked out.
make_app()
{
	make_repo app
	git config jira-scopes.reviewer '*@security.example.com'
	forge_manifest . write:jira-work
	write_file src/index.js "$INDEX_BASE"
	commit "start the app"
	BASE_SHA=$(git rev-parse HEAD)
	git checkout -q -b feature
	forge_manifest . write:jira-work "$BROAD"
	write_file src/index.js "$INDEX_BANNER"
	commit "show a banner"
	HEAD_SHA=$(git rev-parse HEAD)
}

# start_server PROVIDER SCENARIO-JSON: starts the fake and sets API (its
# base URL, with the provider's API prefix) and SERVER_PID.
start_server()
{
	local provider=$1 prefix
	printf '%s\n' "$2" >"$TEST_DIR/scenario.json"
	rm -f "$TEST_DIR/port"
	python3 "$FAKE_FORGE" --provider "$provider" --scenario "$TEST_DIR/scenario.json" \
		--port-file "$TEST_DIR/port" --log "$TEST_DIR/requests.log" \
		--state "$TEST_DIR/state.json" --lifetime 120 3>&- &
	SERVER_PID=$!
	for _ in $(seq 100); do
		[ -s "$TEST_DIR/port" ] && break
		sleep 0.1
	done
	[ -s "$TEST_DIR/port" ] || { echo "the fake $provider server did not start"; return 1; }
	prefix=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("prefix", ""))' \
		"$TEST_DIR/scenario.json")
	API=http://127.0.0.1:$(cat "$TEST_DIR/port")$prefix
}

stop_server()
{
	if [ -n "${SERVER_PID:-}" ]; then
		kill "$SERVER_PID" 2>/dev/null || true
		wait "$SERVER_PID" 2>/dev/null || true
		SERVER_PID=
	fi
}

# Prints a python3 expression over the fake's state `s` (comments,
# statuses, deleted) and its request log `log` (a list of requests).
pick()
{
	python3 - "$1" "$TEST_DIR/state.json" "$TEST_DIR/requests.log" <<'EOF'
import json, sys
s = json.load(open(sys.argv[2]))
log = [json.loads(line) for line in open(sys.argv[3])]
value = eval(sys.argv[1], {"s": s, "log": log, "json": json})
print(value if isinstance(value, str) else json.dumps(value))
EOF
}

# refute_text TEXT NEEDLE: fails when NEEDLE occurs in TEXT. (A bare `! cmd`
# would not fail a bats test.)
refute_text()
{
	case $1 in
	*"$2"*)
		printf 'unexpected %s in:\n%s\n' "$2" "$1"
		return 1
		;;
	esac
}

# The requests as "METHOD PATH?QUERY" lines, query keys sorted.
requests()
{
	pick '"\n".join(r["method"] + " " + r["path"] + ("?" + "&".join(k + "=" + v for k, v in sorted(r["query"].items())) if r["query"] else "") for r in log)'
}

github()
{
	GITHUB_TOKEN=$TOKEN git jira-scopes comment --provider=github --api-url="$API" \
		--web-url=https://github.com --repo=octo/app --pr=7 --base=main "$@"
}

# Prints the comment body of the fake's state at index $1 as plain text:
# Markdown escapes, code spans and HTML entities removed, so that checks
# read the facts the bot is responsible for, not the report's typography.
plain_comment()
{
	pick 's["comments"]['"$1"']["body"]' | sed -e 's/\\\(.\)/\1/g' -e 's/`//g' \
		-e 's/&lt;/</g' -e 's/&gt;/>/g' -e 's/&amp;/\&/g'
}

# has_line TEXT LINE-REGEX: fails unless a line of TEXT matches (grep -E).
has_line()
{
	if ! printf '%s\n' "$1" | grep -qE -- "$2"; then
		printf 'no line matches %s in:\n%s\n' "$2" "$1"
		return 1
	fi
}

# The usage lines that follow every usage error of `comment`.
USAGE="usage: git jira-scopes comment [--provider=github|gitlab|bitbucket|bitbucket-server]
       [--api-url=URL] [--web-url=URL] [--repo=REPO] [--pr=NUMBER]
       [--base=REV] [--head=REV] [--bot-user=NAME] [--timeout=SECONDS]
       [--dry-run] [--no-status] [--exit-code] [-v]"

@test "github: first run posts the comment and a failing status" {
	start_server github '{"token": "'$TOKEN'"}'
	run --separate-stderr github
	assert_status 0
	assert_equal "posted comment 1001 on GitHub pull request octo/app#7
set commit status jira-scopes on ${HEAD_SHA:0:12} to failure: 1 broad scope added without review" "$output"
	assert_equal "" "$stderr"

	assert_equal "GET /user
GET /repos/octo/app/issues/7/comments?per_page=100
POST /repos/octo/app/issues/7/comments
POST /repos/octo/app/statuses/$HEAD_SHA" "$(requests)"

	body=$(plain_comment 0)
	assert_equal "<!-- jira-scopes-report -->" "$(printf '%s\n' "$body" | head -n 1)"
	has_line "$body" '^\| manage:jira-configuration \| \*\*yes\*\* \| [0-9]+ \| \*\*needed\*\* \|$'
	has_line "$body" '^- \[src/index\.js:6\]\(https://github\.com/octo/app/blob/'$HEAD_SHA'/src/index\.js#L6\): PUT /rest/api/3/announcementBanner$'
	has_line "$body" '^Scopes-Reviewed-by: Name <email>$'

	# --dry-run prints exactly the body that was posted.
	run --separate-stderr github --dry-run
	assert_status 0
	assert_equal "$(pick 's["comments"][0]["body"]')" "$(printf '%s\n' "$output" | sed '1,2d')"

	assert_equal '[{"context": "jira-scopes", "description": "1 broad scope added without review", "sha": "'$HEAD_SHA'", "state": "failure", "target_url": "https://github.com/octo/app/pull/7"}]' \
		"$(pick 'json.dumps(s["statuses"], sort_keys=True)')"
	# The token travels in the Authorization header only.
	assert_equal "Bearer $TOKEN" "$(pick 'log[1]["headers"]["Authorization"]')"
}

@test "github: a re-run updates the same comment" {
	start_server github '{"token": "'$TOKEN'"}'
	run --separate-stderr github
	assert_status 0
	: >"$TEST_DIR/requests.log"
	run --separate-stderr github
	assert_status 0
	assert_equal "updated comment 1001 on GitHub pull request octo/app#7
set commit status jira-scopes on ${HEAD_SHA:0:12} to failure: 1 broad scope added without review" "$output"
	assert_equal "GET /user
GET /repos/octo/app/issues/7/comments?per_page=100
PATCH /repos/octo/app/issues/comments/1001
POST /repos/octo/app/statuses/$HEAD_SHA" "$(requests)"
	assert_equal "[1001]" "$(pick '[c["id"] for c in s["comments"]]')"
}

@test "github: the comment is found on the third page" {
	# Pages of two: four comments by people, then the bot's, then one more.
	start_server github '{"token": "'$TOKEN'", "page_size": 2, "filler": 4,
		"comments": [{"body": "<!-- jira-scopes-report -->\nold report"},
		             {"body": "thanks!", "author": "person"}]}'
	run --separate-stderr github
	assert_status 0
	assert_equal "updated comment 1005 on GitHub pull request octo/app#7" "${lines[0]}"
	assert_equal "GET /user
GET /repos/octo/app/issues/7/comments?per_page=100
GET /repos/octo/app/issues/7/comments?page=2&per_page=2
GET /repos/octo/app/issues/7/comments?page=3&per_page=2
PATCH /repos/octo/app/issues/comments/1005
POST /repos/octo/app/statuses/$HEAD_SHA" "$(requests)"
	assert_equal 6 "$(pick 'len(s["comments"])')"
}

@test "github: a 429 with Retry-After is retried" {
	start_server github '{"token": "'$TOKEN'", "faults": [{"method": "GET", "path": "/comments",
		"status": 429, "headers": {"Retry-After": "1"}, "times": 1,
		"body": {"message": "API rate limit exceeded"}}]}'
	SECONDS=0
	run --separate-stderr github -v
	assert_status 0
	[ "$SECONDS" -ge 1 ]
	assert_equal "posted comment 1001 on GitHub pull request octo/app#7" "${lines[0]}"
	assert_equal "GET /user
GET /repos/octo/app/issues/7/comments?per_page=100
GET /repos/octo/app/issues/7/comments?per_page=100
POST /repos/octo/app/issues/7/comments
POST /repos/octo/app/statuses/$HEAD_SHA" "$(requests)"
	printf '%s\n' "$stderr" | grep -qx "trace: http: retrying GET $API/repos/octo/app/issues/7/comments?per_page=100 in 1 s (attempt 2 of 4)"
}

@test "github: 5xx answers that never end give up with a clear error" {
	start_server github '{"token": "'$TOKEN'", "faults": [{"method": "GET", "path": "/comments",
		"status": 503, "headers": {"Retry-After": "0"}, "times": 10}]}'
	run --separate-stderr github
	assert_status 128
	# The status is still set; the exit status and the last line say what failed.
	assert_equal "set commit status jira-scopes on ${HEAD_SHA:0:12} to failure: 1 broad scope added without review" "$output"
	assert_equal "error: could not list the comments of the pull request: GitHub answered 503 (injected failure) after 4 attempts; try again later
fatal: the comment was not sent; the commit status was set" "$stderr"
	assert_equal 6 "$(pick 'len(log)')"
}

@test "github: a bad token fails clearly and never leaks" {
	start_server github '{"token": "the-right-token"}'
	run --separate-stderr github -v
	assert_status 128
	assert_equal "" "$output"
	printf '%s\n' "$stderr" | grep -qx "error: could not find the account of the token: GitHub answered 401 (Bad credentials): GITHUB_TOKEN was rejected; it is invalid, expired or revoked, or it was created for another server"
	printf '%s\n' "$stderr" | grep -qx "fatal: neither the comment nor the commit status was sent"
	refute_text "$output$stderr" "$TOKEN"
	# The server saw the token in the Authorization header, and nowhere else.
	assert_equal "Bearer $TOKEN" "$(pick 'log[0]["headers"]["Authorization"]')"
	assert_equal "False" "$(pick 'str(any("'$TOKEN'" in json.dumps([r["path"], r["query"], r["body"], {k: v for k, v in r["headers"].items() if k != "Authorization"}]) for r in log))')"
	assert_equal 2 "$(pick 'len(log)')"
}

@test "github: the token is kept off the command line" {
	start_server github '{"token": "'$TOKEN'"}'
	run --separate-stderr github -v
	assert_status 0
	refute_text "$output$stderr" "$TOKEN"
	# Only the documented variable carries it: no option takes a token.
	run --separate-stderr git jira-scopes comment --token="$TOKEN"
	assert_status 129
}

@test "github: 403 and 404 name the missing permission" {
	start_server github '{"token": "'$TOKEN'", "faults": [{"method": "POST", "path": "/statuses/",
		"status": 403, "times": 1, "body": {"message": "Resource not accessible by integration"}}]}'
	run --separate-stderr github
	assert_status 128
	assert_equal "posted comment 1001 on GitHub pull request octo/app#7" "$output"
	assert_equal "error: could not set the commit status: GitHub answered 403 (Resource not accessible by integration): GITHUB_TOKEN lacks a permission; a workflow token needs 'permissions: pull-requests: write' and 'statuses: write'; a personal access token needs the repo scope or the pull requests and commit statuses write permissions
fatal: the comment was sent; the commit status was not set" "$stderr"

	run --separate-stderr github --repo=octo/other --no-status
	assert_status 128
	assert_equal "error: could not list the comments of the pull request: GitHub answered 404 (Not Found): check the repository 'octo/other' and request 7, and that GITHUB_TOKEN can read the repository (private repositories answer 404 to tokens that cannot see them)
fatal: the comment was not sent; the commit status was not requested (--no-status)" "$stderr"
}

@test "github: a reviewed commit turns the failing status to success" {
	start_server github '{"token": "'$TOKEN'"}'
	run --separate-stderr github
	assert_status 0
	git commit -q --allow-empty -m "review the banner scope

Scopes-Reviewed-by: Sam Security <sam@security.example.com>"
	reviewed=$(git rev-parse HEAD)
	run --separate-stderr github --exit-code
	assert_status 0
	assert_equal "updated comment 1001 on GitHub pull request octo/app#7
set commit status jira-scopes on ${reviewed:0:12} to success: broad scopes added with review" "$output"
	assert_equal '[["'$HEAD_SHA'", "failure"], ["'$reviewed'", "success"]]' \
		"$(pick '[[x["sha"], x["state"]] for x in s["statuses"]]')"
	has_line "$(plain_comment 0)" '^\| manage:jira-configuration \| \*\*yes\*\* \| [0-9]+ \| reviewed by Sam Security <sam@security\.example\.com> \|$'
	refute_text "$(plain_comment 0)" 'Scopes-Reviewed-by: Name <email>'
}

@test "github: --exit-code returns 1 while review is missing" {
	start_server github '{"token": "'$TOKEN'"}'
	run --separate-stderr github --exit-code
	assert_status 1
	assert_equal "failure" "$(pick 's["statuses"][0]["state"]')"
}

@test "github: the approval label from the event file approves" {
	git config jira-scopes.approvalLabel scopes-approved
	start_server github '{"token": "'$TOKEN'", "prefix": "/api/v3"}'
	write_file "$TEST_DIR/event.json" '{"action": "labeled", "pull_request": {"number": 7,
		"base": {"sha": "'$BASE_SHA'"}, "head": {"sha": "'$HEAD_SHA'"},
		"labels": [{"name": "bug"}, {"name": "scopes-approved"}]}}'
	GITHUB_ACTIONS=true GITHUB_EVENT_PATH=$TEST_DIR/event.json GITHUB_REPOSITORY=octo/app \
		GITHUB_API_URL=$API GITHUB_SERVER_URL=https://github.example.com GITHUB_TOKEN=$TOKEN \
		run --separate-stderr git jira-scopes comment
	assert_status 0
	assert_equal "posted comment 1001 on GitHub pull request octo/app#7
set commit status jira-scopes on ${HEAD_SHA:0:12} to success: broad scopes added with review" "$output"
	# GitHub Enterprise Server: the API under /api/v3, links to the web host.
	assert_equal "GET /api/v3/user
GET /api/v3/repos/octo/app/issues/7/comments?per_page=100
POST /api/v3/repos/octo/app/issues/7/comments
POST /api/v3/repos/octo/app/statuses/$HEAD_SHA" "$(requests)"
	has_line "$(plain_comment 0)" '^\| manage:jira-configuration \| \*\*yes\*\* \| [0-9]+ \| reviewed by the approval label scopes-approved \|$'
	pick 's["comments"][0]["body"]' | grep -qF "(https://github.example.com/octo/app/blob/$HEAD_SHA/src/index.js#L6)"
	assert_equal "https://github.example.com/octo/app/pull/7" "$(pick 's["statuses"][0]["target_url"]')"
}

@test "github: labels are read from the API when the event has none" {
	git config jira-scopes.approvalLabel scopes-approved
	start_server github '{"token": "'$TOKEN'", "labels": ["scopes-approved"]}'
	run --separate-stderr github
	assert_status 0
	assert_equal "GET /repos/octo/app/issues/7/labels?per_page=100
GET /user
GET /repos/octo/app/issues/7/comments?per_page=100
POST /repos/octo/app/issues/7/comments
POST /repos/octo/app/statuses/$HEAD_SHA" "$(requests)"
	assert_equal "success" "$(pick 's["statuses"][0]["state"]')"
}

@test "github: an oversized report is cut to the comment limit" {
	# 300 apps that each add the broad scope: too long even once the writer
	# has shortened every call-site list, so the text itself is cut.
	for i in $(seq 300); do
		forge_manifest "apps/app$i" write:jira-work "$BROAD"
		write_file "apps/app$i/src/index.js" "$INDEX_BANNER"
	done
	commit "add many apps"
	start_server github '{"token": "'$TOKEN'"}'
	run --separate-stderr github
	assert_status 0
	length=$(pick 'len(s["comments"][0]["body"])')
	[ "$length" -le 65536 ]
	[ "$length" -ge 60000 ]
	assert_equal "<!-- jira-scopes-report -->" "$(pick 's["comments"][0]["body"].splitlines()[0]')"
	# The review request comes after the cut, whole.
	assert_equal "*This report was cut to fit the comment size limit. Run \`git jira-scopes diff\` locally for the full report.*

**Review needed:** a broad scope is added. A reviewer allowed by the policy, who did not author the change, adds this trailer to a commit of the request:

\`\`\`
Scopes-Reviewed-by: Name <email>
\`\`\`" "$(pick '"\n".join(s["comments"][0]["body"].rstrip().splitlines()[-7:])')"

	# The note on a missing reviewer has its room kept too.
	git config --unset jira-scopes.reviewer
	run --separate-stderr github
	assert_status 0
	length=$(pick 'len(s["comments"][0]["body"])')
	[ "$length" -le 65536 ]
	assert_equal "Scopes-Reviewed-by: Name <email>
\`\`\`

**No reviewer is configured**, so no trailer can approve a broad scope. To allow reviewers, the CI job runs \`git config jira-scopes.reviewer 'EMAIL-GLOB'\` before the bot. Until then nothing clears the status; setting \`jira-scopes.approvalLabel\` lets a label do it." \
		"$(pick '"\n".join(s["comments"][0]["body"].rstrip().splitlines()[-4:])')"
}

@test "github: a duplicate comment is removed" {
	start_server github '{"token": "'$TOKEN'", "comments": [
		{"body": "<!-- jira-scopes-report -->\nfirst"},
		{"body": "<!-- jira-scopes-report -->\nsecond"}]}'
	run --separate-stderr github --no-status
	assert_status 0
	assert_equal "updated comment 1001 on GitHub pull request octo/app#7
deleted duplicate comment 1002" "$output"
	assert_equal "[1001]" "$(pick '[c["id"] for c in s["comments"]]')"
	assert_equal "[]" "$(pick 's["statuses"]')"
}

@test "github: no scope change and no comment posts nothing" {
	git checkout -q main
	git checkout -q -b docs
	write_file README.md "An app."
	commit "describe the app"
	start_server github '{"token": "'$TOKEN'"}'
	run --separate-stderr github
	assert_status 0
	head=$(git rev-parse HEAD)
	assert_equal "no scope change: no comment on GitHub pull request octo/app#7
set commit status jira-scopes on ${head:0:12} to success: no broad scope added without review" "$output"
	assert_equal "GET /user
GET /repos/octo/app/issues/7/comments?per_page=100
POST /repos/octo/app/statuses/$head" "$(requests)"
}

@test "--dry-run without a token prints the comment and status and changes nothing" {
	start_server github '{"token": "'$TOKEN'"}'
	run --separate-stderr git jira-scopes comment --provider=github --api-url="$API" \
		--web-url=https://github.com --repo=octo/app --pr=7 --base=main --dry-run
	assert_status 0
	assert_equal "dry run: would set commit status 'jira-scopes' on $HEAD_SHA to failure: 1 broad scope added without review" "${lines[0]}"
	assert_equal "dry run: would post or update the comment on GitHub pull request octo/app#7:" "${lines[1]}"
	assert_equal "<!-- jira-scopes-report -->" "${lines[2]}"
	has_line "$output" '^\| `?manage\\?:jira\\?-configuration`? \| \*\*yes\*\* \| [0-9]+ \| \*\*needed\*\* \|$'
	has_line "$output" '\(https://github\.com/octo/app/blob/'$HEAD_SHA'/src/index\.js#L6\)'
	assert_equal "" "$stderr"
	assert_equal 0 "$(pick 'len(log)')"
}

@test "plain http to a host other than loopback is refused" {
	GITHUB_TOKEN=$TOKEN run --separate-stderr git jira-scopes comment --provider=github \
		--api-url=http://api.example.com --repo=octo/app --pr=7 --base=main
	assert_status 128
	assert_equal "fatal: refusing plain http to 'http://api.example.com': use https (plain http is allowed only to 127.0.0.1, ::1 or localhost)" "$stderr"
}

@test "missing request details are usage errors with a hint" {
	run --separate-stderr git jira-scopes comment --base=main
	assert_status 128
	assert_equal "fatal: no provider: not running in GitHub Actions, GitLab CI or Bitbucket Pipelines; pass --provider=github|gitlab|bitbucket|bitbucket-server" "$stderr"
	run --separate-stderr git jira-scopes comment --provider=gitlab --repo=group/app --base=main
	assert_status 128
	assert_equal "fatal: no pull request number for GitLab: run on a pull request event or pass --pr=NUMBER" "$stderr"
	run --separate-stderr git jira-scopes comment --provider=jira
	assert_status 129
}

@test "gitlab: CI variables locate the merge request and its labels" {
	git config jira-scopes.approvalLabel scopes-approved
	start_server gitlab '{"token": "'$TOKEN'", "prefix": "/api/v4", "project_id": 42,
		"page_size": 1, "filler": 2}'
	GITLAB_CI=true CI_API_V4_URL=$API CI_PROJECT_ID=42 CI_MERGE_REQUEST_IID=7 \
		CI_MERGE_REQUEST_DIFF_BASE_SHA=$BASE_SHA CI_COMMIT_SHA=$HEAD_SHA \
		CI_MERGE_REQUEST_LABELS=frontend,scopes-approved \
		CI_PROJECT_URL=https://gitlab.example.com/group/app GITLAB_TOKEN=$TOKEN \
		run --separate-stderr git jira-scopes comment
	assert_status 0
	assert_equal "posted comment 1003 on GitLab merge request 42!7
set commit status jira-scopes on ${HEAD_SHA:0:12} to success: broad scopes added with review" "$output"
	assert_equal "GET /api/v4/user
GET /api/v4/projects/42/merge_requests/7/notes?order_by=created_at&per_page=100&sort=asc
GET /api/v4/projects/42/merge_requests/7/notes?order_by=created_at&page=2&per_page=100&sort=asc
POST /api/v4/projects/42/merge_requests/7/notes
POST /api/v4/projects/42/statuses/$HEAD_SHA" "$(requests)"
	assert_equal "$TOKEN" "$(pick 'log[0]["headers"]["PRIVATE-TOKEN"]')"
	assert_equal '{"description": "broad scopes added with review", "name": "jira-scopes", "sha": "'$HEAD_SHA'", "state": "success", "target_url": "https://gitlab.example.com/group/app/-/merge_requests/7"}' \
		"$(pick 'json.dumps(s["statuses"][0], sort_keys=True)')"
	pick 's["comments"][2]["body"]' | grep -qF "(https://gitlab.example.com/group/app/-/blob/$HEAD_SHA/src/index.js#L6)"
	assert_equal "<!-- jira-scopes-report -->" "$(pick 's["comments"][2]["body"].splitlines()[0]')"
}

@test "gitlab: a failing status uses the state failed, labels from the API" {
	git config jira-scopes.approvalLabel scopes-approved
	start_server gitlab '{"token": "'$TOKEN'", "prefix": "/api/v4", "repo": "group/app",
		"labels": ["frontend"]}'
	GITLAB_TOKEN=$TOKEN run --separate-stderr git jira-scopes comment --provider=gitlab \
		--api-url="$API" --repo=group/app --pr=7 --base=main
	assert_status 0
	assert_equal "GET /api/v4/projects/group%2Fapp/merge_requests/7
GET /api/v4/user
GET /api/v4/projects/group%2Fapp/merge_requests/7/notes?order_by=created_at&per_page=100&sort=asc
POST /api/v4/projects/group%2Fapp/merge_requests/7/notes
POST /api/v4/projects/group%2Fapp/statuses/$HEAD_SHA" "$(requests)"
	assert_equal "failed" "$(pick 's["statuses"][0]["state"]')"
	pick 's["comments"][0]["body"]' | grep -qF "(http://127.0.0.1:$(cat "$TEST_DIR/port")/group/app/-/blob/$HEAD_SHA/src/index.js#L6)"
}

@test "gitlab: CI_JOB_TOKEN alone is explained" {
	CI_JOB_TOKEN=job-token-value run --separate-stderr git jira-scopes comment --provider=gitlab \
		--repo=42 --pr=7 --base=main
	assert_status 128
	assert_equal "fatal: GITLAB_TOKEN is not set, and CI_JOB_TOKEN cannot post merge request notes or commit statuses: create a project access token with the 'api' scope and the Developer role, and store it as a masked CI/CD variable named GITLAB_TOKEN" "$stderr"
}

@test "bitbucket: Pipelines variables, the link marker and a build status" {
	start_server bitbucket '{"token": "'$TOKEN'", "prefix": "/2.0", "page_size": 2, "filler": 3}'
	BITBUCKET_BUILD_NUMBER=12 BITBUCKET_REPO_FULL_NAME=team/app BITBUCKET_PR_ID=7 \
		BITBUCKET_COMMIT=${HEAD_SHA:0:12} BITBUCKET_PR_DESTINATION_COMMIT=${BASE_SHA:0:12} \
		BITBUCKET_TOKEN=$TOKEN run --separate-stderr git jira-scopes comment --api-url="$API"
	assert_status 0
	assert_equal "posted comment 1004 on Bitbucket Cloud pull request team/app#7
set commit status jira-scopes on ${HEAD_SHA:0:12} to failure: 1 broad scope added without review" "$output"
	assert_equal "GET /2.0/user
GET /2.0/repositories/team/app/pullrequests/7/comments?pagelen=100
GET /2.0/repositories/team/app/pullrequests/7/comments?page=2&pagelen=2
POST /2.0/repositories/team/app/pullrequests/7/comments
POST /2.0/repositories/team/app/commit/$HEAD_SHA/statuses/build" "$(requests)"
	assert_equal "[//]: # (jira-scopes-report)" "$(pick 's["comments"][3]["body"].splitlines()[0]')"
	pick 's["comments"][3]["body"]' | grep -qF "(http://127.0.0.1:$(cat "$TEST_DIR/port")/team/app/src/$HEAD_SHA/src/index.js#lines-6)"
	assert_equal '{"description": "1 broad scope added without review", "key": "jira-scopes", "sha": "'$HEAD_SHA'", "state": "FAILED", "url": "http://127.0.0.1:'$(cat "$TEST_DIR/port")'/team/app/pull-requests/7"}' \
		"$(pick 'json.dumps(s["statuses"][0], sort_keys=True)')"

	# A second run finds the comment on the second page and updates it.
	: >"$TEST_DIR/requests.log"
	BITBUCKET_BUILD_NUMBER=13 BITBUCKET_REPO_FULL_NAME=team/app BITBUCKET_PR_ID=7 \
		BITBUCKET_COMMIT=${HEAD_SHA:0:12} BITBUCKET_PR_DESTINATION_COMMIT=${BASE_SHA:0:12} \
		BITBUCKET_TOKEN=$TOKEN run --separate-stderr git jira-scopes comment --api-url="$API"
	assert_status 0
	assert_equal "updated comment 1004 on Bitbucket Cloud pull request team/app#7" "${lines[0]}"
	assert_equal 4 "$(pick 'len(s["comments"])')"
}

@test "bitbucket: an app password is sent as basic authentication" {
	start_server bitbucket '{"token": "unused", "basic": "ci-bot:app-pass-1234", "prefix": "/2.0"}'
	BITBUCKET_USER=ci-bot BITBUCKET_APP_PASSWORD=app-pass-1234 run --separate-stderr \
		git jira-scopes -v comment --provider=bitbucket --api-url="$API" --repo=team/app --pr=7 \
		--base=main
	assert_status 0
	assert_equal "Basic $(printf 'ci-bot:app-pass-1234' | base64)" "$(pick 'log[0]["headers"]["Authorization"]')"
	refute_text "$output$stderr" "app-pass-1234"
}

@test "bitbucket-server: a 409 is retried once with the fresh version" {
	start_server bitbucket-server '{"token": "'$TOKEN'", "repo": "PROJ/app", "page_size": 2,
		"filler": 3, "stale_version_on_put": true,
		"comments": [{"body": "[//]: # (jira-scopes-report)\n\nold report", "version": 3}]}'
	BITBUCKET_TOKEN=$TOKEN run --separate-stderr git jira-scopes comment \
		--provider=bitbucket-server --api-url="$API" --repo=PROJ/app --pr=7 --base=main
	assert_status 0
	assert_equal "updated comment 1004 on Bitbucket Data Center pull request PROJ/app#7
set commit status jira-scopes on ${HEAD_SHA:0:12} to failure: 1 broad scope added without review" "$output"
	assert_equal "GET /rest/api/1.0/projects/PROJ/repos/app/pull-requests/7
GET /rest/api/1.0/projects/PROJ/repos/app/pull-requests/7/activities?limit=100&start=0
GET /rest/api/1.0/projects/PROJ/repos/app/pull-requests/7/activities?limit=100&start=2
GET /rest/api/1.0/projects/PROJ/repos/app/pull-requests/7/activities?limit=100&start=4
PUT /rest/api/1.0/projects/PROJ/repos/app/pull-requests/7/comments/1004
GET /rest/api/1.0/projects/PROJ/repos/app/pull-requests/7/comments/1004
PUT /rest/api/1.0/projects/PROJ/repos/app/pull-requests/7/comments/1004
POST /rest/build-status/1.0/commits/$HEAD_SHA" "$(requests)"
	assert_equal "[3, 4]" "$(pick '[r["body"]["version"] for r in log if r["method"] == "PUT"]')"
	assert_equal 5 "$(pick '[c for c in s["comments"] if c["id"] == 1004][0]["version"]')"
	pick '[c for c in s["comments"] if c["id"] == 1004][0]["body"]' | grep -qF "(http://127.0.0.1:$(cat "$TEST_DIR/port")/projects/PROJ/repos/app/browse/src/index.js?at=$HEAD_SHA#6)"
	assert_equal '{"description": "1 broad scope added without review", "key": "jira-scopes", "sha": "'$HEAD_SHA'", "state": "FAILED", "url": "http://127.0.0.1:'$(cat "$TEST_DIR/port")'/projects/PROJ/repos/app/pull-requests/7"}' \
		"$(pick 'json.dumps(s["statuses"][0], sort_keys=True)')"
}

@test "bitbucket-server: needs --api-url and a PROJECT/REPO" {
	BITBUCKET_TOKEN=$TOKEN run --separate-stderr git jira-scopes comment \
		--provider=bitbucket-server --repo=PROJ/app --pr=7 --base=main
	assert_status 128
	assert_equal "fatal: no API URL for Bitbucket Data Center: pass --api-url=https://HOST" "$stderr"
	BITBUCKET_TOKEN=$TOKEN run --separate-stderr git jira-scopes comment \
		--provider=bitbucket-server --api-url=https://bitbucket.example.com --repo=app --pr=7 --base=main
	assert_status 128
	assert_equal "fatal: invalid repository 'app' for Bitbucket Data Center: expected PROJECT/REPO" "$stderr"
}

@test "--pr takes a positive number only" {
	for pr in abc 7a deadbeef 0 07 -7 ''; do
		run --separate-stderr git jira-scopes comment --provider=github --repo=octo/app \
			--pr="$pr" --base=main --dry-run
		assert_status 129
		assert_equal "" "$output"
		assert_equal "error: invalid --pr '$pr': expected the number of the pull or merge request, such as --pr=7
$USAGE" "$stderr"
	done
	# A CI variable gets the same check, as a fatal error: no option was wrong.
	BITBUCKET_BUILD_NUMBER=12 BITBUCKET_REPO_FULL_NAME=team/app BITBUCKET_PR_ID=7a \
		BITBUCKET_COMMIT=$HEAD_SHA BITBUCKET_PR_DESTINATION_COMMIT=$BASE_SHA \
		run --separate-stderr git jira-scopes comment --dry-run
	assert_status 128
	assert_equal "fatal: invalid pull request number '7a': expected a positive number such as 7" "$stderr"
	GITLAB_CI=true CI_PROJECT_ID=42 CI_MERGE_REQUEST_IID=abc CI_MERGE_REQUEST_DIFF_BASE_SHA=$BASE_SHA \
		CI_COMMIT_SHA=$HEAD_SHA run --separate-stderr git jira-scopes comment --dry-run
	assert_status 128
	assert_equal "fatal: invalid merge request number 'abc': expected a positive number such as 7" "$stderr"
}

@test "gitlab: messages and --dry-run name the merge request GROUP/REPO!N" {
	run --separate-stderr git jira-scopes comment --provider=gitlab --repo=group/app --pr=7 \
		--base=main --dry-run
	assert_status 0
	assert_equal "dry run: would set commit status 'jira-scopes' on $HEAD_SHA to failure: 1 broad scope added without review
dry run: would post or update the comment on GitLab merge request group/app!7:
<!-- jira-scopes-report -->" "$(printf '%s\n' "$output" | head -n 3)"

	git checkout -q main
	run --separate-stderr git jira-scopes comment --provider=gitlab --repo=group/app --pr=7 \
		--base=main --dry-run --no-status
	assert_status 0
	assert_equal "dry run: no commit status (--no-status)
dry run: no scope change: would update an earlier comment on GitLab merge request group/app!7, and post none if there is none:" \
		"$(printf '%s\n' "$output" | head -n 2)"

	run --separate-stderr git jira-scopes comment --provider=gitlab --repo=group/app --pr=7
	assert_status 128
	assert_equal "fatal: no base revision for GitLab merge request group/app!7: pass --base=REV (the target branch)" "$stderr"
}

@test "gitlab: the API URL may leave out /api/v4" {
	start_server gitlab '{"token": "'$TOKEN'", "prefix": "/api/v4", "repo": "group/app"}'
	GITLAB_TOKEN=$TOKEN run --separate-stderr git jira-scopes comment --provider=gitlab \
		--api-url="${API%/api/v4}/" --repo=group/app --pr=7 --base=main
	assert_status 0
	assert_equal "posted comment 1001 on GitLab merge request group/app!7
set commit status jira-scopes on ${HEAD_SHA:0:12} to failure: 1 broad scope added without review" "$output"
	assert_equal "GET /api/v4/user
GET /api/v4/projects/group%2Fapp/merge_requests/7/notes?order_by=created_at&per_page=100&sort=asc
POST /api/v4/projects/group%2Fapp/merge_requests/7/notes
POST /api/v4/projects/group%2Fapp/statuses/$HEAD_SHA" "$(requests)"
	# The status links to the merge request page, on the server of the API.
	assert_equal "${API%/api/v4}/group/app/-/merge_requests/7" "$(pick 's["statuses"][0]["target_url"]')"
}

@test "bitbucket-server: the API URL may end in /rest/api/1.0, under a context path" {
	start_server bitbucket-server '{"token": "'$TOKEN'", "repo": "PROJ/app", "prefix": "/bitbucket"}'
	BITBUCKET_TOKEN=$TOKEN run --separate-stderr git jira-scopes comment \
		--provider=bitbucket-server --api-url="$API/rest/api/1.0" --repo=PROJ/app --pr=7 --base=main
	assert_status 0
	assert_equal "posted comment 1001 on Bitbucket Data Center pull request PROJ/app#7
set commit status jira-scopes on ${HEAD_SHA:0:12} to failure: 1 broad scope added without review" "$output"
	assert_equal "GET /bitbucket/rest/api/1.0/projects/PROJ/repos/app/pull-requests/7
GET /bitbucket/rest/api/1.0/projects/PROJ/repos/app/pull-requests/7/activities?limit=100&start=0
POST /bitbucket/rest/api/1.0/projects/PROJ/repos/app/pull-requests/7/comments
POST /bitbucket/rest/build-status/1.0/commits/$HEAD_SHA" "$(requests)"
	assert_equal "$API/projects/PROJ/repos/app/pull-requests/7" "$(pick 's["statuses"][0]["url"]')"
	pick 's["comments"][0]["body"]' | grep -qF "($API/projects/PROJ/repos/app/browse/src/index.js?at=$HEAD_SHA#6)"

	# The other spellings reach the same comment.
	for api in "$API/rest/api/latest/" "$API/"; do
		: >"$TEST_DIR/requests.log"
		BITBUCKET_TOKEN=$TOKEN run --separate-stderr git jira-scopes comment \
			--provider=bitbucket-server --api-url="$api" --repo=PROJ/app --pr=7 --base=main \
			--no-status
		assert_status 0
		assert_equal "updated comment 1001 on Bitbucket Data Center pull request PROJ/app#7" "$output"
		assert_equal "GET /bitbucket/rest/api/1.0/projects/PROJ/repos/app/pull-requests/7
GET /bitbucket/rest/api/1.0/projects/PROJ/repos/app/pull-requests/7/activities?limit=100&start=0
PUT /bitbucket/rest/api/1.0/projects/PROJ/repos/app/pull-requests/7/comments/1001" "$(requests)"
	done
}

@test "credentials in a URL are refused and never shown" {
	start_server github '{"token": "'$TOKEN'"}'
	port=$(cat "$TEST_DIR/port")
	GITHUB_TOKEN=$TOKEN run --separate-stderr git jira-scopes -v comment --provider=github \
		--api-url="http://bot:$TOKEN@127.0.0.1:$port" --repo=octo/app --pr=7 --base=main
	assert_status 128
	assert_equal "" "$output"
	assert_equal "fatal: the URL of '127.0.0.1' contains a user name or password: remove it and pass the credential in its environment variable" "$stderr"

	GITHUB_TOKEN=$TOKEN run --separate-stderr git jira-scopes -v comment --provider=github \
		--api-url="$API" --web-url="https://$TOKEN@github.example.com" --repo=octo/app --pr=7 \
		--base=main
	assert_status 128
	assert_equal "fatal: the URL of 'github.example.com' contains a user name or password: remove it and pass the credential in its environment variable" "$stderr"

	GITLAB_TOKEN=$TOKEN run --separate-stderr git jira-scopes -v comment --provider=gitlab \
		--api-url="http://127.0.0.1:$port/api/v4?private_token=$TOKEN" --repo=group/app --pr=7 \
		--base=main
	assert_status 128
	assert_equal "fatal: the base URL 'http://127.0.0.1:$port/api/v4' has a query or fragment: give it without '?' or '#'" "$stderr"
	assert_equal 0 "$(pick 'len(log)')"
}

@test "without a configured reviewer the comment says what can clear the status" {
	git config --unset jira-scopes.reviewer
	start_server github '{"token": "'$TOKEN'"}'
	run --separate-stderr github
	assert_status 0
	assert_equal "posted comment 1001 on GitHub pull request octo/app#7
set commit status jira-scopes on ${HEAD_SHA:0:12} to failure: 1 broad scope added without review" "$output"
	assert_equal "Scopes-Reviewed-by: Name <email>
\`\`\`

**No reviewer is configured**, so no trailer can approve a broad scope. To allow reviewers, the CI job runs \`git config jira-scopes.reviewer 'EMAIL-GLOB'\` before the bot. Until then nothing clears the status; setting \`jira-scopes.approvalLabel\` lets a label do it." \
		"$(pick '"\n".join(s["comments"][0]["body"].rstrip().splitlines()[-4:])')"

	# With an approval label configured, the label is what remains.
	git config jira-scopes.approvalLabel scopes-approved
	run --separate-stderr github
	assert_status 0
	assert_equal "**No reviewer is configured**, so no trailer can approve a broad scope. To allow reviewers, the CI job runs \`git config jira-scopes.reviewer 'EMAIL-GLOB'\` before the bot. Until then only the label \`scopes-approved\` can clear the status." \
		"$(pick 's["comments"][0]["body"].rstrip().splitlines()[-1]')"

	# Once the label is on the request, nothing needs review: no note.
	stop_server
	start_server github '{"token": "'$TOKEN'", "labels": ["scopes-approved"]}'
	run --separate-stderr github
	assert_status 0
	assert_equal "set commit status jira-scopes on ${HEAD_SHA:0:12} to success: broad scopes added with review" "${lines[1]}"
	refute_text "$(pick 's["comments"][0]["body"]')" "No reviewer"

	# Bitbucket has no labels at all.
	run --separate-stderr git jira-scopes comment --provider=bitbucket --repo=team/app --pr=7 \
		--base=main --dry-run
	assert_status 0
	assert_equal "**No reviewer is configured**, so no trailer can approve a broad scope. To allow reviewers, the CI job runs \`git config jira-scopes.reviewer 'EMAIL-GLOB'\` before the bot. Until then nothing clears the status: Bitbucket Cloud has no labels to approve with." \
		"${lines[${#lines[@]}-1]}"
}

# Prints PATH without the folders that hold a git-jira-scopes binary, so that
# `git jira-scopes` finds only what a CI template built.
path_without_gjs()
{
	local dir out='' IFS=:
	for dir in $PATH; do
		if [ -e "$dir/git-jira-scopes" ] || [ -e "$dir/git-jira-scopes-comment" ]; then
			continue
		fi
		out=${out:+$out:}$dir
	done
	printf '%s\n' "$out"
}

# ci_script FILE WHAT: prints the shell commands of a CI template, read the
# way the CI reads them (PyYAML is no test dependency, and both templates
# keep to plain block scalars and lists). WHAT is "step:NAME" for the run
# script of a GitHub Actions step, or "job:NAME" for the before_script and
# script of a GitLab job, without the apt-get lines: this suite installs
# nothing.
ci_script()
{
	python3 - "$1" "$2" <<'PY'
import re, sys

lines = open(sys.argv[1]).read().split("\n")
kind, name = sys.argv[2].split(":", 1)

def indent(line):
    return len(line) - len(line.lstrip(" "))

def block(at, parent):
    """The lines after `at` indented deeper than `parent`, dedented."""
    body = []
    for line in lines[at + 1:]:
        if line.strip() and indent(line) <= parent:
            break
        body.append(line)
    while body and not body[-1].strip():
        body.pop()
    cut = min((indent(l) for l in body if l.strip()), default=0)
    return [l[cut:] for l in body]

def items(at, parent):
    """The items of the block list under line `at`, '>' folded."""
    out = []
    body = block(at, parent)
    i = 0
    while i < len(body):
        line = body[i]
        i += 1
        if not line.startswith("- "):
            continue
        text = line[2:]
        if text.strip() == ">":
            folded = []
            while i < len(body) and not body[i].startswith("- ") and not body[i].startswith("#"):
                folded.append(body[i].strip())
                i += 1
            text = " ".join(folded)
        out.append(text)
    return out

if kind == "step":
    at = next(i for i, l in enumerate(lines) if l.strip() == "- name: " + name)
    run = next(i for i in range(at, len(lines)) if lines[i].strip() == "run: |")
    print("\n".join(block(run, indent(lines[run]))))
else:
    job = next(i for i, l in enumerate(lines) if l == name + ":")
    for key in ("before_script:", "script:"):
        at = next(i for i in range(job, len(lines)) if lines[i].strip() == key)
        for item in items(at, indent(lines[at])):
            if not item.startswith("apt-get"):
                print(item)
PY
}

# Lets a template's own make build quickly: its flags stay, and this suite's
# outer make (SANITIZE=1 say) is not passed down.
quick_make_env()
{
	unset MAKELEVEL MFLAGS
	export MAKEFLAGS="-- OPT=-O0"
}

@test "the GitHub Action builds both binaries and comments through them" {
	action=$BATS_TEST_DIRNAME/../../pkg/github-action/action.yml
	build=$(ci_script "$action" "step:Build git-jira-scopes")
	comment=$(ci_script "$action" "step:Comment on the pull request")
	quick_make_env
	mkdir "$TEST_DIR/runner"
	: >"$TEST_DIR/github_path"
	RUNNER_TEMP=$TEST_DIR/runner GITHUB_ACTION_PATH=$(dirname "$action") \
		GITHUB_PATH=$TEST_DIR/github_path run bash --noprofile --norc -eo pipefail -c "$build"
	assert_status 0
	assert_equal "$TEST_DIR/runner/git-jira-scopes-build" "$(cat "$TEST_DIR/github_path")"

	start_server github '{"token": "'$TOKEN'"}'
	write_file "$TEST_DIR/event.json" '{"action": "opened", "pull_request": {"number": 7,
		"base": {"sha": "'$BASE_SHA'"}, "head": {"sha": "'$HEAD_SHA'"}, "labels": []}}'
	PATH=$(paste -sd: "$TEST_DIR/github_path"):$(path_without_gjs) \
		GITHUB_ACTIONS=true GITHUB_EVENT_PATH=$TEST_DIR/event.json GITHUB_REPOSITORY=octo/app \
		GITHUB_API_URL=$API GITHUB_SERVER_URL=https://github.com GITHUB_TOKEN=$TOKEN \
		JIRA_SCOPES_EXIT_CODE=false JIRA_SCOPES_STATUS=true JIRA_SCOPES_DRY_RUN=false \
		JIRA_SCOPES_VERBOSE=false run --separate-stderr bash --noprofile --norc -eo pipefail \
		-c "$comment"
	assert_status 0
	assert_equal "posted comment 1001 on GitHub pull request octo/app#7
set commit status jira-scopes on ${HEAD_SHA:0:12} to failure: 1 broad scope added without review" "$output"
	assert_equal "" "$stderr"
}

@test "the GitLab CI template builds both binaries and comments through them" {
	template=$BATS_TEST_DIRNAME/../../pkg/gitlab-ci.yml
	script=$(ci_script "$template" "job:jira-scopes")
	# The clone and the build go to $JIRA_SCOPES_DIR, which a test can move.
	refute_text "$script" "/opt/"

	# The template clones git-jira-scopes: a repository of this source tree.
	top=$BATS_TEST_DIRNAME/../..
	mkdir "$TEST_DIR/source"
	cp -R "$top/Makefile" "$top/plugin" "$top/include" "$top/pkg" "$TEST_DIR/source/"
	git -C "$TEST_DIR/source" init -q -b main
	git -C "$TEST_DIR/source" add -A
	git -C "$TEST_DIR/source" commit -q -m "git-jira-scopes"

	start_server gitlab '{"token": "'$TOKEN'", "prefix": "/api/v4", "project_id": 42}'
	quick_make_env
	PATH=$(path_without_gjs) JIRA_SCOPES_SOURCE=file://$TEST_DIR/source JIRA_SCOPES_REF=main \
		JIRA_SCOPES_DIR=$TEST_DIR/opt/git-jira-scopes JIRA_SCOPES_ARGS=--no-status \
		CI_PROJECT_DIR=$PWD GITLAB_CI=true CI_API_V4_URL=$API CI_PROJECT_ID=42 \
		CI_MERGE_REQUEST_IID=7 CI_MERGE_REQUEST_DIFF_BASE_SHA=$BASE_SHA CI_COMMIT_SHA=$HEAD_SHA \
		CI_PROJECT_URL=https://gitlab.example.com/group/app GITLAB_TOKEN=$TOKEN \
		run --separate-stderr bash --noprofile --norc -eo pipefail -c "$script"
	assert_status 0
	assert_equal "posted comment 1001 on GitLab merge request 42!7" "$output"
	assert_equal "" "$stderr"
}

@test "comment --help describes every option and each API URL form" {
	run --separate-stderr git jira-scopes comment --help
	assert_status 0
	assert_equal "" "$stderr"
	assert_equal "$(cat <<'EOF'
usage: git jira-scopes comment [--provider=github|gitlab|bitbucket|bitbucket-server]
       [--api-url=URL] [--web-url=URL] [--repo=REPO] [--pr=NUMBER]
       [--base=REV] [--head=REV] [--bot-user=NAME] [--timeout=SECONDS]
       [--dry-run] [--no-status] [--exit-code] [-v]

Posts the scope report of BASE...HEAD on a pull or merge request as one
comment, updated on every run (none is posted while no scope changes),
and sets the commit status 'jira-scopes' on HEAD. In GitHub Actions,
GitLab CI and Bitbucket Pipelines the options come from the environment;
these override it:

    --provider=NAME   github, gitlab, bitbucket (Cloud) or bitbucket-server
                      (Data Center, which always needs --api-url and --repo)
    --api-url=URL     REST API base, https (plain http only to loopback),
                      with no user name, password or query in it; in CI it
                      comes from GITHUB_API_URL or CI_API_V4_URL:
                      github: https://api.github.com (default), or
                        https://HOST/api/v3 on GitHub Enterprise Server
                      gitlab: https://HOST/api/v4 (default
                        https://gitlab.com/api/v4); /api/v4 is added when
                        missing
                      bitbucket: https://api.bitbucket.org/2.0 (default)
                      bitbucket-server: https://HOST, with the context
                        path if any; a trailing /rest/api/1.0 or
                        /rest/api/latest is removed
    --web-url=URL     web base of links to files and to the request, when it
                      cannot be derived: https://HOST, or the project URL
                      for a numeric GitLab project id
    --repo=REPO       OWNER/REPO, GitLab project id or path, WORKSPACE/REPO,
                      or PROJECT/REPO on Bitbucket Data Center
    --pr=NUMBER       pull or merge request number: digits, such as 7
    --base=REV        target branch revision; its merge base with HEAD is
                      compared
    --head=REV        revision under review (default HEAD)
    --bot-user=NAME   the account the token posts as (GitHub login, GitLab
                      user name, Bitbucket Cloud uuid or account id,
                      Bitbucket Data Center user name or slug), when the
                      forge cannot tell it; only its comments are updated
                      or deleted
    --timeout=SECONDS time for all requests of the run, waits included
                      (default 300, or GJS_COMMENT_TIMEOUT)
    --dry-run         print the comment and status and change nothing;
                      with a token it still reads labels (GET requests only)
    --no-status       post the comment only
    --exit-code       exit with 1 when the status is a failure
    -v, --verbose     trace each HTTP request (never its headers)

The status fails while a broad scope is added without review. A review is
a trailer (jira-scopes.trailer, default Scopes-Reviewed-by) in a commit of
the request naming a reviewer that jira-scopes.reviewer allows and that
did not author the change, or, on GitHub and GitLab, the label named by
jira-scopes.approvalLabel.

The bot updates only its own comment: one that starts with its marker and
was written by the token's account (GET /user on GitHub, GitLab and
Bitbucket Cloud; the X-AUSERNAME header on Bitbucket Data Center; a
workflow's GITHUB_TOKEN posts as github-actions[bot]). When the account
is unknown, it updates a marker comment of a bot account, deletes none,
and otherwise posts a new one.

Tokens: GITHUB_TOKEN, GITLAB_TOKEN, BITBUCKET_TOKEN (or BITBUCKET_USER and
BITBUCKET_APP_PASSWORD for Bitbucket Cloud).
EOF
)" "$output"
}

MARK='<!-- jira-scopes-report -->'

@test "github: marker comments of other people are never adopted" {
	# A person quoting the marker, and a fake report from someone else.
	start_server github '{"token": "'$TOKEN'", "comments": [
		{"body": "<!-- jira-scopes-report -->\nI quote the bot here", "author": "alice"},
		{"body": "<!-- jira-scopes-report -->\nNo scope changes", "author": "mallory"}]}'
	run --separate-stderr github --no-status
	assert_status 0
	assert_equal "posted comment 1003 on GitHub pull request octo/app#7" "$output"
	assert_equal "GET /user
GET /repos/octo/app/issues/7/comments?per_page=100
POST /repos/octo/app/issues/7/comments" "$(requests)"
	assert_equal '[[1001, "alice", "<!-- jira-scopes-report -->\nI quote the bot here"], [1002, "mallory", "<!-- jira-scopes-report -->\nNo scope changes"]]' \
		"$(pick '[[c["id"], c["author"], c["body"]] for c in s["comments"][:2]]')"
	assert_equal "jira-bot" "$(pick 's["comments"][2]["author"]')"
	assert_equal "[]" "$(pick 's["deleted"]')"

	# The next run updates the bot's own comment, still touching no other.
	: >"$TEST_DIR/requests.log"
	run --separate-stderr github --no-status
	assert_status 0
	assert_equal "updated comment 1003 on GitHub pull request octo/app#7" "$output"
	assert_equal "PATCH /repos/octo/app/issues/comments/1003" "$(requests | grep -v '^GET')"
}

@test "github: a workflow token updates a bot comment and deletes none" {
	# GITHUB_TOKEN cannot read /user. Outside GitHub Actions the account
	# is unknown: the bot comment is updated, the duplicate left.
	start_server github '{"token": "'$TOKEN'", "user_api": false, "comments": [
		{"body": "<!-- jira-scopes-report -->\nby a person", "author": "alice"},
		{"body": "<!-- jira-scopes-report -->\nfirst"},
		{"body": "<!-- jira-scopes-report -->\nsecond"}]}'
	run --separate-stderr github --no-status
	assert_status 0
	assert_equal "updated comment 1002 on GitHub pull request octo/app#7" "$output"
	assert_equal "warning: 1 more marker comments of bot accounts are left in place: the token's account is unknown; pass --bot-user to remove duplicates" "$stderr"
	assert_equal "[]" "$(pick 's["deleted"]')"
	assert_equal "<!-- jira-scopes-report -->
by a person" "$(pick 's["comments"][0]["body"]')"

	# In a workflow the token posts as github-actions[bot], so duplicates go.
	GITHUB_ACTIONS=true run --separate-stderr github --no-status
	assert_status 0
	assert_equal "updated comment 1002 on GitHub pull request octo/app#7
deleted duplicate comment 1003" "$output"
	assert_equal "[1003]" "$(pick 's["deleted"]')"
}

@test "github: --bot-user names the account when the forge does not" {
	start_server github '{"token": "'$TOKEN'", "user_api": false, "bot": "scopes-app[bot]",
		"comments": [{"body": "<!-- jira-scopes-report -->\nold"},
		             {"body": "<!-- jira-scopes-report -->\nother app", "author": "other[bot]"},
		             {"body": "<!-- jira-scopes-report -->\nduplicate"}]}'
	run --separate-stderr github --no-status --bot-user='scopes-app[bot]'
	assert_status 0
	assert_equal "updated comment 1001 on GitHub pull request octo/app#7
deleted duplicate comment 1003" "$output"
	assert_equal "[1003]" "$(pick 's["deleted"]')"
	assert_equal "GET /repos/octo/app/issues/7/comments?per_page=100
PATCH /repos/octo/app/issues/comments/1001
DELETE /repos/octo/app/issues/comments/1003" "$(requests)"
}

@test "github: a failing update still sets the status" {
	start_server github '{"token": "'$TOKEN'", "comments": [{"body": "<!-- jira-scopes-report -->\nold"}],
		"faults": [{"method": "PATCH", "path": "/comments/", "status": 422, "times": 1,
		"message": "Validation Failed"}]}'
	run --separate-stderr github
	assert_status 128
	assert_equal "set commit status jira-scopes on ${HEAD_SHA:0:12} to failure: 1 broad scope added without review" "$output"
	assert_equal "error: could not update the comment on the pull request: GitHub answered 422 (Validation Failed)
fatal: the comment was not sent; the commit status was set" "$stderr"
	assert_equal 1 "$(pick 'len(s["statuses"])')"
}

@test "gitlab: only notes of the token's user are updated or deleted" {
	start_server gitlab '{"token": "'$TOKEN'", "prefix": "/api/v4", "repo": "group/app",
		"bot": "project_42_bot_1f2e", "comments": [
		{"body": "<!-- jira-scopes-report -->\nquoted", "author": "alice"},
		{"body": "<!-- jira-scopes-report -->\nold"},
		{"body": "<!-- jira-scopes-report -->\nduplicate"}]}'
	GITLAB_TOKEN=$TOKEN run --separate-stderr git jira-scopes comment --provider=gitlab \
		--api-url="$API" --repo=group/app --pr=7 --base=main --no-status
	assert_status 0
	assert_equal "updated comment 1002 on GitLab merge request group/app!7
deleted duplicate comment 1003" "$output"
	assert_equal "[[1001, \"<!-- jira-scopes-report -->\\nquoted\"]]" \
		"$(pick '[[c["id"], c["body"]] for c in s["comments"] if c["author"] == "alice"]')"
}

@test "bitbucket: an access token updates its bot comment and deletes none" {
	start_server bitbucket '{"token": "'$TOKEN'", "prefix": "/2.0", "user_api": false, "comments": [
		{"body": "[//]: # (jira-scopes-report)\nquoted", "author": "{a11ce000-0000-4000-8000-000000000002}"},
		{"body": "[//]: # (jira-scopes-report)\nold"},
		{"body": "[//]: # (jira-scopes-report)\nduplicate"}]}'
	BITBUCKET_TOKEN=$TOKEN run --separate-stderr git jira-scopes comment --provider=bitbucket \
		--api-url="$API" --repo=team/app --pr=7 --base=main --no-status
	assert_status 0
	assert_equal "updated comment 1002 on Bitbucket Cloud pull request team/app#7" "$output"
	assert_equal "warning: 1 more marker comments of bot accounts are left in place: the token's account is unknown; pass --bot-user to remove duplicates" "$stderr"
	assert_equal "[//]: # (jira-scopes-report)
quoted" "$(pick 's["comments"][0]["body"]')"
	assert_equal "[]" "$(pick 's["deleted"]')"
}

@test "bitbucket-server: the user comes from X-AUSERNAME, or --bot-user" {
	start_server bitbucket-server '{"token": "'$TOKEN'", "repo": "PROJ/app", "comments": [
		{"body": "[//]: # (jira-scopes-report)\nquoted", "author": "alice"},
		{"body": "[//]: # (jira-scopes-report)\nold"}]}'
	BITBUCKET_TOKEN=$TOKEN run --separate-stderr git jira-scopes comment \
		--provider=bitbucket-server --api-url="$API" --repo=PROJ/app --pr=7 --base=main --no-status
	assert_status 0
	assert_equal "updated comment 1002 on Bitbucket Data Center pull request PROJ/app#7" "$output"
	assert_equal "[//]: # (jira-scopes-report)
quoted" "$(pick 's["comments"][0]["body"]')"

	# Without the header and without --bot-user, a person's marker comment
	# is not taken for the bot's: a new comment is posted.
	stop_server
	start_server bitbucket-server '{"token": "'$TOKEN'", "repo": "PROJ/app", "ausername": false,
		"comments": [{"body": "[//]: # (jira-scopes-report)\nquoted", "author": "alice"}]}'
	BITBUCKET_TOKEN=$TOKEN run --separate-stderr git jira-scopes comment \
		--provider=bitbucket-server --api-url="$API" --repo=PROJ/app --pr=7 --base=main --no-status
	assert_status 0
	assert_equal "posted comment 1002 on Bitbucket Data Center pull request PROJ/app#7" "$output"
	BITBUCKET_TOKEN=$TOKEN run --separate-stderr git jira-scopes comment \
		--provider=bitbucket-server --api-url="$API" --repo=PROJ/app --pr=7 --base=main \
		--no-status --bot-user=jira-bot
	assert_status 0
	assert_equal "updated comment 1002 on Bitbucket Data Center pull request PROJ/app#7" "$output"
}

@test "github: a POST answered 502 after it took effect posts one comment" {
	start_server github '{"token": "'$TOKEN'", "faults": [{"method": "POST",
		"path": "/issues/7/comments", "status": 502, "handle": true, "times": 3}]}'
	run --separate-stderr github --no-status
	assert_status 0
	assert_equal "posted comment 1001 on GitHub pull request octo/app#7" "$output"
	assert_equal "GET /user
GET /repos/octo/app/issues/7/comments?per_page=100
POST /repos/octo/app/issues/7/comments
GET /repos/octo/app/issues/7/comments?per_page=100" "$(requests)"
	assert_equal 1 "$(pick 'len(s["comments"])')"
}

@test "github: a used-up rate limit says when it resets" {
	start_server github '{"token": "'$TOKEN'", "faults": [{"method": "GET", "path": "/comments",
		"status": 403, "times": 1, "message": "API rate limit exceeded for installation",
		"headers": {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "4102444800"}}]}'
	run --separate-stderr github --no-status
	assert_status 128
	assert_equal "error: could not list the comments of the pull request: GitHub answered 403 (API rate limit exceeded for installation): the API rate limit of GITHUB_TOKEN is used up; it resets at 2100-01-01 00:00:00 UTC; run the job again after that
fatal: the comment was not sent; the commit status was not requested (--no-status)" "$stderr"
}

@test "bitbucket: a page without values is an error, not an empty page" {
	start_server bitbucket '{"token": "'$TOKEN'", "prefix": "/2.0", "faults": [{"method": "GET",
		"path": "/comments", "status": 200, "body": {"pagelen": 100}}]}'
	BITBUCKET_TOKEN=$TOKEN run --separate-stderr git jira-scopes comment --provider=bitbucket \
		--api-url="$API" --repo=team/app --pr=7 --base=main --no-status
	assert_status 128
	assert_equal "error: could not list the comments of the pull request: Bitbucket Cloud answered $API/repositories/team/app/pullrequests/7/comments?pagelen=100 without a \"values\" list
fatal: the comment was not sent; the commit status was not requested (--no-status)" "$stderr"
	assert_equal 0 "$(pick 'len([r for r in log if r["method"] == "POST"])')"

	stop_server
	start_server bitbucket-server '{"token": "'$TOKEN'", "repo": "PROJ/app", "faults": [{"method": "GET",
		"path": "/activities", "status": 200, "body": {"size": 0, "message": "busy"}}]}'
	BITBUCKET_TOKEN=$TOKEN run --separate-stderr git jira-scopes comment \
		--provider=bitbucket-server --api-url="$API" --repo=PROJ/app --pr=7 --base=main --no-status
	assert_status 128
	assert_equal "error: could not list the activities of the pull request: Bitbucket Data Center answered $API/rest/api/1.0/projects/PROJ/repos/app/pull-requests/7/activities?limit=100&start=0 without a \"values\" list" "${stderr%%$'\n'*}"
}

@test "a token echoed by the server is redacted" {
	start_server github '{"token": "'$TOKEN'", "faults": [{"method": "GET", "path": "/user",
		"status": 401, "message": "token '"'Bearer $TOKEN'"' is not valid"}]}'
	run --separate-stderr github -v --no-status
	assert_status 128
	has_line "$stderr" "^error: could not find the account of the token: GitHub answered 401 \(token '\[redacted\]' is not valid\): GITHUB_TOKEN was rejected"
	refute_text "$output$stderr" "$TOKEN"

	stop_server
	start_server bitbucket '{"token": "unused", "basic": "ci-bot:app-pass-1234", "prefix": "/2.0",
		"faults": [{"method": "GET", "path": "/comments", "status": 400,
		"message": "bad ci-bot:app-pass-1234 / app-pass-1234 / Y2ktYm90OmFwcC1wYXNzLTEyMzQ="}]}'
	BITBUCKET_USER=ci-bot BITBUCKET_APP_PASSWORD=app-pass-1234 run --separate-stderr \
		git jira-scopes comment --provider=bitbucket --api-url="$API" --repo=team/app --pr=7 \
		--base=main --no-status
	assert_status 128
	has_line "$stderr" "^error: could not list the comments of the pull request: Bitbucket Cloud answered 400 \(bad \[redacted\] / \[redacted\] / \[redacted\]\)$"
}

@test "comment ids that are not numbers are never used" {
	start_server github '{"token": "'$TOKEN'", "faults": [{"method": "GET", "path": "/issues/7/comments",
		"status": 200, "body": [
		{"id": "1/../../../user", "body": "<!-- jira-scopes-report -->", "user": {"login": "jira-bot", "type": "User"}},
		{"id": "7\n::set-output name=x::y", "body": "<!-- jira-scopes-report -->", "user": {"login": "jira-bot", "type": "User"}},
		{"id": 12.5, "body": "<!-- jira-scopes-report -->", "user": {"login": "jira-bot", "type": "User"}}]}]}'
	run --separate-stderr github --no-status
	assert_status 0
	assert_equal "posted comment 1001 on GitHub pull request octo/app#7" "$output"
	assert_equal "GET /user
GET /repos/octo/app/issues/7/comments?per_page=100
POST /repos/octo/app/issues/7/comments" "$(requests)"
}

@test "github: a next link back to an earlier page stops the listing" {
	start_server github '{"token": "'$TOKEN'", "faults": [{"method": "GET", "path": "/issues/7/comments",
		"status": 200, "body": [], "times": 5,
		"headers": {"Link": "<{base}/repos/octo/app/issues/7/comments?per_page=100&page=2>; rel=\"next\""}}]}'
	run --separate-stderr github --no-status
	assert_status 128
	assert_equal "error: could not list the comments of the pull request: GitHub sent a next-page link back to a page already read ('$API/repos/octo/app/issues/7/comments?per_page=100&page=2'); stopping" "${stderr%%$'\n'*}"
	assert_equal 3 "$(pick 'len(log)')"
}

@test "the run stops when its time budget is spent" {
	start_server github '{"token": "'$TOKEN'", "faults": [{"method": "GET", "path": "/user",
		"status": 200, "delay": 8, "body": {"login": "jira-bot"}}]}'
	SECONDS=0
	GJS_COMMENT_TIMEOUT=2 run --separate-stderr github
	assert_status 128
	[ "$SECONDS" -lt 6 ]
	assert_equal "error: could not find the account of the token: GET $API/user stopped: the time budget of 2 s for all requests ran out
error: could not set the commit status: POST $API/repos/octo/app/statuses/$HEAD_SHA stopped: the time budget of 2 s for all requests ran out
fatal: neither the comment nor the commit status was sent" "$stderr"

	run --separate-stderr github --timeout=0
	assert_status 129
	assert_equal "error: invalid --timeout '0': expected seconds from 1 to 86400" "${stderr%%$'\n'*}"
}

@test "server answers that are not JSON get messages to act on" {
	port_api() { printf '%s' "$API"; }
	start_server github '{"token": "'$TOKEN'", "faults": [
		{"method": "GET", "path": "/user", "status": 200, "raw": "<html><head><title>Sign in - Proxy</title></head><body>...</body></html>"},
		{"method": "POST", "path": "/statuses/", "status": 502, "raw": "<html><head><title>502 Bad Gateway</title></head><body><center>nginx</center>'"$(printf 'x%.0s' $(seq 400))"'</body></html>"}]}'
	run --separate-stderr github
	assert_status 128
	assert_equal "error: could not find the account of the token: GitHub answered $API/user with an HTML page titled 'Sign in - Proxy', not JSON: check --api-url, and any proxy between here and the server
error: could not set the commit status: GitHub answered 502 (an HTML page titled '502 Bad Gateway') after 1 attempt; try again later
fatal: neither the comment nor the commit status was sent" "$stderr"

	stop_server
	start_server github '{"token": "'$TOKEN'", "faults": [
		{"method": "GET", "path": "/user", "status": 301, "headers": {"Location": "https://github.example.com/login"}},
		{"method": "GET", "path": "/labels", "status": 503, "headers": {"Retry-After": "600"}}]}'
	run --separate-stderr github
	assert_status 128
	assert_equal "error: could not find the account of the token: GitHub answered 301 (injected failure) with a redirect to 'https://github.example.com/login': redirects are not followed; check --api-url
fatal: the comment was not sent; the commit status was set" "$stderr"
	git config jira-scopes.approvalLabel scopes-approved
	run --separate-stderr github
	assert_status 128
	assert_equal "fatal: could not read the labels of the pull request: GitHub answered 503 (injected failure) after 1 attempt; the server asked to wait 600 s, longer than the bot waits; try again later" "$stderr"
	git config --unset jira-scopes.approvalLabel

	# Server text is cut at 300 bytes, never inside a character.
	stop_server
	long=$(printf 'a%.0s' $(seq 299))
	start_server github '{"token": "'$TOKEN'", "faults": [{"method": "GET", "path": "/user",
		"status": 400, "message": "'"$long"'ééé"}, {"method": "POST", "path": "/statuses/", "status": 400,
		"headers": {"X-Big": "'"$(printf 'b%.0s' $(seq 300))"'"}, "message": "'"$long"'ééé"}]}'
	run --separate-stderr github
	assert_status 128
	assert_equal "error: could not set the commit status: GitHub answered 400 ($long...)" "${stderr%%$'\n'*}"
}

@test "an oversized header or body is named as such" {
	start_server github '{"token": "'$TOKEN'", "faults": [{"method": "GET", "path": "/user",
		"status": 200, "body": {}, "headers": {"X-Big": "'"$(head -c 200000 /dev/zero | tr '\0' b)"'"}}]}'
	run --separate-stderr github --no-status
	assert_status 128
	has_line "$stderr" "^error: could not find the account of the token: GET $API/user failed: a header of the answer was too large"

	stop_server
	start_server github '{"token": "'$TOKEN'", "faults": [{"method": "GET", "path": "/user",
		"status": 200, "raw_size": 33554433, "content_type": "application/json"}]}'
	run --separate-stderr github --no-status
	assert_status 128
	assert_equal "error: could not find the account of the token: GET $API/user failed: the answer exceeded the limit of 32 MiB" "${stderr%%$'\n'*}"
}

@test "bitbucket-server: a comment changed twice advises to run again" {
	start_server bitbucket-server '{"token": "'$TOKEN'", "repo": "PROJ/app",
		"comments": [{"body": "[//]: # (jira-scopes-report)\n\nold report", "version": 3}],
		"faults": [{"method": "PUT", "path": "/comments/", "status": 409, "times": 2}]}'
	BITBUCKET_TOKEN=$TOKEN run --separate-stderr git jira-scopes comment \
		--provider=bitbucket-server --api-url="$API" --repo=PROJ/app --pr=7 --base=main --no-status
	assert_status 128
	assert_equal "error: could not update the comment on the pull request: the comment changed twice while the bot updated it; run the job again
fatal: the comment was not sent; the commit status was not requested (--no-status)" "$stderr"
}

@test "GITHUB_EVENT_PATH: a missing file is named, and not needed with --pr and --base" {
	start_server github '{"token": "'$TOKEN'"}'
	GITHUB_ACTIONS=true GITHUB_EVENT_PATH=$TEST_DIR/missing.json GITHUB_REPOSITORY=octo/app \
		GITHUB_API_URL=$API GITHUB_TOKEN=$TOKEN run --separate-stderr git jira-scopes comment
	assert_status 128
	assert_equal "fatal: could not open the event file '$TEST_DIR/missing.json' named by GITHUB_EVENT_PATH: No such file or directory; check the variable, or pass --pr and --base" "$stderr"

	GITHUB_ACTIONS=true GITHUB_EVENT_PATH=$TEST_DIR/missing.json GITHUB_REPOSITORY=octo/app \
		GITHUB_API_URL=$API GITHUB_TOKEN=$TOKEN run --separate-stderr git jira-scopes comment \
		--pr=7 --base=main --no-status
	assert_status 0
	assert_equal "posted comment 1001 on GitHub pull request octo/app#7" "$output"

	# A fractional number is rejected, not rounded to another request.
	write_file "$TEST_DIR/event.json" '{"pull_request": {"number": 6.6, "base": {"sha": "'$BASE_SHA'"}}}'
	GITHUB_ACTIONS=true GITHUB_EVENT_PATH=$TEST_DIR/event.json GITHUB_REPOSITORY=octo/app \
		GITHUB_API_URL=$API run --separate-stderr git jira-scopes comment --dry-run
	assert_status 128
	assert_equal "fatal: GITHUB_EVENT_PATH '$TEST_DIR/event.json': pull_request.number is not a whole number: pass --pr=NUMBER" "$stderr"
}

@test "--dry-run with a token reads labels and changes nothing" {
	git config jira-scopes.approvalLabel scopes-approved
	start_server github '{"token": "'$TOKEN'", "labels": ["scopes-approved"]}'
	run --separate-stderr github --dry-run
	assert_status 0
	assert_equal "dry run: would set commit status 'jira-scopes' on $HEAD_SHA to success: broad scopes added with review" "${lines[0]}"
	assert_equal "GET /repos/octo/app/issues/7/labels?per_page=100" "$(requests)"
	assert_equal '{"comments": [], "deleted": [], "statuses": []}' "$(pick 'json.dumps(s, sort_keys=True)')"
}

@test "conflicting CI variables are a usage error" {
	GITHUB_ACTIONS=true GITLAB_CI=true run --separate-stderr git jira-scopes comment --dry-run
	assert_status 129
	assert_equal "error: the environment names several CI systems (GitHub Actions (GITHUB_ACTIONS), GitLab CI (GITLAB_CI)): pass --provider
$USAGE" "$stderr"

	# The event file alone does not select GitHub.
	GITHUB_EVENT_PATH=$TEST_DIR/event.json run --separate-stderr git jira-scopes comment --base=main
	assert_status 128
	assert_equal "fatal: no provider: not running in GitHub Actions, GitLab CI or Bitbucket Pipelines; pass --provider=github|gitlab|bitbucket|bitbucket-server" "$stderr"
}
