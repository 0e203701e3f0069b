#!/usr/bin/env bats
# End-to-end tests for `git jira-scopes explain` and `git jira-scopes catalog
# import`, run on the real binary with the built-in catalog, a catalog named
# by jira-scopes.catalog, and small OpenAPI specs written by the tests.

load helpers

CATALOG_TSV=$BATS_TEST_DIRNAME/../../plugin/catalog.tsv

# Writes a small OpenAPI spec with three operations to $1.
write_tiny_spec()
{
	write_file "$1" <<'EOF'
{
  "openapi": "3.0.1",
  "info": { "title": "Tiny Jira", "version": "7" },
  "components": { "securitySchemes": { "OAuth2": { "type": "oauth2", "flows": {
    "authorizationCode": { "scopes": { "read:jira-work": "Read" } } } } } },
  "paths": {
    "/rest/api/3/issue/{issueIdOrKey}": {
      "get": {
        "operationId": "getIssue",
        "description": "Returns an issue; this text stays out of the catalog.",
        "x-atlassian-oauth2-scopes": [
          { "scheme": "OAuth2", "scopes": ["read:jira-work"], "state": "Current" },
          { "scheme": "OAuth2", "scopes": ["read:issue:jira"], "state": "Beta" }
        ],
        "x-atlassian-connect-scope": "READ"
      }
    },
    "/rest/api/3/issue/bulk": {
      "post": {
        "operationId": "createIssues",
        "deprecated": true,
        "security": [ { "basicAuth": [] }, { "OAuth2": ["write:jira-work", "write:issue:jira"] } ],
        "x-atlassian-connect-scope": "WRITE"
      }
    }
  }
}
EOF
}

@test "explain METHOD PATH prints the requirement" {
	# $TEST_DIR is not a git repository: explain needs none.
	run --separate-stderr git jira-scopes explain 'GET /rest/api/3/myself'
	assert_status 0
	assert_equal "GET /rest/api/3/myself
  operation:  getCurrentUser
  classic:    read:jira-user
  granular:   read:application-role:jira, read:avatar:jira, read:group:jira, read:user:jira
  connect:    READ
  deprecated: no" "$output"
	assert_equal "" "$stderr"
}

@test "explain --format=json prints the whole operation" {
	run --separate-stderr git jira-scopes explain --format=json 'GET /rest/api/3/configuration'
	assert_status 0
	assert_equal '{"operations":[{"method":"GET","path":"/rest/api/3/configuration","operation_id":"getConfiguration","classic":["read:jira-user"],"granular":["read:instance-configuration:jira","read:issue.time-tracking:jira"],"connect":"READ","deprecated":false}]}' "$output"
}

@test "explain resolves a v2 path with a query string" {
	run --separate-stderr git jira-scopes explain --format=json \
		'post /rest/api/2/issue/ABC-1/transitions?expand=transitions.fields'
	assert_status 0
	run json_pick "$output" '[(o["method"], o["path"], o["operation_id"]) for o in d["operations"]]'
	assert_equal '[
  [
    "POST",
    "/rest/api/3/issue/{issueIdOrKey}/transitions",
    "doTransition"
  ]
]' "$output"
}

@test "explain PATH lists every method" {
	run --separate-stderr git jira-scopes explain /rest/api/3/mypreferences/locale
	assert_status 0
	assert_equal "GET /rest/api/3/mypreferences/locale
  operation:  getLocale
  classic:    manage:jira-configuration
  granular:   read:user-configuration:jira
  connect:    ACT_AS_USER
  deprecated: no

PUT /rest/api/3/mypreferences/locale
  operation:  setLocale
  classic:    (none)
  granular:   (none)
  connect:    INACCESSIBLE
  deprecated: yes" "$output"
}

@test "explain prefers a literal segment over a parameter" {
	run --separate-stderr git jira-scopes explain --format=json \
		'https://api.atlassian.com/ex/jira/${cloudId}/rest/api/3/issue/bulk'
	assert_status 0
	run json_pick "$output" '[(o["method"], o["operation_id"]) for o in d["operations"]]'
	assert_equal '[
  [
    "POST",
    "createIssues"
  ]
]' "$output"
}

@test "explain ACT_AS_USER lists only its own operations" {
	run --separate-stderr git jira-scopes explain --format=json ACT_AS_USER
	assert_status 0
	run json_pick "$output" 'sorted(o["method"] + " " + o["path"] for o in d["operations"])'
	assert_equal '[
  "DELETE /rest/api/3/mypreferences",
  "GET /rest/api/3/mypreferences",
  "GET /rest/api/3/mypreferences/locale",
  "PUT /rest/api/3/mypreferences"
]' "$output"
}

@test "explain a Connect scope follows the ladder" {
	# WRITE covers every operation whose Connect scope is READ or WRITE.
	expected=$(awk -F '\t' '/^\// && ($6 == "READ" || $6 == "WRITE") { n++ } END { print n }' \
		"$CATALOG_TSV")
	run --separate-stderr git jira-scopes explain --format=json write
	assert_status 0
	run json_pick "$output" 'len(d["operations"])'
	assert_equal "$expected" "$output"

	run --separate-stderr git jira-scopes explain WRITE
	assert_status 0
	assert_equal "WRITE: Connect scope, allows $expected operations" "${lines[0]}"
}

