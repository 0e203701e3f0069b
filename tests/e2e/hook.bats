#!/usr/bin/env bats
# End-to-end tests of the pre-receive and pre-push hooks: real bare
# repositories with hooks/pre-receive installed through core.hooksPath, real
# `git push` from a working clone, and the binary under test on PATH.

load helpers

HOOKS_DIR=$BATS_TEST_DIRNAME/../../hooks

# The call that needs read:jira-work, on line 3 of src/index.js.
INDEX_BASE="import api, { route } from '@forge/api';
export async function issue(key) {
  return api.asApp().requestJira(route\`/rest/api/3/issue/\${key}\`);
}"

# The same file plus a call that needs manage:jira-configuration, on line 6.
INDEX_BANNER="$INDEX_BASE
export async function banner() {
  return api.asApp().requestJira(route\`/rest/api/3/announcementBanner\`, { method: 'PUT' });
}"

BROAD=manage:jira-configuration

# Creates a bare repository at $1 with hooks/pre-receive installed and
# one allowed reviewer glob; sets SERVER.
make_server()
{
	SERVER=$1
	git init -q --bare -b main "$SERVER"
	mkdir -p "$TEST_DIR/server-hooks"
	# Runs hooks/pre-receive and keeps its exit status, which `git push`
	# does not show.
	cat >"$TEST_DIR/server-hooks/pre-receive" <<EOF
#!/bin/sh
"$HOOKS_DIR/pre-receive"
status=\$?
echo \$status >"$TEST_DIR/hook-status"
exit \$status
EOF
	chmod +x "$TEST_DIR/server-hooks/pre-receive"
	git -C "$SERVER" config core.hooksPath "$TEST_DIR/server-hooks"
	git -C "$SERVER" config --add jira-scopes.reviewer '*@security.example.com'
}

# Creates the working clone `work` with one commit (read:jira-work and a
# call that needs it) and pushes main to $SERVER.
make_work()
{
	make_repo work
	git remote add origin "$SERVER"
	forge_manifest . read:jira-work
	write_file src/index.js "$INDEX_BASE"
	commit "start the app"
	git push -q origin main
}

setup()
{
	gjs_setup
	make_server "$TEST_DIR/server.git"
	make_work
}

# Commits the broad scope and the call that needs it; extra arguments are
# added to the commit message as trailer lines.
add_broad_scope()
{
	local message="show a banner" line
	forge_manifest . read:jira-work "$BROAD"
	write_file src/index.js "$INDEX_BANNER"
	if [ $# -gt 0 ]; then
		message="$message
"
		for line in "$@"; do
			message="$message
$line"
		done
	fi
	commit "$message"
}

# Runs `git push ARGS` and sets REMOTE to what the hook printed: the
# "remote: " lines without the prefix and git's trailing padding.
push()
{
	run --separate-stderr git push "$@"
	REMOTE=$(printf '%s\n' "$stderr" | sed -n 's/^remote: //p' | sed 's/ *$//')
}

hook_status()
{
	cat "$TEST_DIR/hook-status"
}

server_ref()
{
	git -C "$SERVER" rev-parse --verify -q "$1"
}

# The rejection of one unreviewed manage:jira-configuration on ref $1 added
# by commit $2 of a push of $3 commits.
expected_rejection()
{
	local ref=$1 id=$2 commits=$3 plural=s
	[ "$commits" = 1 ] && plural=
	cat <<EOF
error: $ref: broad scope $BROAD added without review
error:   commit:       $id (author ada@example.com)
error:   declared in:  manifest.yml:12
error:   broad:        classic manage:* scope: administers Jira configuration, projects or webhooks
error:   newly allows: $NEW_OPERATIONS operations
error:   justified by: src/index.js:6 PUT /rest/api/3/announcementBanner
error:   review:       no Scopes-Reviewed-by trailer in the $commits commit$plural of the push
hint: have a reviewer matching jira-scopes.reviewer (*@security.example.com) review the change, add a 'Scopes-Reviewed-by' trailer to a commit of the push, for example
hint:   git commit --amend --trailer "Scopes-Reviewed-by: Name <email>"
hint: and push again
hint: the reviewer must not be the author of the commit that adds the scope (ada@example.com)
EOF
}

# Operations that manage:jira-configuration allows beside read:jira-work,
# as `git jira-scopes diff` counts them.
new_operations()
{
	git jira-scopes diff "$1" "$2" --format=json | python3 -c '
import json, sys
d = json.load(sys.stdin)
print([s["new_operations"] for a in d["apps"] for s in a["added"]][0])'
}

# The number of operations that the broad scope $3, declared on both sides,
# newly allows between $1 and $2, as `git jira-scopes diff` counts them.
reused_operations()
{
	git jira-scopes diff "$1" "$2" --format=json | python3 -c '
import json, sys
d = json.load(sys.stdin)
print([s["new_operations"] for a in d["apps"] for s in a["broad_newly_used"]
       if s["scope"] == sys.argv[1]][0])' "$3"
}

# Prints the audit log at $1 without the times, keys sorted, one line each.
audit_lines()
{
	python3 - "$1" <<'EOF2'
import json, re, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", d.pop("time")), line
    print(json.dumps(d, sort_keys=True))
EOF2
}

@test "pre-receive: new branch with several commits, unreviewed" {
	git switch -q -c feature
	write_file README "notes"
	commit "add notes"
	add_broad_scope
	NEW_OPERATIONS=$(new_operations main feature)
	[ "$NEW_OPERATIONS" -gt 1 ]
	id=$(git rev-parse --short=12 HEAD)

	push origin feature
	assert_status 1
	assert_equal 1 "$(hook_status)"
	expected="$(expected_rejection refs/heads/feature "$id" 2 | sed 's/^/remote: /')
remote: error: jira-scopes rejected the push by policy: refs/heads/feature
To $SERVER
 ! [remote rejected] feature -> feature (pre-receive hook declined)
error: failed to push some refs to '$SERVER'"
	assert_equal "$expected" "$(printf '%s\n' "$stderr" | sed 's/ *$//')"
	run ! server_ref refs/heads/feature
}

@test "pre-receive: new branch with a reviewed scope" {
	git switch -q -c feature
	write_file README "notes"
	commit "add notes"
	add_broad_scope "Scopes-Reviewed-by: Rita Reviewer <rita@security.example.com>"

	push origin feature
	assert_status 0
	assert_equal 0 "$(hook_status)"
	assert_equal "" "$REMOTE"
	assert_equal "$(git rev-parse HEAD)" "$(server_ref refs/heads/feature)"
}

@test "pre-receive: new branch compares with the default branch" {
	# main already has the broad scope (pushed by break glass); a branch
	# from it that changes nothing else adds nothing.
	git -C "$SERVER" config receive.advertisePushOptions true
	git -C "$SERVER" config jira-scopes.allowBreakglass true
	add_broad_scope
	push -o "jira-scopes.breakglass=incident 42" origin main
	assert_status 0
	git switch -q -c feature
	write_file README "notes"
	commit "add notes"

	push origin feature
	assert_status 0
	assert_equal "" "$REMOTE"
}

@test "pre-receive: update of main, unreviewed" {
	add_broad_scope
	NEW_OPERATIONS=$(new_operations HEAD~ HEAD)
	id=$(git rev-parse --short=12 HEAD)

	push origin main
	assert_status 1
	assert_equal "$(expected_rejection refs/heads/main "$id" 1)
error: jira-scopes rejected the push by policy: refs/heads/main" "$REMOTE"
	assert_equal "$(git rev-parse HEAD~)" "$(server_ref refs/heads/main)"
}

@test "pre-receive: update without broad scope" {
	write_file README "notes"
	commit "add notes"

	push origin main
	assert_status 0
	assert_equal "" "$REMOTE"
}

@test "pre-receive: force push, unreviewed" {
	write_file README "notes"
	commit "add notes"
	git push -q origin main
	git reset -q --hard HEAD~
	add_broad_scope
	NEW_OPERATIONS=$(new_operations HEAD~ HEAD)
	id=$(git rev-parse --short=12 HEAD)

	push --force origin main
	assert_status 1
	assert_equal "$(expected_rejection refs/heads/main "$id" 1)
error: jira-scopes rejected the push by policy: refs/heads/main" "$REMOTE"
}

@test "pre-receive: deletion is accepted" {
	git -C "$SERVER" config receive.advertisePushOptions true
	git -C "$SERVER" config jira-scopes.allowBreakglass true
	git switch -q -c feature
	add_broad_scope
	push -o "jira-scopes.breakglass=setup" origin feature
	assert_status 0

	push origin :feature
	assert_status 0
	assert_equal "" "$REMOTE"
	run ! server_ref refs/heads/feature
}

@test "pre-receive: tags follow jira-scopes.refs" {
	add_broad_scope
	git tag -a -m "release 1" v1

	push origin v1
	assert_status 0
	assert_equal "" "$REMOTE"

	git tag -a -m "release 2" v2
	git -C "$SERVER" config --add jira-scopes.refs 'refs/tags/*'
	push origin v2
	assert_status 1
	assert_equal "error: jira-scopes rejected the push by policy: refs/tags/v2" \
		"$(printf '%s\n' "$REMOTE" | tail -n 1)"
	assert_equal "error: refs/tags/v2: broad scope $BROAD added without review" \
		"$(printf '%s\n' "$REMOTE" | head -n 1)"
}

@test "pre-receive: several refs, one bad" {
	git switch -q -c good
	write_file README "notes"
	commit "add notes"
	git switch -q -c bad main
	add_broad_scope
	NEW_OPERATIONS=$(new_operations main bad)
	id=$(git rev-parse --short=12 HEAD)

	push origin good bad
	assert_status 1
	assert_equal "$(expected_rejection refs/heads/bad "$id" 1)
error: jira-scopes rejected the push by policy: refs/heads/bad" "$REMOTE"
	run ! server_ref refs/heads/good
	run ! server_ref refs/heads/bad
}

@test "pre-receive: reviewer not allowed" {
	add_broad_scope "Scopes-Reviewed-by: Mallory <mallory@example.com>"
	short=$(git rev-parse --short=7 HEAD)

	push origin main
	assert_status 1
	assert_equal "error:   review:       no trailer counts: $short: mallory@example.com is not an allowed reviewer (jira-scopes.reviewer)" \
		"$(printf '%s\n' "$REMOTE" | grep '^error:   review:')"
}

@test "pre-receive: author of the scope change cannot review" {
	export GIT_AUTHOR_EMAIL=sam@security.example.com
	add_broad_scope "Scopes-Reviewed-by: Sam <sam@security.example.com>"
	short=$(git rev-parse --short=7 HEAD)

	push origin main
	assert_status 1
	assert_equal "error:   review:       no trailer counts: $short: sam@security.example.com authored the commit that adds the scope and cannot review it" \
		"$(printf '%s\n' "$REMOTE" | grep '^error:   review:')"
}

@test "pre-receive: trailer on an earlier commit of the push" {
	write_file README "notes"
	commit "add notes

Scopes-Reviewed-by: Rita Reviewer <rita@security.example.com>"
	add_broad_scope
	write_file CHANGES "banner"
	commit "note the banner"

	push origin main
	assert_status 0
	assert_equal "" "$REMOTE"
}

@test "pre-receive: trailer already on the server does not count" {
	git switch -q -c reviewed
	write_file README "notes"
	commit "add notes

Scopes-Reviewed-by: Rita Reviewer <rita@security.example.com>"
	git push -q origin reviewed
	add_broad_scope

	push origin reviewed
	assert_status 1
	assert_equal "error:   review:       no Scopes-Reviewed-by trailer in the 1 commit of the push" \
		"$(printf '%s\n' "$REMOTE" | grep '^error:   review:')"
}

@test "pre-receive: in-tree .jira-scopes cannot weaken policy" {
	write_file .jira-scopes <<'EOF'
[jira-scopes]
	reviewer = *
	broad = none:at-all
	trailer = Approved-by
	refs = refs/nothing/*
	missing = warn
	onError = allow
	timeout = 1000
	allowBreakglass = true
EOF
	add_broad_scope "Approved-by: Dev <dev@example.com>" \
		"Scopes-Reviewed-by: Mallory <mallory@example.com>"

	push origin main
	assert_status 1
	assert_equal "error: jira-scopes rejected the push by policy: refs/heads/main" \
		"$(printf '%s\n' "$REMOTE" | tail -n 1)"
}

@test "pre-receive: malformed manifest, onError=reject" {
	printf 'permissions:\n  scopes: [read:jira-work\n' >manifest.yml
	commit "break the manifest"
	id=$(git rev-parse --short=12 HEAD)

	push origin main
	assert_status 1
	assert_equal 128 "$(hook_status)"
	first=$(printf '%s\n' "$REMOTE" | head -n 1)
	case $first in
	"error: refs/heads/main: cannot check scopes: $id: manifest.yml:"*) ;;
	*) echo "unexpected: $first"; false ;;
	esac
	assert_equal "fatal: jira-scopes could not decide on refs/heads/main, so the push is rejected (jira-scopes.onError=reject)" \
		"$(printf '%s\n' "$REMOTE" | tail -n 1)"
	assert_equal "$(git rev-parse HEAD~)" "$(server_ref refs/heads/main)"
}

@test "pre-receive: malformed manifest, onError=allow" {
	git -C "$SERVER" config jira-scopes.onError allow
	printf 'permissions:\n  scopes: [read:jira-work\n' >manifest.yml
	commit "break the manifest"

	push origin main
	assert_status 0
	assert_equal 0 "$(hook_status)"
	assert_equal "warning: jira-scopes could not decide on refs/heads/main; the push is accepted because jira-scopes.onError=allow" \
		"$(printf '%s\n' "$REMOTE" | tail -n 1)"
	assert_equal "$(git rev-parse HEAD)" "$(server_ref refs/heads/main)"
}

@test "pre-receive: spent time budget" {
	git -C "$SERVER" config jira-scopes.timeout 0.000001
	write_file README "notes"
	commit "add notes"

	push origin main
	assert_status 1
	assert_equal 128 "$(hook_status)"
	assert_equal "error: refs/heads/main: cannot check scopes: the time budget of 1e-06 seconds (jira-scopes.timeout) was spent before this ref was checked
fatal: jira-scopes could not decide on refs/heads/main, so the push is rejected (jira-scopes.onError=reject)" "$REMOTE"
}

@test "pre-receive: break glass allowed" {
	git -C "$SERVER" config receive.advertisePushOptions true
	git -C "$SERVER" config jira-scopes.allowBreakglass true
	add_broad_scope

	NEW_OPERATIONS=$(new_operations HEAD~ HEAD)
	id=$(git rev-parse --short=12 HEAD)

	push -o "jira-scopes.breakglass=incident 42" origin main
	assert_status 0
	assert_equal 0 "$(hook_status)"
	# The findings become warnings, without the hints on how to pass.
	assert_equal "$(expected_rejection refs/heads/main "$id" 1 | sed -n 's/^error:/warning:/p')
warning: break glass by $(id -un): the push is accepted without the scope check (jira-scopes.allowBreakglass): incident 42" \
		"$REMOTE"
	assert_equal "$(git rev-parse HEAD)" "$(server_ref refs/heads/main)"
}

@test "pre-receive: break glass not allowed" {
	git -C "$SERVER" config receive.advertisePushOptions true
	add_broad_scope

	push -o "jira-scopes.breakglass=incident 42" origin main
	assert_status 1
	assert_equal 1 "$(hook_status)"
	assert_equal "warning: push option jira-scopes.breakglass ignored: jira-scopes.allowBreakglass is not true on this server" \
		"$(printf '%s\n' "$REMOTE" | head -n 1)"
	assert_equal "error: jira-scopes rejected the push by policy: refs/heads/main" \
		"$(printf '%s\n' "$REMOTE" | tail -n 1)"
}

@test "pre-receive: audit log lines" {
	git -C "$SERVER" config jira-scopes.auditLog "$TEST_DIR/audit.log"
	git -C "$SERVER" config receive.advertisePushOptions true
	git -C "$SERVER" config jira-scopes.allowBreakglass true
	old=$(git rev-parse HEAD)
	add_broad_scope
	bad=$(git rev-parse HEAD)
	push origin main
	assert_status 1
	git commit -q --amend -m "show a banner

Scopes-Reviewed-by: Rita <rita@security.example.com>"
	good=$(git rev-parse HEAD)
	push origin main
	assert_status 0
	git switch -q -c hotfix
	forge_manifest . read:jira-work "$BROAD" manage:jira-project
	commit "hotfix"
	hotfix=$(git rev-parse HEAD)
	GL_USERNAME=gina push -o "jira-scopes.breakglass=outage" origin hotfix
	assert_status 0
	push origin :hotfix
	assert_status 0

	run python3 - "$TEST_DIR/audit.log" <<'EOF'
import json, re, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", d.pop("time")), line
    print(json.dumps(d, sort_keys=True))
EOF
	assert_status 0
	user=$(id -un)
	zero=0000000000000000000000000000000000000000
	assert_equal "{\"accepted\": false, \"decision\": \"reject\", \"new\": \"$bad\", \"old\": \"$old\", \"pusher\": \"$user\", \"reason\": \"1 broad scope added without review\", \"ref\": \"refs/heads/main\", \"reviewer\": null, \"scopes\": [\"$BROAD\"]}
{\"accepted\": true, \"decision\": \"accept\", \"new\": \"$good\", \"old\": \"$old\", \"pusher\": \"$user\", \"reason\": \"broad scopes reviewed\", \"ref\": \"refs/heads/main\", \"reviewer\": \"Rita <rita@security.example.com>\", \"scopes\": [\"$BROAD\"]}
{\"accepted\": true, \"decision\": \"breakglass\", \"new\": \"$hotfix\", \"old\": \"$zero\", \"pusher\": \"gina\", \"reason\": \"break glass: outage (instead: 1 broad scope added without review)\", \"ref\": \"refs/heads/hotfix\", \"reviewer\": null, \"scopes\": [\"manage:jira-project\"]}
{\"accepted\": true, \"decision\": \"accept\", \"new\": \"$zero\", \"old\": \"$hotfix\", \"pusher\": \"$user\", \"reason\": \"ref deleted\", \"ref\": \"refs/heads/hotfix\", \"reviewer\": null, \"scopes\": []}" "$output"
}

@test "pre-receive: repository path with a colon" {
	rm -rf "$TEST_DIR/work"
	make_server "$TEST_DIR/with:colon/server.git"
	make_work
	write_file README "notes"
	commit "add notes"
	push origin main
	assert_status 0
	assert_equal "" "$REMOTE"

	add_broad_scope
	NEW_OPERATIONS=$(new_operations HEAD~ HEAD)
	id=$(git rev-parse --short=12 HEAD)
	push origin main
	assert_status 1
	assert_equal "$(expected_rejection refs/heads/main "$id" 1)
error: jira-scopes rejected the push by policy: refs/heads/main" "$REMOTE"
}

@test "pre-receive: GitLab message prefix" {
	add_broad_scope
	NEW_OPERATIONS=$(new_operations HEAD~ HEAD)
	id=$(git rev-parse --short=12 HEAD)

	GL_ID=user-1 push origin main
	assert_status 1
	assert_equal "$( (expected_rejection refs/heads/main "$id" 1
		echo "error: jira-scopes rejected the push by policy: refs/heads/main") |
		sed 's/^/GL-HOOK-ERR: /')" "$REMOTE"
}

@test "pre-receive: newly missing scope with missing=reject" {
	write_file src/index.js "$INDEX_BANNER"
	commit "call the banner API"

	push origin main
	assert_status 0
	assert_equal "warning: refs/heads/main: src/index.js:6 calls PUT /rest/api/3/announcementBanner, which the scopes in manifest.yml do not allow (needs $BROAD)" "$REMOTE"

	write_file src/other.js "$INDEX_BANNER"
	commit "call it twice"
	git -C "$SERVER" config jira-scopes.missing reject
	push origin main
	assert_status 1
	assert_equal "error: refs/heads/main: src/other.js:6 calls PUT /rest/api/3/announcementBanner, which the scopes in manifest.yml do not allow (needs $BROAD)
hint: declare the missing scopes, or remove the calls, and push again (jira-scopes.missing=reject)
error: jira-scopes rejected the push by policy: refs/heads/main" "$REMOTE"
}

@test "pre-receive: malformed input line" {
	cd "$SERVER"
	run --separate-stderr env GIT_DIR=. git jira-scopes pre-receive <<<"not a ref update"
	assert_status 128
	assert_equal "fatal: malformed ref update on line 1 of standard input: expected 'OLD NEW REF'" "$stderr"
}

@test "pre-push: rejects locally with the same rules" {
	mkdir -p "$TEST_DIR/client-hooks"
	ln -s "$HOOKS_DIR/pre-push" "$TEST_DIR/client-hooks/pre-push"
	git config core.hooksPath "$TEST_DIR/client-hooks"
	git config --add jira-scopes.reviewer '*@security.example.com'
	git -C "$SERVER" config --unset core.hooksPath
	git fetch -q origin
	git remote set-head origin main
	git switch -q -c feature
	write_file README "notes"
	commit "add notes"
	add_broad_scope
	NEW_OPERATIONS=$(new_operations main feature)
	id=$(git rev-parse --short=12 HEAD)

	push origin feature
	assert_status 1
	assert_equal "$(expected_rejection refs/heads/feature "$id" 2)
error: jira-scopes: the remote would reject this push; fix it or get a review first (git push --no-verify skips this check)" \
		"$(printf '%s\n' "$stderr" | sed '/^error: failed to push/d')"
	run ! server_ref refs/heads/feature

	git commit -q --amend --trailer "Scopes-Reviewed-by: Rita <rita@security.example.com>" --no-edit
	push origin feature
	assert_status 0
	assert_equal "$(git rev-parse HEAD)" "$(server_ref refs/heads/feature)"
}

@test "pre-receive: broad scope put to new use later" {
	git -C "$SERVER" config jira-scopes.auditLog "$TEST_DIR/audit.log"
	old=$(git rev-parse HEAD)

	# manage:jira-webhook alone allows nothing that read:jira-work did not.
	forge_manifest . manage:jira-webhook
	commit "swap the scope"
	swap=$(git rev-parse HEAD)
	push origin main
	assert_status 0
	assert_equal "warning: refs/heads/main: src/index.js:3 calls GET /rest/api/3/issue/{issueIdOrKey}, which the scopes in manifest.yml do not allow (needs read:jira-work, or granular read:avatar:jira, read:field-configuration:jira, read:issue-meta:jira, read:issue-security-level:jira, read:issue.changelog:jira, read:issue.vote:jira, read:issue:jira, read:status:jira, read:user:jira)" "$REMOTE"

	# Adding read:jira-work back unlocks the webhook operations.
	forge_manifest . manage:jira-webhook read:jira-work
	commit "read issues again"
	bad=$(git rev-parse HEAD)
	id=$(git rev-parse --short=12 HEAD)
	operations=$(reused_operations "$swap" "$bad" manage:jira-webhook)
	[ "$operations" -gt 1 ]
	push origin main
	assert_status 1
	assert_equal "error: refs/heads/main: broad scope manage:jira-webhook, declared before, put to new use without review
error:   commit:       $id (declaration changed by ada@example.com)
error:   declared in:  manifest.yml:11
error:   broad:        classic manage:* scope: administers Jira configuration, projects or webhooks
error:   newly allows: $operations operations together with the scopes this push adds
error:   justified by: no call site
error:   review:       no Scopes-Reviewed-by trailer in the 1 commit of the push
hint: have a reviewer matching jira-scopes.reviewer (*@security.example.com) review the change, add a 'Scopes-Reviewed-by' trailer to a commit of the push, for example
hint:   git commit --amend --trailer \"Scopes-Reviewed-by: Name <email>\"
hint: and push again
hint: the reviewer must not be the author of a commit of the push that changes the declaration (ada@example.com)
error: jira-scopes rejected the push by policy: refs/heads/main" "$REMOTE"
	assert_equal "$swap" "$(server_ref refs/heads/main)"

	git commit -q --amend --no-edit --trailer "Scopes-Reviewed-by: Rita <rita@security.example.com>"
	good=$(git rev-parse HEAD)
	push origin main
	assert_status 0
	assert_equal "" "$REMOTE"
	assert_equal "$good" "$(server_ref refs/heads/main)"

	run audit_lines "$TEST_DIR/audit.log"
	assert_status 0
	user=$(id -un)
	assert_equal "{\"accepted\": true, \"decision\": \"accept\", \"new\": \"$swap\", \"old\": \"$old\", \"pusher\": \"$user\", \"reason\": \"broad scopes added allow no new operation\", \"ref\": \"refs/heads/main\", \"reviewer\": null, \"scopes\": [\"manage:jira-webhook\"]}
{\"accepted\": false, \"decision\": \"reject\", \"new\": \"$bad\", \"old\": \"$swap\", \"pusher\": \"$user\", \"reason\": \"1 broad scope put to new use without review\", \"ref\": \"refs/heads/main\", \"reviewer\": null, \"scopes\": [\"manage:jira-webhook\"]}
{\"accepted\": true, \"decision\": \"accept\", \"new\": \"$good\", \"old\": \"$swap\", \"pusher\": \"$user\", \"reason\": \"broad scopes reviewed\", \"ref\": \"refs/heads/main\", \"reviewer\": \"Rita <rita@security.example.com>\", \"scopes\": [\"manage:jira-webhook\"]}" "$output"
}

@test "pre-receive: declaration author cannot review new use" {
	forge_manifest . manage:jira-webhook
	commit "swap the scope"
	git push -q origin main 2>/dev/null
	export GIT_AUTHOR_EMAIL=sam@security.example.com
	forge_manifest . manage:jira-webhook read:jira-work
	commit "read issues again

Scopes-Reviewed-by: Sam <sam@security.example.com>"
	short=$(git rev-parse --short=7 HEAD)

	push origin main
	assert_status 1
	assert_equal "error:   review:       no trailer counts: $short: sam@security.example.com authored a commit that changes manifest.yml and cannot review it" \
		"$(printf '%s\n' "$REMOTE" | grep '^error:   review:')"
	assert_equal "hint: the reviewer must not be the author of a commit of the push that changes the declaration (sam@security.example.com)" \
		"$(printf '%s\n' "$REMOTE" | grep '^hint: the reviewer must not')"
}

@test "pre-receive: new branch with no commits of its own" {
	git -C "$SERVER" config receive.advertisePushOptions true
	git -C "$SERVER" config jira-scopes.allowBreakglass true
	git switch -q -c feature
	add_broad_scope
	push -o "jira-scopes.breakglass=setup" origin feature
	assert_status 0
	NEW_OPERATIONS=$(new_operations main feature)
	id=$(git rev-parse --short=12 HEAD)

	# refs/heads/copy starts at a commit the server has under feature.
	push origin feature:refs/heads/copy
	assert_status 1
	assert_equal "error: refs/heads/copy: broad scope $BROAD added without review
error:   commit:       $id
error:   declared in:  manifest.yml:12
error:   broad:        classic manage:* scope: administers Jira configuration, projects or webhooks
error:   newly allows: $NEW_OPERATIONS operations
error:   justified by: src/index.js:6 PUT /rest/api/3/announcementBanner
error:   review:       none possible: the push brings no commit the server does not already have
hint: every commit of refs/heads/copy is already on the server under another ref, and trailers of those commits do not count
hint: have a reviewer matching jira-scopes.reviewer (*@security.example.com) review the change, then push the branch from a new commit that carries a 'Scopes-Reviewed-by' trailer, for example
hint:   git commit --allow-empty --trailer \"Scopes-Reviewed-by: Name <email>\" -m \"Review the Jira scopes\"
hint: and push again
error: jira-scopes rejected the push by policy: refs/heads/copy" "$REMOTE"
	run ! server_ref refs/heads/copy

	git switch -q -c copy
	git commit -q --allow-empty --trailer "Scopes-Reviewed-by: Rita <rita@security.example.com>" \
		-m "Review the Jira scopes"
	push origin copy
	assert_status 0
	assert_equal "" "$REMOTE"
	assert_equal "$(git rev-parse HEAD)" "$(server_ref refs/heads/copy)"
}

@test "pre-push: branch point without remote HEAD" {
	# A clone of an empty repository has no refs/remotes/origin/HEAD, and
	# `git push origin BRANCH` sets no upstream.
	git init -q --bare -b main "$TEST_DIR/empty.git"
	git clone -q "$TEST_DIR/empty.git" "$TEST_DIR/client" 2>/dev/null
	cd "$TEST_DIR/client"
	mkdir -p "$TEST_DIR/client-hooks"
	ln -s "$HOOKS_DIR/pre-push" "$TEST_DIR/client-hooks/pre-push"
	git config core.hooksPath "$TEST_DIR/client-hooks"
	git config --add jira-scopes.reviewer '*@security.example.com'
	forge_manifest . read:jira-work "$BROAD"
	write_file src/index.js "$INDEX_BANNER"
	commit "start with a banner

Scopes-Reviewed-by: Rita <rita@security.example.com>"
	root=$(git rev-parse --short=12 HEAD)

	GJS_TRACE=1 push origin main
	assert_status 0
	assert_equal "trace: pre-push: refs/heads/main: compared with an empty tree: $root, the oldest commit of the push, has no parent
trace: pre-push: refs/heads/main: broad scopes reviewed
To $TEST_DIR/empty.git
 * [new branch]      main -> main" "$stderr"

	git switch -q -c feature
	write_file README "notes"
	commit "add notes"
	oldest=$(git rev-parse --short=12 HEAD)
	GJS_TRACE=1 push origin feature
	assert_status 0
	assert_equal "trace: pre-push: refs/heads/feature: compared with the branch point $root, first parent of $oldest, the oldest commit of the push
trace: pre-push: refs/heads/feature: no app changed
To $TEST_DIR/empty.git
 * [new branch]      feature -> feature" "$stderr"

	# A branch at a commit the remote has is its own branch point.
	tip=$(git rev-parse --short=12 HEAD)
	GJS_TRACE=1 push origin feature:refs/heads/copy
	assert_status 0
	assert_equal "trace: pre-push: refs/heads/copy: compared with the tip $tip, which the remote already has
trace: pre-push: refs/heads/copy: no app changed
To $TEST_DIR/empty.git
 * [new branch]      feature -> copy" "$stderr"
}

@test "pre-push: trace names the base of each ref" {
	mkdir -p "$TEST_DIR/client-hooks"
	ln -s "$HOOKS_DIR/pre-push" "$TEST_DIR/client-hooks/pre-push"
	git config core.hooksPath "$TEST_DIR/client-hooks"
	git -C "$SERVER" config --unset core.hooksPath
	git fetch -q origin
	git remote set-head origin main
	start=$(git rev-parse HEAD)
	git switch -q -c feature
	write_file README "notes"
	commit "add notes"
	git switch -q main
	write_file CHANGES "changes"
	commit "add changes"

	GJS_TRACE=1 push origin main feature
	assert_status 0
	# Sorted, because the order in which git lists the refs is not ours.
	assert_equal "trace: pre-push: refs/heads/feature: compared with the merge base ${start:0:12} with refs/remotes/origin/HEAD
trace: pre-push: refs/heads/feature: no app changed
trace: pre-push: refs/heads/main: compared with the remote's commit ${start:0:12}
trace: pre-push: refs/heads/main: no app changed" "$(printf '%s\n' "$stderr" | grep '^trace:' | sort)"
}

@test "pre-receive: concurrent audit appends stay whole lines" {
	git -C "$SERVER" config jira-scopes.auditLog "$TEST_DIR/audit.log"
	tip=$(git rev-parse HEAD)
	zero=0000000000000000000000000000000000000000
	# Ref names of 2,000 characters make each audit line longer than a
	# pipe buffer, so a line written in pieces would show.
	long=$(printf 'x%.0s' $(seq 2000))
	for p in 1 2 3 4 5 6; do
		for i in $(seq 100); do
			printf '%s %s refs/heads/gone-%s-%s-%s\n' "$tip" "$zero" "$p" "$i" "$long"
		done >"$TEST_DIR/updates.$p"
	done
	for p in 1 2 3 4 5 6; do
		(cd "$SERVER" && GIT_DIR=. git jira-scopes pre-receive <"$TEST_DIR/updates.$p" >/dev/null 2>&1) &
	done
	wait

	run python3 - "$TEST_DIR/audit.log" <<'PYEOF'
import json, sys
refs = [json.loads(line)["ref"] for line in open(sys.argv[1])]
print(len(refs), len(set(refs)))
PYEOF
	assert_status 0
	assert_equal "600 600" "$output"
}
