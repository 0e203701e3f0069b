#!/usr/bin/env bats
# Call-site forms the scanner must find, end to end: each test commits small
# source files to a repository whose root .jira-scopes makes one app of every
# file, runs `git jira-scopes check --format=json` and compares the app's call
# sites as [file, line, method, operation]. The path field is compared where
# the text "as written" is a single literal.

load helpers

setup()
{
	gjs_setup
	make_repo forms
	write_file .jira-scopes <<'EOF'
[scopes]
	scope = read:jira-work
EOF
}

# Commits everything and leaves the JSON report of HEAD in $output.
check_json()
{
	commit 'Add call sites'
	run --separate-stderr git jira-scopes check --format=json
	assert_status 0
}

# Prints the app's call sites as sorted [file, line, method, operation].
site_ops()
{
	json_pick "$output" '[[c["file"], c["line"], c["method"], c["operation"]] for c in app(".jira-scopes")["call_sites"]]'
}

@test "js forge route tagged template" {
	write_file src/comment.js <<'EOF'
import api, { route } from '@forge/api';

export async function addComment(key, body) {
  return api.asApp().requestJira(route`/rest/api/3/issue/${key}/comment`, {
    method: 'POST',
    body: JSON.stringify(body),
  });
}
EOF
	check_json
	json_equal '[["src/comment.js", 4, "POST", "/rest/api/3/issue/${key}/comment",
		"POST /rest/api/3/issue/{issueIdOrKey}/comment"]]' \
		"$(json_pick "$output" 'sites(app(".jira-scopes")["call_sites"])')"
}

@test "js template literal with axios verb" {
	write_file src/remove.js <<'EOF'
const axios = require('axios');

async function removeIssue(baseUrl, key) {
  await axios.delete(`${baseUrl}/rest/api/3/issue/${key}`);
}
EOF
	check_json
	json_equal '[["src/remove.js", 4, "DELETE", "DELETE /rest/api/3/issue/{issueIdOrKey}"]]' "$(site_ops)"
}

@test "js string concatenation" {
	write_file src/transition.js <<'EOF'
// Moves an issue through its workflow.
export async function moveIssue(baseUrl, key, id) {
  return fetch(baseUrl + '/rest/api/3/issue/' + key + '/transitions', {
    method: 'POST',
    body: JSON.stringify({ transition: { id } }),
  });
}
EOF
	check_json
	json_equal '[["src/transition.js", 3, "POST", "POST /rest/api/3/issue/{issueIdOrKey}/transitions"]]' "$(site_ops)"
}