@test "explain a classic scope lists every operation naming it" {
	expected=$(awk -F '\t' '/^\// && (","$4"," ~ /,read:jira-user,/) { n++ } END { print n }' \
		"$CATALOG_TSV")
	run --separate-stderr git jira-scopes explain --format=json read:jira-user
	assert_status 0
	run json_pick "$output" 'len(d["operations"])'
	assert_equal "$expected" "$output"
}

@test "explain an unknown scope fails" {
	run --separate-stderr git jira-scopes explain read:jira-wrok
	assert_status 128
	assert_equal "" "$output"
	assert_equal "fatal: no operation needs scope 'read:jira-wrok'
hint: 'read:jira-wrok' is not a scope the Jira specs define; check its spelling (scope names are case-sensitive)" "$stderr"
}

@test "explain an unknown path fails" {
	run --separate-stderr git jira-scopes explain 'GET /rest/api/3/no/such/thing'
	assert_status 128
	assert_equal "" "$output"
	assert_equal "fatal: no operation matches 'GET /rest/api/3/no/such/thing'
hint: the catalog contains Jira Cloud paths under /rest/api/3/ (also matched as /rest/api/2/), /rest/agile/1.0/ and /rest/servicedeskapi/" "$stderr"
}

@test "explain a known path with the wrong method fails" {
	run --separate-stderr git jira-scopes explain 'GET /rest/api/3/issue/bulk'
	assert_status 128
	assert_equal "fatal: no operation matches 'GET /rest/api/3/issue/bulk'
hint: the path is known with method POST; run 'git jira-scopes explain PATH' to list them" "$stderr"
}

@test "explain a platform scope says no operation needs it" {
	run --separate-stderr git jira-scopes explain storage:app
	assert_status 0
	assert_equal "storage:app: platform scope, no Jira REST operation needs it" "$output"
}

@test "explain rejects bad usage" {
	run --separate-stderr git jira-scopes explain
	assert_status 129
	run --separate-stderr git jira-scopes explain --format=xml READ
	assert_status 129
	assert_equal "error: unknown format 'xml' (expected text or json)
usage: git jira-scopes explain [--format=text|json] (<scope> | '<method> <path>' | <path>)" "$stderr"
}

@test "explain uses the catalog named by jira-scopes.catalog" {
	write_tiny_spec "$TEST_DIR/tiny.json"
	make_repo app
	git config jira-scopes.catalog "$TEST_DIR/tiny.json"
	run --separate-stderr git jira-scopes explain --format=json 'POST /rest/api/3/issue/bulk'
	assert_status 0
	assert_equal '{"operations":[{"method":"POST","path":"/rest/api/3/issue/bulk","operation_id":"createIssues","classic":["write:jira-work"],"granular":["write:issue:jira"],"connect":"WRITE","deprecated":true}]}' "$output"

	# An operation only the built-in catalog has is not found.
	run --separate-stderr git jira-scopes explain 'GET /rest/api/3/myself'
	assert_status 128
}

@test "catalog import writes the catalog of a spec" {
	write_tiny_spec "$TEST_DIR/tiny.json"
	run --separate-stderr git jira-scopes catalog import "$TEST_DIR/tiny.json"
	assert_status 0
	assert_equal "" "$stderr"
	tab=$(printf '\t')
	assert_equal "# git-jira-scopes catalog from: Tiny Jira 7
# tab-separated fields: path method operationId classic granular connect deprecated ('-' is empty); 'scope<TAB>NAME' lines list every scope the specs define
/rest/api/3/issue/bulk${tab}POST${tab}createIssues${tab}write:jira-work${tab}write:issue:jira${tab}WRITE${tab}deprecated
/rest/api/3/issue/{issueIdOrKey}${tab}GET${tab}getIssue${tab}read:jira-work${tab}read:issue:jira${tab}READ${tab}-
scope${tab}read:issue:jira
scope${tab}read:jira-work
scope${tab}write:issue:jira
scope${tab}write:jira-work" "$output"
}

@test "catalog import of a malformed spec names the file" {
	write_file "$TEST_DIR/broken.json" '{"openapi": "3.0.1", "paths": {'
	run --separate-stderr git jira-scopes catalog import "$TEST_DIR/broken.json"
	assert_status 128
	assert_equal "" "$output"
	assert_equal "fatal: $TEST_DIR/broken.json: not valid JSON (error near byte 31)" "$stderr"

	write_file "$TEST_DIR/other.json" '{"swagger": "2.0", "paths": {}}'
	run --separate-stderr git jira-scopes catalog import "$TEST_DIR/other.json"
	assert_status 128
	assert_equal "fatal: $TEST_DIR/other.json: not an OpenAPI 3 document (no \"openapi\": \"3.x\" field)" "$stderr"
}

@test "catalog import without specs is a usage error" {
	run --separate-stderr git jira-scopes catalog import
	assert_status 129
	assert_equal "error: give at least one OpenAPI spec (JSON)
usage: git jira-scopes catalog import <spec.json>..." "$stderr"
}

@test "committed catalog lines have the catalog format" {
	# Every operation line has 7 fields and every scope line 2.
	run awk -F '\t' '!/^#/ && !(/^\// && NF == 7) && !(/^scope\t/ && NF == 2) { print NR": "$0 }' \
		"$CATALOG_TSV"
	assert_status 0
	assert_equal "" "$output"
}
