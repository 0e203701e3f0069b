/*
 * Unit tests of the scanner: one table row per way of writing a Jira REST
 * call in each language, each row checked hit by hit (path, method, via,
 * line), plus language detection and inputs that must not break it.
 */
#include "unit.h"

#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "scanner.h"

#define MAX_HITS 4

struct expected_hit {
	const char *path;
	const char *method; /* NULL when the scanner cannot find the method */
	gjs_call_via via;
	unsigned line;
};

struct scan_case {
	const char *name;
	gjs_language lang;
	const char *source;
	size_t count;
	struct expected_hit hits[MAX_HITS];
};

#define FORGE GJS_VIA_PRODUCT_FETCH
#define CONNECT GJS_VIA_CONNECT
#define OWN GJS_VIA_OWN_CREDENTIALS
#define HTTP GJS_VIA_HTTP
#define UNKNOWN GJS_VIA_UNKNOWN

static const struct scan_case cases[] = {
	/* JavaScript and TypeScript: Forge */
	{ "js forge route bare is GET", GJS_LANG_JS,
		"import api, { route } from '@forge/api';\n"
		"const res = await api.asApp().requestJira(route`/rest/api/3/issue/${key}`);\n",
		1, { { "/rest/api/3/issue/${key}", "GET", FORGE, 2 } } },
	{ "js forge asUser with options", GJS_LANG_JS,
		"await api.asUser().requestJira(route`/rest/api/3/issue/${key}/transitions`, { method: 'POST', body });\n",
		1, { { "/rest/api/3/issue/${key}/transitions", "POST", FORGE, 1 } } },
	{ "js forge call split over lines", GJS_LANG_JS,
		"async function remove(key) {\n"
		"  const res = await api.asApp().requestJira(\n"
		"    route`/rest/api/3/issue/${key}`,\n"
		"    { method: 'DELETE' }\n"
		"  );\n"
		"}\n",
		1, { { "/rest/api/3/issue/${key}", "DELETE", FORGE, 3 } } },
	{ "js forge options on later lines", GJS_LANG_JS,
		"const res = await api.asApp().requestJira(route`/rest/api/3/issue`, {\n"
		"  headers: { 'Content-Type': 'application/json' },\n"
		"  method: \"PUT\",\n"
		"  body: JSON.stringify(data),\n"
		"});\n",
		1, { { "/rest/api/3/issue", "PUT", FORGE, 1 } } },
	{ "js forge bridge template literal", GJS_LANG_JS,
		"import { requestJira } from '@forge/bridge';\n"
		"const r = await requestJira(`/rest/api/3/myself`);\n",
		1, { { "/rest/api/3/myself", "GET", FORGE, 2 } } },
	{ "js forge wrapper named requestJira", GJS_LANG_JS,
		"await requestJiraAsApp(route`/rest/api/3/project/${id}`, { method: 'PATCH' });\n",
		1, { { "/rest/api/3/project/${id}", "PATCH", FORGE, 1 } } },
	{ "js forge options in variable unknown", GJS_LANG_JS,
		"await api.asApp().requestJira(route`/rest/agile/1.0/board/${id}/sprint`, options);\n",
		1, { { "/rest/agile/1.0/board/${id}/sprint", NULL, FORGE, 1 } } },
	{ "js forge method held in variable", GJS_LANG_JS,
		"await requestJira(route`/rest/api/3/issue/${key}`, { method: verb });\n",
		1, { { "/rest/api/3/issue/${key}", NULL, FORGE, 1 } } },
	{ "js forge path through constant", GJS_LANG_JS,
		"const path = route`/rest/api/3/issue/${key}/comment`;\n"
		"const res = await api.asUser().requestJira(path, { method: 'POST' });\n",
		1, { { "/rest/api/3/issue/${key}/comment", "POST", FORGE, 1 } } },

	/* JavaScript: Connect */
	{ "js connect AP.request object", GJS_LANG_JS,
		"AP.request({\n"
		"  url: '/rest/api/2/issue/' + key,\n"
		"  type: 'PUT',\n"
		"  success: done,\n"
		"});\n",
		1, { { "/rest/api/2/issue/{}", "PUT", CONNECT, 2 } } },
	{ "js connect AP.request url and options", GJS_LANG_JS,
		"AP.request('/rest/api/2/user?accountId=' + id, { type: 'DELETE' });\n",
		1, { { "/rest/api/2/user?accountId={}", "DELETE", CONNECT, 1 } } },
	{ "js connect AP.request default GET", GJS_LANG_JS,
		"AP.request({ url: '/rest/api/2/myself', success: cb });\n",
		1, { { "/rest/api/2/myself", "GET", CONNECT, 1 } } },
	{ "js connect express httpClient", GJS_LANG_JS,
		"addon.httpClient(req).post({ url: '/rest/api/2/issue', json: body });\n"
		"httpClient.get('/rest/api/2/myself', cb);\n",
		2, { { "/rest/api/2/issue", "POST", CONNECT, 1 },
		     { "/rest/api/2/myself", "GET", CONNECT, 2 } } },
	{ "js fetch with JWT header", GJS_LANG_JS,
		"fetch(base + '/rest/api/3/issue', { headers: { Authorization: 'JWT ' + token } });\n",
		1, { { "/rest/api/3/issue", "GET", CONNECT, 1 } } },

	/* JavaScript: plain HTTP clients */
	{ "js fetch absolute url is GET", GJS_LANG_JS,
		"const r = await fetch('https://example.atlassian.net/rest/api/3/myself');\n",
		1, { { "/rest/api/3/myself", "GET", HTTP, 1 } } },
	{ "js fetch gateway url bearer", GJS_LANG_JS,
		"await fetch(`https://api.atlassian.com/ex/jira/${cloudId}/rest/api/3/issue`, {\n"
		"  method: 'POST',\n"
		"  headers: { Authorization: `Bearer ${token}` },\n"
		"});\n",
		1, { { "/rest/api/3/issue", "POST", OWN, 1 } } },
	{ "js fetch basic auth btoa", GJS_LANG_JS,
		"fetch(`${BASE_URL}/rest/api/3/search?jql=${jql}&maxResults=50`, {\n"
		"  headers: { Authorization: 'Basic ' + btoa(email + ':' + token) } });\n",
		1, { { "/rest/api/3/search?jql=${jql}&maxResults=50", "GET", OWN, 1 } } },
	{ "js fetch options variable unknown", GJS_LANG_JS,
		"fetch('/rest/servicedeskapi/request', opts);\n",
		1, { { "/rest/servicedeskapi/request", NULL, HTTP, 1 } } },
	{ "js axios verb and concatenation", GJS_LANG_JS,
		"axios.put(BASE_URL + '/rest/api/3/issue/' + key + '/transitions', data);\n",
		1, { { "/rest/api/3/issue/{}/transitions", "PUT", HTTP, 1 } } },
	{ "js concatenation over lines", GJS_LANG_JS,
		"axios.delete(\n"
		"  BASE_URL +\n"
		"    '/rest/api/3/issue/' +\n"
		"    issue.key +\n"
		"    '/votes'\n"
		");\n",
		1, { { "/rest/api/3/issue/{}/votes", "DELETE", HTTP, 3 } } },
	{ "js constant without call unknown", GJS_LANG_JS,
		"export const ISSUE_PATH = '/rest/api/3/issue';\n",
		1, { { "/rest/api/3/issue", NULL, UNKNOWN, 1 } } },
	{ "js comments skipped", GJS_LANG_JS,
		"// requestJira(route`/rest/api/3/commented`)\n"
		"/* fetch('/rest/api/3/block')\n"
		"   fetch('/rest/api/3/block2') */\n"
		"const u = '/* not a comment */'; fetch('/rest/api/3/real');\n",
		1, { { "/rest/api/3/real", "GET", HTTP, 4 } } },
	{ "js template over lines keeps slashes", GJS_LANG_JS,
		"const q = `\n"
		"  // inside the template\n"
		"  ${base}/rest/api/3/search`;\n",
		1, { { "/rest/api/3/search", NULL, UNKNOWN, 3 } } },
	{ "js one hit per literal", GJS_LANG_JS,
		"fetch('/rest/api/3/search?next=/rest/api/3/search');\n",
		1, { { "/rest/api/3/search?next=/rest/api/3/search", "GET", HTTP, 1 } } },
	{ "js not a jira prefix", GJS_LANG_JS,
		"fetch('/wiki/rest/api/content'); fetch('/rest/api/latest/x'); fetch('/rest/agile/1.0/epic');\n",
		1, { { "/rest/agile/1.0/epic", "GET", HTTP, 1 } } },

	/* Python */
	{ "py requests f-string basic auth", GJS_LANG_PYTHON,
		"auth = HTTPBasicAuth(email, token)\n"
		"r = requests.get(f\"{base}/rest/api/3/issue/{key}\", auth=auth)\n",
		1, { { "/rest/api/3/issue/{key}", "GET", OWN, 2 } } },
	{ "py requests post concatenation", GJS_LANG_PYTHON,
		"resp = requests.post(BASE + \"/rest/api/3/issue\", json=payload)\n",
		1, { { "/rest/api/3/issue", "POST", HTTP, 1 } } },
	{ "py percent format through variable", GJS_LANG_PYTHON,
		"url = \"%s/rest/api/3/issue/%s\" % (base, key)\n"
		"resp = requests.put(url, json=data)\n",
		1, { { "/rest/api/3/issue/%s", "PUT", HTTP, 1 } } },
	{ "py format method session", GJS_LANG_PYTHON,
		"session.delete(\"{}/rest/api/3/issue/{}\".format(base, key))\n",
		1, { { "/rest/api/3/issue/{}", "DELETE", HTTP, 1 } } },
	{ "py requests.request verb argument", GJS_LANG_PYTHON,
		"requests.request('PUT', base + '/rest/agile/1.0/sprint/{0}'.format(sid))\n",
		1, { { "/rest/agile/1.0/sprint/{0}", "PUT", HTTP, 1 } } },
	{ "py method in variable", GJS_LANG_PYTHON,
		"requests.request(method, f\"{base}/rest/api/3/field\")\n",
		1, { { "/rest/api/3/field", NULL, HTTP, 1 } } },
	{ "py split call bearer", GJS_LANG_PYTHON,
		"r = requests.patch(\n"
		"    f\"{base}/rest/servicedeskapi/request/{rid}\",\n"
		"    headers={\"Authorization\": f\"Bearer {tok}\"},\n"
		")\n",
		1, { { "/rest/servicedeskapi/request/{rid}", "PATCH", OWN, 2 } } },
	{ "py auth tuple absolute url query", GJS_LANG_PYTHON,
		"x = requests.get('https://example.atlassian.net/rest/api/3/myself?expand=groups', auth=(user, token))\n",
		1, { { "/rest/api/3/myself?expand=groups", "GET", OWN, 1 } } },
	{ "py docstring hash is no comment", GJS_LANG_PYTHON,
		"\"\"\"Calls Jira.\n"
		"# uses /rest/api/3/issue\n"
		"\"\"\"\n"
		"requests.post(f\"{base}/rest/api/3/issue/{key}/comment\", json=body)\n",
		2, { { "/rest/api/3/issue", NULL, UNKNOWN, 2 },
		     { "/rest/api/3/issue/{key}/comment", "POST", HTTP, 4 } } },
	{ "py hash comment skipped", GJS_LANG_PYTHON,
		"# requests.get(f\"{base}/rest/api/3/commented\")\n"
		"x = '#'; requests.head(f'{base}/rest/api/3/serverInfo')\n",
		1, { { "/rest/api/3/serverInfo", "HEAD", HTTP, 2 } } },

	/* Java */
	{ "java HttpPut concatenation", GJS_LANG_JAVA,
		"HttpPut put = new HttpPut(baseUrl + \"/rest/api/3/issue/\" + key);\n",
		1, { { "/rest/api/3/issue/{}", "PUT", HTTP, 1 } } },
	{ "java String.format through variable", GJS_LANG_JAVA,
		"String url = String.format(\"%s/rest/api/3/issue/%s\", base, key);\n"
		"HttpDelete del = new HttpDelete(url);\n"
		"del.setHeader(\"Authorization\", \"Basic \" + encoded);\n",
		1, { { "/rest/api/3/issue/%s", "DELETE", OWN, 1 } } },
	{ "java exchange HttpMethod", GJS_LANG_JAVA,
		"restTemplate.exchange(base + \"/rest/api/2/issue/{key}\", HttpMethod.DELETE, null, Void.class, key);\n",
		1, { { "/rest/api/2/issue/{key}", "DELETE", HTTP, 1 } } },
	{ "java HttpRequest builder", GJS_LANG_JAVA,
		"HttpRequest req = HttpRequest.newBuilder()\n"
		"    .uri(URI.create(base + \"/rest/api/3/issue\"))\n"
		"    .header(\"Authorization\", \"Basic \" + enc)\n"
		"    .POST(BodyPublishers.ofString(json))\n"
		"    .build();\n",
		1, { { "/rest/api/3/issue", "POST", OWN, 2 } } },
	{ "java okhttp builder method", GJS_LANG_JAVA,
		"Request r = new Request.Builder().url(base + \"/rest/api/3/issue/\" + k).method(\"PUT\", body).build();\n"
		"Request g = new Request.Builder().url(base + \"/rest/api/3/myself\").build();\n",
		2, { { "/rest/api/3/issue/{}", "PUT", HTTP, 1 },
		     { "/rest/api/3/myself", "GET", HTTP, 2 } } },
	{ "java format unused unknown", GJS_LANG_JAVA,
		"static final String BOARD = String.format(\"%s/rest/agile/1.0/board/%d\", base, id);\n",
		1, { { "/rest/agile/1.0/board/%d", NULL, UNKNOWN, 1 } } },

	/* Kotlin */
	{ "kotlin ktor verb template", GJS_LANG_KOTLIN,
		"val r = client.put(\"$base/rest/api/3/issue/$key\") { setBody(x) }\n",
		1, { { "/rest/api/3/issue/$key", "PUT", HTTP, 1 } } },
	{ "kotlin request lambda HttpMethod", GJS_LANG_KOTLIN,
		"val r = client.request(\"$base/rest/api/3/issue/${key}\") { method = HttpMethod.Delete }\n",
		1, { { "/rest/api/3/issue/${key}", "DELETE", HTTP, 1 } } },
	{ "kotlin okhttp method call", GJS_LANG_KOTLIN,
		"val req = Request.Builder().url(\"$base/rest/api/3/issue/$k\").method(\"PUT\", body).build()\n",
		1, { { "/rest/api/3/issue/$k", "PUT", HTTP, 1 } } },

	/* Go */
	{ "go Sprintf then NewRequest", GJS_LANG_GO,
		"func f() error {\n"
		"\turl := fmt.Sprintf(\"%s/rest/api/3/issue/%s\", base, key)\n"
		"\treq, err := http.NewRequest(\"PUT\", url, body)\n"
		"\treq.SetBasicAuth(email, token)\n"
		"\tresp, err := http.Get(base + \"/rest/api/3/myself\")\n"
		"\treturn err\n"
		"}\n",
		2, { { "/rest/api/3/issue/%s", "PUT", OWN, 2 },
		     { "/rest/api/3/myself", "GET", HTTP, 5 } } },
	{ "go http.MethodPost", GJS_LANG_GO,
		"req, _ := http.NewRequest(http.MethodPost, base+\"/rest/api/3/issue/\"+key+\"/comment\", b)\n",
		1, { { "/rest/api/3/issue/{}/comment", "POST", HTTP, 1 } } },
	{ "go comment skipped raw string kept", GJS_LANG_GO,
		"// http.Get(base + \"/rest/api/3/commented\")\n"
		"resp, _ := http.Post(base+`/rest/api/3/issue/%d`, \"application/json\", r)\n",
		1, { { "/rest/api/3/issue/%d", "POST", HTTP, 2 } } },

	/* C# */
	{ "csharp PostAsync interpolation", GJS_LANG_CSHARP,
		"var r = await client.PostAsync($\"{baseUrl}/rest/api/3/issue\", content);\n",
		1, { { "/rest/api/3/issue", "POST", HTTP, 1 } } },
	{ "csharp HttpRequestMessage HttpMethod", GJS_LANG_CSHARP,
		"var req = new HttpRequestMessage(HttpMethod.Put, $\"{baseUrl}/rest/api/3/issue/{key}\");\n",
		1, { { "/rest/api/3/issue/{key}", "PUT", HTTP, 1 } } },
	{ "csharp basic header before call", GJS_LANG_CSHARP,
		"client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(\"Basic\", creds);\n"
		"await client.DeleteAsync($\"{baseUrl}/rest/api/3/issue/{key}\");\n",
		1, { { "/rest/api/3/issue/{key}", "DELETE", OWN, 2 } } },

	/* Ruby */
	{ "ruby Net::HTTP::Post through variable", GJS_LANG_RUBY,
		"uri = URI(\"#{base}/rest/api/3/issue\")\n"
		"req = Net::HTTP::Post.new(uri)\n"
		"req.basic_auth(user, token)\n",
		1, { { "/rest/api/3/issue", "POST", OWN, 1 } } },
	{ "ruby RestClient without parentheses", GJS_LANG_RUBY,
		"RestClient.put \"#{BASE}/rest/api/3/issue/#{key}\", payload.to_json, headers\n"
		"# RestClient.get \"#{BASE}/rest/api/3/commented\"\n"
		"r = RestClient.delete(\"#{BASE}/rest/api/3/issue/#{key}\")\n",
		2, { { "/rest/api/3/issue/#{key}", "PUT", HTTP, 1 },
		     { "/rest/api/3/issue/#{key}", "DELETE", HTTP, 3 } } },

	/* PHP */
	{ "php guzzle request auth", GJS_LANG_PHP,
		"<?php\n"
		"$response = $client->request('PUT', \"/rest/api/3/issue/$key\", ['auth' => [$user, $token]]);\n",
		1, { { "/rest/api/3/issue/$key", "PUT", OWN, 2 } } },
	{ "php dot concatenation post", GJS_LANG_PHP,
		"<?php\n"
		"$client->post('/rest/api/3/issue/' . $key . '/comment', ['json' => $body]);\n",
		1, { { "/rest/api/3/issue/{}/comment", "POST", HTTP, 2 } } },
	{ "php variable then get", GJS_LANG_PHP,
		"<?php\n"
		"$url = $base . '/rest/api/3/search?jql=' . urlencode($jql);\n"
		"$r = $client->get($url);\n"
		"# $client->get('/rest/api/3/commented');\n",
		1, { { "/rest/api/3/search?jql={}", "GET", HTTP, 2 } } },
	{ "php curl customrequest", GJS_LANG_PHP,
		"<?php\n"
		"$ch = curl_init(\"$base/rest/api/3/issue/$key\");\n"
		"curl_setopt($ch, CURLOPT_CUSTOMREQUEST, 'DELETE');\n",
		1, { { "/rest/api/3/issue/$key", "DELETE", HTTP, 2 } } },

	/* Shell */
	{ "shell curl -X with user", GJS_LANG_SHELL,
		"#!/bin/sh\n"
		"curl -X PUT \"$JIRA/rest/api/3/issue/$KEY\" -u \"$EMAIL:$TOKEN\" -d @body.json\n",
		1, { { "/rest/api/3/issue/$KEY", "PUT", OWN, 2 } } },
	{ "shell curl --request bare url bearer", GJS_LANG_SHELL,
		"curl --request POST https://example.atlassian.net/rest/api/3/issue -H \"Authorization: Bearer $T\"\n",
		1, { { "/rest/api/3/issue", "POST", OWN, 1 } } },
	{ "shell curl plain is GET", GJS_LANG_SHELL,
		"curl -s \"$JIRA/rest/api/3/myself\"\n",
		1, { { "/rest/api/3/myself", "GET", HTTP, 1 } } },
	{ "shell curl data implies POST", GJS_LANG_SHELL,
		"curl -d '{\"a\":1}' \"$JIRA/rest/api/3/issue\"\n"
		"curl --data-binary @x.json \"$JIRA/rest/api/3/issue/bulk\"\n",
		2, { { "/rest/api/3/issue", "POST", HTTP, 1 },
		     { "/rest/api/3/issue/bulk", "POST", HTTP, 2 } } },
	{ "shell curl continued lines", GJS_LANG_SHELL,
		"# curl \"$JIRA/rest/api/3/commented\"\n"
		"curl -sS \\\n"
		"  -X DELETE \\\n"
		"  \"$JIRA/rest/servicedeskapi/request/$ID\"\n",
		1, { { "/rest/servicedeskapi/request/$ID", "DELETE", HTTP, 4 } } },
	{ "shell variable then curl", GJS_LANG_SHELL,
		"URL=\"$JIRA/rest/agile/1.0/board\"\n"
		"curl --data-raw x \"$URL\"\n",
		1, { { "/rest/agile/1.0/board", "POST", HTTP, 1 } } },
	{ "shell wget method and user", GJS_LANG_SHELL,
		"wget --method=PUT --user=\"$EMAIL\" \"$JIRA/rest/api/3/issue/$KEY\"\n",
		1, { { "/rest/api/3/issue/$KEY", "PUT", OWN, 1 } } },
	{ "shell curl --user and head", GJS_LANG_SHELL,
		"curl -I --user \"$EMAIL:$TOKEN\" \"$JIRA/rest/api/2/serverInfo\"\n",
		1, { { "/rest/api/2/serverInfo", "HEAD", OWN, 1 } } },
	{ "shell path without client", GJS_LANG_SHELL,
		"echo \"$JIRA/rest/api/3/myself\"\n",
		1, { { "/rest/api/3/myself", NULL, UNKNOWN, 1 } } },
};