@test "requestJira from forge bridge and api" {
	write_file src/frontend.js <<'EOF'
import { requestJira } from '@forge/bridge';

export async function saveSummary(key, summary) {
  await requestJira(`/rest/api/3/issue/${key}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ fields: { summary } }),
  });
}
EOF
	write_file src/backend.js <<'EOF'
import api, { route } from '@forge/api';

export const removeIssue = (key) =>
  api.asUser().requestJira(route`/rest/api/3/issue/${key}`, { method: 'DELETE' });
EOF
	check_json
	json_equal '[
		["src/backend.js", 4, "DELETE", "/rest/api/3/issue/${key}", "DELETE /rest/api/3/issue/{issueIdOrKey}"],
		["src/frontend.js", 4, "PUT", "/rest/api/3/issue/${key}", "PUT /rest/api/3/issue/{issueIdOrKey}"]
	]' "$(json_pick "$output" 'sites(app(".jira-scopes")["call_sites"])')"
}

@test "connect AP.request with url and type" {
	write_file public/connect.js <<'EOF'
// Runs in the Connect iframe.
AP.request({ url: '/rest/api/3/myself', type: 'GET', success: showUser });

function addComment(issueKey, text) {
  AP.request({
    url: '/rest/api/3/issue/' + issueKey + '/comment',
    type: 'POST',
    data: JSON.stringify({ body: text }),
    contentType: 'application/json',
  });
}
EOF
	check_json
	json_equal '[
		["public/connect.js", 2, "GET", "GET /rest/api/3/myself"],
		["public/connect.js", 6, "POST", "POST /rest/api/3/issue/{issueIdOrKey}/comment"]
	]' "$(site_ops)"
}

@test "python fstring percent format concatenation" {
	write_file tools/fstring.py <<'EOF'
import requests


def get_issue(base, key):
    return requests.get(f"{base}/rest/api/3/issue/{key}", headers={"Accept": "application/json"})
EOF
	write_file tools/percent.py <<'EOF'
import requests


def edit_issue(key, fields):
    return requests.put("/rest/api/3/issue/%s" % key, json={"fields": fields})
EOF
	write_file tools/format.py <<'EOF'
def add_comment(session, base, key, body):
    return session.post("{}/rest/api/3/issue/{}/comment".format(base, key), json=body)
EOF
	write_file tools/concat.py <<'EOF'
import requests

def delete_issue(base, key):
    requests.delete(base + "/rest/api/3/issue/" + key)
EOF
	write_file tools/split.py <<'EOF'
import requests


def transition(base, key, transition_id):
    return requests.post(
        f"{base}/rest/api/3/issue/{key}/transitions",
        json={"transition": {"id": transition_id}},
    )
EOF
	check_json
	json_equal '[
		["tools/concat.py", 4, "DELETE", "DELETE /rest/api/3/issue/{issueIdOrKey}"],
		["tools/format.py", 2, "POST", "POST /rest/api/3/issue/{issueIdOrKey}/comment"],
		["tools/fstring.py", 5, "GET", "GET /rest/api/3/issue/{issueIdOrKey}"],
		["tools/percent.py", 5, "PUT", "PUT /rest/api/3/issue/{issueIdOrKey}"],
		["tools/split.py", 6, "POST", "POST /rest/api/3/issue/{issueIdOrKey}/transitions"]
	]' "$(site_ops)"
}

@test "java format concatenation and HttpMethod" {
	write_file src/main/java/IssueClient.java <<'EOF'
import org.springframework.http.HttpMethod;
import org.springframework.web.client.RestTemplate;

class IssueClient {
    private final RestTemplate rest = new RestTemplate();

    void edit(String key, Object body) {
        rest.exchange(String.format("/rest/api/3/issue/%s", key), HttpMethod.PUT, new HttpEntity<>(body), Void.class);
    }

    void move(String base, String key, Object body) {
        rest.exchange(base + "/rest/api/3/issue/" + key + "/transitions", HttpMethod.POST, new HttpEntity<>(body), Void.class);
    }

    void remove(String key) {
        rest.exchange("/rest/api/3/issue/" + key,
                HttpMethod.DELETE, null, Void.class);
    }
}
EOF
	check_json
	json_equal '[
		["src/main/java/IssueClient.java", 8, "PUT", "PUT /rest/api/3/issue/{issueIdOrKey}"],
		["src/main/java/IssueClient.java", 12, "POST", "POST /rest/api/3/issue/{issueIdOrKey}/transitions"],
		["src/main/java/IssueClient.java", 16, "DELETE", "DELETE /rest/api/3/issue/{issueIdOrKey}"]
	]' "$(site_ops)"
}

@test "kotlin string templates" {
	write_file src/main/kotlin/Jira.kt <<'EOF'
import io.ktor.client.HttpClient
import io.ktor.client.request.get
import io.ktor.client.request.put

suspend fun fetchIssue(client: HttpClient, base: String, key: String) =
    client.get("$base/rest/api/3/issue/$key")

suspend fun editIssue(client: HttpClient, base: String, key: String) =
    client.put("$base/rest/api/3/issue/${key}")
EOF
	check_json
	json_equal '[
		["src/main/kotlin/Jira.kt", 6, "GET", "GET /rest/api/3/issue/{issueIdOrKey}"],
		["src/main/kotlin/Jira.kt", 9, "PUT", "PUT /rest/api/3/issue/{issueIdOrKey}"]
	]' "$(site_ops)"
}

@test "go Sprintf and NewRequest" {
	write_file jira/client.go <<'EOF'
package jira

import (
	"fmt"
	"net/http"
)

func editRequest(base, key string) (*http.Request, error) {
	return http.NewRequest(http.MethodPut, fmt.Sprintf("%s/rest/api/3/issue/%s", base, key), nil)
}

func deleteRequest(base, key string) (*http.Request, error) {
	return http.NewRequest("DELETE", base+"/rest/api/3/issue/"+key, nil)
}
EOF
	check_json
	json_equal '[
		["jira/client.go", 9, "PUT", "PUT /rest/api/3/issue/{issueIdOrKey}"],
		["jira/client.go", 13, "DELETE", "DELETE /rest/api/3/issue/{issueIdOrKey}"]
	]' "$(site_ops)"
}

@test "csharp interpolated string and HttpClient verbs" {
	write_file Jira/IssueClient.cs <<'EOF'
using System.Net.Http;
using System.Threading.Tasks;

class IssueClient
{
    private readonly HttpClient http = new HttpClient();

    public Task<HttpResponseMessage> Edit(string key, HttpContent body) =>
        http.PutAsync($"/rest/api/3/issue/{key}", body);

    public Task<HttpResponseMessage> Remove(string key) =>
        http.DeleteAsync("/rest/api/3/issue/" + key);
}
EOF
	check_json
	json_equal '[
		["Jira/IssueClient.cs", 9, "PUT", "PUT /rest/api/3/issue/{issueIdOrKey}"],
		["Jira/IssueClient.cs", 12, "DELETE", "DELETE /rest/api/3/issue/{issueIdOrKey}"]
	]' "$(site_ops)"
}

@test "ruby interpolation with Net::HTTP and client verbs" {
	write_file lib/jira.rb <<'EOF'
require 'net/http'

def edit_issue(http, key, body)
  request = Net::HTTP::Put.new("/rest/api/3/issue/#{key}")
  request.body = body
  http.request(request)
end

def issue(conn, key)
  conn.get("/rest/api/3/issue/#{key}")
end
EOF
	check_json
	json_equal '[
		["lib/jira.rb", 4, "PUT", "PUT /rest/api/3/issue/{issueIdOrKey}"],
		["lib/jira.rb", 10, "GET", "GET /rest/api/3/issue/{issueIdOrKey}"]
	]' "$(site_ops)"
}

@test "php interpolation and concatenation" {
	write_file src/Jira.php <<'EOF'
<?php

function editIssue($client, string $key, array $fields)
{
    return $client->request('PUT', "/rest/api/3/issue/{$key}", ['json' => ['fields' => $fields]]);
}

function deleteIssue($client, string $key)
{
    return $client->delete('/rest/api/3/issue/' . $key);
}
EOF
	check_json
	json_equal '[
		["src/Jira.php", 5, "PUT", "PUT /rest/api/3/issue/{issueIdOrKey}"],
		["src/Jira.php", 10, "DELETE", "DELETE /rest/api/3/issue/{issueIdOrKey}"]
	]' "$(site_ops)"
}

@test "shell curl with -X" {
	write_file scripts/edit.sh <<'EOF'
#!/bin/sh
curl -s -X PUT -H 'Content-Type: application/json' \
	--data @fields.json "$JIRA_URL/rest/api/3/issue/$KEY"
curl -sS -X DELETE "$JIRA_URL/rest/api/3/issue/$KEY"
EOF
	check_json
	json_equal '[
		["scripts/edit.sh", 3, "PUT", "PUT /rest/api/3/issue/{issueIdOrKey}"],
		["scripts/edit.sh", 4, "DELETE", "DELETE /rest/api/3/issue/{issueIdOrKey}"]
	]' "$(site_ops)"
}

@test "split-line js call takes the method from a later line" {
	write_file src/split.js <<'EOF'
import api, { route } from '@forge/api';

export async function archive(key) {
  await api.asApp().requestJira(
    route`/rest/api/3/issue/${key}`,
    {
      method: 'DELETE',
    }
  );
}
EOF
	check_json
	json_equal '[["src/split.js", 5, "DELETE", "/rest/api/3/issue/${key}", "DELETE /rest/api/3/issue/{issueIdOrKey}"]]' \
		"$(json_pick "$output" 'sites(app(".jira-scopes")["call_sites"])')"
}

@test "unknown method needs the least privileged operation" {
	write_file src/paths.js <<'EOF'
// Paths shared by the panel's resolvers.
export const issuePath = (key) => `/rest/api/3/issue/${key}`;
EOF
	check_json
	json_equal '[["src/paths.js", 2, null, "/rest/api/3/issue/${key}", "GET /rest/api/3/issue/{issueIdOrKey}"]]' \
		"$(json_pick "$output" 'sites(app(".jira-scopes")["call_sites"])')"
	# read:jira-work allows the GET, so nothing is missing.
	json_equal '[]' "$(json_pick "$output" 'app(".jira-scopes")["missing"]')"

	# The text report lists the call under its own heading.
	run --separate-stderr git jira-scopes check
	assert_status 0
	assert_equal "app .jira-scopes (scopes-file)
  declared: read:jira-work
  call sites: 1
  method unknown (counted as the least privileged operation):
    src/paths.js:2  GET /rest/api/3/issue/{issueIdOrKey} (method unknown: 3 operations match)
  ok: every call site is covered and every scope is used" "$output"
}

@test "v2 path resolves to the v3 operation" {
	write_file src/legacy.js <<'EOF'
import api, { route } from '@forge/api';

export const edit = (key, body) =>
  api.asApp().requestJira(route`/rest/api/2/issue/${key}`, { method: 'PUT', body });
EOF
	check_json
	json_equal '[["src/legacy.js", 4, "PUT", "/rest/api/2/issue/${key}", "PUT /rest/api/3/issue/{issueIdOrKey}"]]' \
		"$(json_pick "$output" 'sites(app(".jira-scopes")["call_sites"])')"
}

@test "agile and service management paths" {
	write_file src/boards.js <<'EOF'
import api, { route } from '@forge/api';

export const boards = () => api.asApp().requestJira(route`/rest/agile/1.0/board`, { method: 'GET' });
export const raise = (body) => api.asApp().requestJira(route`/rest/servicedeskapi/request`, { method: 'POST', body });
EOF
	check_json
	json_equal '[
		["src/boards.js", 3, "GET", "/rest/agile/1.0/board", "GET /rest/agile/1.0/board"],
		["src/boards.js", 4, "POST", "/rest/servicedeskapi/request", "POST /rest/servicedeskapi/request"]
	]' "$(json_pick "$output" 'sites(app(".jira-scopes")["call_sites"])')"
}

@test "literal segment beats a parameter" {
	write_file src/bulk.js <<'EOF'
import api, { route } from '@forge/api';

export const createMany = (body) => api.asApp().requestJira(route`/rest/api/3/issue/bulk`, { method: 'POST', body });
export const read = (key) => api.asApp().requestJira(route`/rest/api/3/issue/${key}`, { method: 'GET' });
EOF
	check_json
	json_equal '[
		["src/bulk.js", 3, "POST", "POST /rest/api/3/issue/bulk"],
		["src/bulk.js", 4, "GET", "GET /rest/api/3/issue/{issueIdOrKey}"]
	]' "$(site_ops)"
}

@test "query string is ignored when matching" {
	write_file src/search.js <<'EOF'
import api, { route } from '@forge/api';

export const search = (jql) =>
  api.asApp().requestJira(route`/rest/api/3/search?jql=${jql}&maxResults=50`, { method: 'GET' });
EOF
	check_json
	json_equal '[["src/search.js", 4, "GET", "GET /rest/api/3/search"]]' "$(site_ops)"
}

@test "absolute site and gateway urls" {
	write_file src/urls.js <<'EOF'
export const site = (key) => fetch(`https://acme.atlassian.net/rest/api/3/issue/${key}`, { method: 'GET' });
export const gateway = (cloudId) =>
  fetch(`https://api.atlassian.com/ex/jira/${cloudId}/rest/api/3/myself`, { method: 'GET' });
EOF
	check_json
	json_equal '[
		["src/urls.js", 1, "GET", "GET /rest/api/3/issue/{issueIdOrKey}"],
		["src/urls.js", 3, "GET", "GET /rest/api/3/myself"]
	]' "$(site_ops)"
}

@test "path matching no operation is unresolved" {
	write_file src/odd.js <<'EOF'
import api, { route } from '@forge/api';

export const odd = () => api.asApp().requestJira(route`/rest/api/3/no-such-resource`, { method: 'GET' });
EOF
	check_json
	json_equal '[["src/odd.js", 3, "GET", "/rest/api/3/no-such-resource", null]]' \
		"$(json_pick "$output" 'sites(app(".jira-scopes")["unresolved"])')"
}