static void check_case(void **state)
{
	const struct scan_case *c = *state;
	gjs_scan_result result = { 0 };

	assert_int_equal(gjs_scan_source(&result, c->lang, c->source, strlen(c->source)), 0);
	assert_int_equal(result.count, c->count);
	for (size_t i = 0; i < c->count; i++) {
		const gjs_scan_hit *hit = &result.hits[i];
		const struct expected_hit *want = &c->hits[i];

		assert_string_equal(hit->path, want->path);
		if (want->method)
			assert_non_null(hit->method);
		if (want->method)
			assert_string_equal(hit->method, want->method);
		else
			assert_null(hit->method);
		assert_int_equal(hit->via, want->via);
		assert_int_equal(hit->line, want->line);
	}
	gjs_scan_result_free(&result);
}

static void test_language_by_extension(void **state)
{
	(void)state;
	assert_int_equal(gjs_scan_language("src/index.js"), GJS_LANG_JS);
	assert_int_equal(gjs_scan_language("a/b.tsx"), GJS_LANG_JS);
	assert_int_equal(gjs_scan_language("x.mjs"), GJS_LANG_JS);
	assert_int_equal(gjs_scan_language("x.cts"), GJS_LANG_JS);
	assert_int_equal(gjs_scan_language("app.py"), GJS_LANG_PYTHON);
	assert_int_equal(gjs_scan_language("Main.java"), GJS_LANG_JAVA);
	assert_int_equal(gjs_scan_language("build.gradle.kts"), GJS_LANG_KOTLIN);
	assert_int_equal(gjs_scan_language("Client.kt"), GJS_LANG_KOTLIN);
	assert_int_equal(gjs_scan_language("main.go"), GJS_LANG_GO);
	assert_int_equal(gjs_scan_language("Program.cs"), GJS_LANG_CSHARP);
	assert_int_equal(gjs_scan_language("lib/jira.rb"), GJS_LANG_RUBY);
	assert_int_equal(gjs_scan_language("index.php"), GJS_LANG_PHP);
	assert_int_equal(gjs_scan_language("deploy.sh"), GJS_LANG_SHELL);
	assert_int_equal(gjs_scan_language("x.bash"), GJS_LANG_SHELL);
	assert_int_equal(gjs_scan_language("x.zsh"), GJS_LANG_SHELL);
	assert_int_equal(gjs_scan_language("README.md"), GJS_LANG_NONE);
	assert_int_equal(gjs_scan_language("Makefile"), GJS_LANG_NONE);
	assert_int_equal(gjs_scan_language("dir.js/file"), GJS_LANG_NONE);
	assert_int_equal(gjs_scan_language(".js"), GJS_LANG_NONE);
	assert_int_equal(gjs_scan_language(NULL), GJS_LANG_NONE);
}

static void test_language_none_scans_nothing(void **state)
{
	const char *src = "fetch('/rest/api/3/myself')\n";
	gjs_scan_result result = { 0 };

	(void)state;
	assert_int_equal(gjs_scan_source(&result, GJS_LANG_NONE, src, strlen(src)), 0);
	assert_int_equal(result.count, 0);
	gjs_scan_result_free(&result);
}

static void test_empty_input(void **state)
{
	gjs_scan_result result = { 0 };

	(void)state;
	assert_int_equal(gjs_scan_source(&result, GJS_LANG_JS, "", 0), 0);
	assert_int_equal(result.count, 0);
	assert_int_equal(gjs_scan_source(&result, GJS_LANG_JS, NULL, 0), 0);
	assert_int_equal(result.count, 0);
	gjs_scan_result_free(&result);
	gjs_scan_result_free(NULL);
}

static void test_nul_bytes_around_path(void **state)
{
	static const char src[] = "\0\0fetch('/rest/api/3/issue/\0x');\0requests.get('/rest/api/3/myself')\0";
	gjs_scan_result result = { 0 };

	(void)state;
	assert_int_equal(gjs_scan_source(&result, GJS_LANG_JS, src, sizeof(src) - 1), 0);
	assert_int_equal(result.count, 2);
	assert_string_equal(result.hits[0].path, "/rest/api/3/issue/");
	assert_int_equal(result.hits[0].line, 1);
	assert_string_equal(result.hits[1].path, "/rest/api/3/myself");
	assert_string_equal(result.hits[1].method, "GET");
	assert_int_equal(result.hits[1].via, GJS_VIA_HTTP);
	gjs_scan_result_free(&result);
}

static void test_unterminated_string_at_eof(void **state)
{
	const char *src = "x = 1\nfetch(`/rest/api/3/issue/${key";
	gjs_scan_result result = { 0 };

	(void)state;
	assert_int_equal(gjs_scan_source(&result, GJS_LANG_JS, src, strlen(src)), 0);
	assert_int_equal(result.count, 1);
	assert_string_equal(result.hits[0].path, "/rest/api/3/issue/${key");
	assert_string_equal(result.hits[0].method, "GET");
	assert_int_equal(result.hits[0].via, GJS_VIA_HTTP);
	assert_int_equal(result.hits[0].line, 2);
	gjs_scan_result_free(&result);
}

static void test_path_at_end_of_buffer(void **state)
{
	/* The buffer is not NUL-terminated after its last byte. */
	char *src = gjs_xmalloc(16);
	gjs_scan_result result = { 0 };

	(void)state;
	memcpy(src, "'/rest/api/3/", 13);
	assert_int_equal(gjs_scan_source(&result, GJS_LANG_PYTHON, src, 13), 0);
	assert_int_equal(result.count, 1);
	assert_string_equal(result.hits[0].path, "/rest/api/3/");
	assert_null(result.hits[0].method);
	assert_int_equal(result.hits[0].via, GJS_VIA_UNKNOWN);
	gjs_scan_result_free(&result);

	/* A prefix cut short by the end is no path. */
	assert_int_equal(gjs_scan_source(&result, GJS_LANG_PYTHON, src, 10), 0);
	assert_int_equal(result.count, 0);
	free(src);
}

static void test_binary_noise_does_not_crash(void **state)
{
	size_t len = 1 << 20;
	unsigned char *src = gjs_xmalloc(len);
	unsigned seed = 12345;
	gjs_scan_result result = { 0 };
	static const char *const pieces[] = {
		"/rest/api/3/", "'", "\"", "`", "${", "}", "(", ")", "/*", "//", "#", "\\",
		"requestJira(", "curl -X", "+", "=", "\n", "method:",
	};

	(void)state;
	for (size_t i = 0; i < len;) {
		seed = seed * 1103515245u + 12345u;
		if ((seed >> 16) % 4 == 0) {
			const char *p = pieces[(seed >> 8) % (sizeof(pieces) / sizeof(pieces[0]))];
			size_t n = strlen(p);

			if (i + n > len)
				n = len - i;
			memcpy(src + i, p, n);
			i += n;
		} else {
			src[i++] = (unsigned char)(seed >> 20);
		}
	}
	for (int lang = GJS_LANG_JS; lang <= GJS_LANG_SHELL; lang++) {
		assert_int_equal(gjs_scan_source(&result, (gjs_language)lang, (const char *)src, len), 0);
		assert_true(result.count > 0);
		for (size_t i = 0; i < result.count; i++) {
			assert_non_null(result.hits[i].path);
			assert_true(strncmp(result.hits[i].path, "/rest/", 6) == 0);
			assert_true(result.hits[i].line >= 1);
		}
		gjs_scan_result_free(&result);
	}
	free(src);
}

static void test_many_hits_on_one_line(void **state)
{
	const char *piece = "fetch(`/rest/api/3/issue/${k}`, {method:'POST'}); ";
	size_t n = strlen(piece), count = 10000;
	char *src = gjs_xmalloc(n * count);
	gjs_scan_result result = { 0 };

	(void)state;
	for (size_t i = 0; i < count; i++)
		memcpy(src + i * n, piece, n);
	assert_int_equal(gjs_scan_source(&result, GJS_LANG_JS, src, n * count), 0);
	assert_int_equal(result.count, count);
	assert_string_equal(result.hits[count - 1].path, "/rest/api/3/issue/${k}");
	assert_string_equal(result.hits[count - 1].method, "POST");
	assert_int_equal(result.hits[count - 1].line, 1);
	gjs_scan_result_free(&result);
	free(src);
}

int main(void)
{
	size_t ncases = sizeof(cases) / sizeof(cases[0]);
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_language_by_extension),
		cmocka_unit_test(test_language_none_scans_nothing),
		cmocka_unit_test(test_empty_input),
		cmocka_unit_test(test_nul_bytes_around_path),
		cmocka_unit_test(test_unterminated_string_at_eof),
		cmocka_unit_test(test_path_at_end_of_buffer),
		cmocka_unit_test(test_binary_noise_does_not_crash),
		cmocka_unit_test(test_many_hits_on_one_line),
	};
	size_t nfixed = sizeof(fixed) / sizeof(fixed[0]);
	struct CMUnitTest *tests = gjs_xcalloc(ncases + nfixed, sizeof(*tests));
	int failed;

	/* One named test per table row, so that a failure names its case. */
	for (size_t i = 0; i < ncases; i++) {
		tests[i].name = cases[i].name;
		tests[i].test_func = check_case;
		tests[i].initial_state = (void *)&cases[i];
	}
	memcpy(tests + ncases, fixed, sizeof(fixed));
	failed = _cmocka_run_group_tests("scanner", tests, ncases + nfixed, NULL, NULL);
	free(tests);
	return failed;
}
