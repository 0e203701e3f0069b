/*
 * Unit tests for the catalog: importing OpenAPI specs, parsing catalog text
 * and the committed built-in catalog, path normalisation, matching, scope
 * kinds and the Connect ladder.
 */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog.h"

/* Writes `text` to a new temporary file and returns its path (caller frees
 * and unlinks). */
static char *write_temp(const char *text)
{
	char *path = gjs_xstrdup("/tmp/gjs-test-catalog-XXXXXX");
	int fd = mkstemp(path);
	size_t len = strlen(text);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
	return path;
}

/* Imports one spec given as text; returns the error code, catalog text in `out`. */
static int import_text(gjs_buf *out, const char *spec, char **path_out)
{
	char *path = write_temp(spec);
	const char *paths[] = { path };
	int error = gjs_catalog_import(out, paths, 1);

	if (path_out) {
		*path_out = path;
	} else {
		unlink(path);
		free(path);
	}
	return error;
}

static const char tiny_spec[] =
	"{\"openapi\":\"3.0.1\",\"info\":{\"title\":\"Tiny Jira\",\"version\":\"1.2\"},"
	"\"components\":{\"securitySchemes\":{\"OAuth2\":{\"type\":\"oauth2\",\"flows\":"
	"{\"authorizationCode\":{\"scopes\":{\"read:jira-work\":\"x\",\"unused:jira-thing\":\"y\"}}}}}},"
	"\"paths\":{"
	"\"/rest/api/3/issue/{issueIdOrKey}\":{"
	"\"parameters\":[],"
	"\"get\":{\"operationId\":\"getIssue\",\"description\":\"long text\","
	"\"x-atlassian-oauth2-scopes\":["
	"{\"scheme\":\"OAuth2\",\"scopes\":[\"read:jira-work\"],\"state\":\"Current\"},"
	"{\"scheme\":\"OAuth2\",\"scopes\":[\"read:issue:jira\",\"read:avatar:jira\"],\"state\":\"Beta\"}],"
	"\"x-atlassian-connect-scope\":\"READ\"},"
	"\"delete\":{\"operationId\":\"deleteIssue\",\"deprecated\":true,"
	"\"x-atlassian-oauth2-scopes\":["
	"{\"scheme\":\"OAuth2\",\"scopes\":[\"delete:issue:jira\"],\"state\":\"Beta\"}],"
	"\"x-atlassian-connect-scope\":\"DELETE\"}},"
	"\"/rest/agile/1.0/board\":{"
	"\"get\":{\"operationId\":\"getAllBoards\",\"security\":[{\"basicAuth\":[]},"
	"{\"OAuth2\":[\"read:board-scope:jira-software\",\"read:project:jira\"]}],"
	"\"x-atlassian-connect-scope\":\"READ\"},"
	"\"post\":{\"security\":[{\"OAuth2\":[\"write:jira-work\"]}]}}"
	"}}";

static void import_tiny_spec_whole_output(void **state)
{
	gjs_buf out = GJS_BUF_INIT;
	const char *expected =
		"# git-jira-scopes catalog from: Tiny Jira 1.2\n"
		"# tab-separated fields: path method operationId classic granular connect "
		"deprecated ('-' is empty); 'scope<TAB>NAME' lines list every scope the specs "
		"define\n"
		"/rest/agile/1.0/board\tGET\tgetAllBoards\t-\t"
		"read:board-scope:jira-software,read:project:jira\tREAD\t-\n"
		"/rest/agile/1.0/board\tPOST\t-\twrite:jira-work\t-\t-\t-\n"
		"/rest/api/3/issue/{issueIdOrKey}\tDELETE\tdeleteIssue\t-\tdelete:issue:jira\tDELETE\t"
		"deprecated\n"
		"/rest/api/3/issue/{issueIdOrKey}\tGET\tgetIssue\tread:jira-work\t"
		"read:avatar:jira,read:issue:jira\tREAD\t-\n"
		"scope\tdelete:issue:jira\n"
		"scope\tread:avatar:jira\n"
		"scope\tread:board-scope:jira-software\n"
		"scope\tread:issue:jira\n"
		"scope\tread:jira-work\n"
		"scope\tread:project:jira\n"
		"scope\tunused:jira-thing\n"
		"scope\twrite:jira-work\n";

	(void)state;
	assert_int_equal(import_text(&out, tiny_spec, NULL), 0);
	assert_string_equal(gjs_buf_cstr(&out), expected);
	gjs_buf_free(&out);
}

static void import_then_parse_round_trip(void **state)
{
	gjs_buf out = GJS_BUF_INIT;
	gjs_catalog *catalog = NULL;
	const gjs_operation *op;

	(void)state;
	assert_int_equal(import_text(&out, tiny_spec, NULL), 0);
	assert_int_equal(gjs_catalog_parse(&catalog, out.ptr, out.len, "tiny"), 0);
	assert_int_equal(gjs_catalog_count(catalog), 4);

	/* Current is classic, Beta granular. */
	op = gjs_catalog_get(catalog, 3);
	assert_string_equal(op->method, "GET");
	assert_string_equal(op->path, "/rest/api/3/issue/{issueIdOrKey}");
	assert_string_equal(op->operation_id, "getIssue");
	assert_int_equal(op->classic_count, 1);
	assert_string_equal(op->classic[0], "read:jira-work");
	assert_int_equal(op->granular_count, 2);
	assert_string_equal(op->granular[0], "read:avatar:jira");
	assert_string_equal(op->granular[1], "read:issue:jira");
	assert_string_equal(op->connect, "READ");
	assert_false(op->deprecated);

	/* No Current entry: no classic alternative. */
	op = gjs_catalog_get(catalog, 2);
	assert_string_equal(op->method, "DELETE");
	assert_int_equal(op->classic_count, 0);
	assert_int_equal(op->granular_count, 1);
	assert_string_equal(op->connect, "DELETE");
	assert_true(op->deprecated);

	/* Security fallback: three-part names are granular, two-part classic. */
	op = gjs_catalog_get(catalog, 0);
	assert_string_equal(op->method, "GET");
	assert_int_equal(op->classic_count, 0);
	assert_int_equal(op->granular_count, 2);
	op = gjs_catalog_get(catalog, 1);
	assert_string_equal(op->method, "POST");
	assert_string_equal(op->operation_id, "");
	assert_string_equal(op->connect, "");
	assert_int_equal(op->classic_count, 1);
	assert_string_equal(op->classic[0], "write:jira-work");
	assert_int_equal(op->granular_count, 0);

	/* Scopes only the security schemes define are still known. */
	assert_int_equal(gjs_catalog_scope_kind(catalog, "unused:jira-thing"), GJS_SCOPE_CLASSIC);

	gjs_catalog_free(catalog);
	gjs_buf_free(&out);
}

static void import_same_operation_twice(void **state)
{
	gjs_buf once = GJS_BUF_INIT;
	gjs_buf twice = GJS_BUF_INIT;
	char *path = write_temp(tiny_spec);
	const char *paths[] = { path, path };
	const char *once_ops;
	const char *twice_ops;

	(void)state;
	assert_int_equal(gjs_catalog_import(&once, paths, 1), 0);
	assert_int_equal(gjs_catalog_import(&twice, paths, 2), 0);

	/* The header names both sources; the operations appear once. */
	assert_non_null(strstr(gjs_buf_cstr(&twice), "from: Tiny Jira 1.2; Tiny Jira 1.2\n"));
	once_ops = strstr(gjs_buf_cstr(&once), "\n/");
	twice_ops = strstr(gjs_buf_cstr(&twice), "\n/");
	assert_non_null(once_ops);
	assert_non_null(twice_ops);
	assert_string_equal(once_ops, twice_ops);

	unlink(path);
	free(path);
	gjs_buf_free(&once);
	gjs_buf_free(&twice);
}

static void import_error_names_file(const char *spec, const char *what)
{
	gjs_buf out = GJS_BUF_INIT;
	char *path = NULL;

	assert_int_equal(import_text(&out, spec, &path), GJS_EINVALID);
	assert_non_null(strstr(gjs_error_last(), path));
	assert_non_null(strstr(gjs_error_last(), what));
	assert_int_equal(out.len, 0);
	unlink(path);
	free(path);
	gjs_buf_free(&out);
}

static void import_rejects_malformed_json(void **state)
{
	(void)state;
	import_error_names_file("{\"openapi\": \"3.0.1\", \"paths\": {", "not valid JSON");
}

static void import_rejects_non_openapi(void **state)
{
	(void)state;
	import_error_names_file("{\"swagger\": \"2.0\", \"paths\": {}}", "not an OpenAPI 3 document");
	import_error_names_file("[1, 2]", "not an OpenAPI 3 document");
}

static void import_rejects_missing_paths(void **state)
{
	(void)state;
	import_error_names_file("{\"openapi\": \"3.0.1\"}", "no \"paths\" object");
}

static void import_rejects_bad_scope_name(void **state)
{
	(void)state;
	import_error_names_file("{\"openapi\":\"3.0.1\",\"paths\":{\"/rest/api/3/x\":{\"get\":"
				"{\"security\":[{\"OAuth2\":[\"read:a, b\"]}]}}}}",
		"invalid scope name");
}

static void import_missing_file(void **state)
{
	gjs_buf out = GJS_BUF_INIT;
	const char *paths[] = { "/nonexistent/spec.json" };

	(void)state;
	assert_int_equal(gjs_catalog_import(&out, paths, 1), GJS_ENOTFOUND);
	assert_non_null(strstr(gjs_error_last(), "/nonexistent/spec.json"));
	gjs_buf_free(&out);
}

static void load_file_imports_spec(void **state)
{
	char *path = write_temp(tiny_spec);
	gjs_catalog *catalog = NULL;

	(void)state;
	assert_int_equal(gjs_catalog_load_file(&catalog, path), 0);
	assert_int_equal(gjs_catalog_count(catalog), 4);
	gjs_catalog_free(catalog);
	unlink(path);
	free(path);
}

static void parse_rejects_bad_lines(void **state)
{
	static const struct {
		const char *text;
		const char *message;
	} cases[] = {
		{ "/rest/api/3/x\tGET\tid\t-\t-\tREAD\n", "x.tsv:1: expected 7 tab-separated fields" },
		{ "# c\n/rest/api/3/x\tget\tid\t-\t-\tREAD\t-\n", "x.tsv:2: invalid operation line" },
		{ "/rest/api/3/x\tGET\tid\t-\t-\tREAD\tmaybe\n", "x.tsv:1: invalid deprecated field" },
		{ "/rest/api/3/x\tGET\tid\t-\t-\tREAD\t-\t-\n", "x.tsv:1: too many fields" },
		{ "# only a comment\n", "x.tsv: the catalog lists no operations" },
		{ "/rest/api/3/x\tGET\ta\t-\t-\t-\t-\n/rest/api/3/x\tGET\tb\t-\t-\t-\t-\n",
			"x.tsv: operation 'GET /rest/api/3/x' is listed twice" },
		{ "/other/x\tGET\ta\t-\t-\t-\t-\n", "x.tsv: '/other/x' is not a Jira REST path" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		gjs_catalog *catalog = NULL;

		assert_int_equal(gjs_catalog_parse(&catalog, cases[i].text, strlen(cases[i].text), "x.tsv"),
			GJS_EINVALID);
		assert_null(catalog);
		assert_non_null(strstr(gjs_error_last(), cases[i].message));
	}
}

/* Finds the operation for method and exact template, or fails the test. */
static const gjs_operation *find_operation(const gjs_catalog *catalog, const char *method,
	const char *path)
{
	for (size_t i = 0; i < gjs_catalog_count(catalog); i++) {
		const gjs_operation *op = gjs_catalog_get(catalog, i);

		if (!strcmp(op->method, method) && !strcmp(op->path, path))
			return op;
	}
	fail_msg("no operation %s %s in the catalog", method, path);
	return NULL;
}

static gjs_catalog *builtin;

static int load_builtin(void **state)
{
	(void)state;
	return gjs_catalog_load_builtin(&builtin);
}

static int free_builtin(void **state)
{
	(void)state;
	gjs_catalog_free(builtin);
	builtin = NULL;
	return 0;
}

static void builtin_catalog_spot_checks(void **state)
{
	const gjs_operation *op;

	(void)state;
	assert_true(gjs_catalog_count(builtin) > 700);

	op = find_operation(builtin, "GET", "/rest/api/3/issue/{issueIdOrKey}");
	assert_string_equal(op->operation_id, "getIssue");
	assert_int_equal(op->classic_count, 1);
	assert_string_equal(op->classic[0], "read:jira-work");
	assert_string_equal(op->connect, "READ");

	op = find_operation(builtin, "POST", "/rest/api/3/issue/bulk");
	assert_string_equal(op->operation_id, "createIssues");

	op = find_operation(builtin, "GET", "/rest/agile/1.0/board");
	assert_string_equal(op->operation_id, "getAllBoards");
	assert_int_equal(op->classic_count, 0);
	assert_true(op->granular_count > 0);

	op = find_operation(builtin, "POST", "/rest/servicedeskapi/customer");
	assert_string_equal(op->operation_id, "createCustomer");
}

static void builtin_catalog_is_sorted(void **state)
{
	(void)state;
	for (size_t i = 1; i < gjs_catalog_count(builtin); i++) {
		const gjs_operation *prev = gjs_catalog_get(builtin, i - 1);
		const gjs_operation *op = gjs_catalog_get(builtin, i);
		int cmp = strcmp(prev->path, op->path);

		assert_true(cmp < 0 || (cmp == 0 && strcmp(prev->method, op->method) < 0));
	}
	assert_null(gjs_catalog_get(builtin, gjs_catalog_count(builtin)));
}

/* Every operation, looked up by its own template and method, is found. */
static void builtin_every_template_matches_itself(void **state)
{
	(void)state;
	for (size_t i = 0; i < gjs_catalog_count(builtin); i++) {
		const gjs_operation *op = gjs_catalog_get(builtin, i);
		size_t *matches = NULL;
		size_t count = 0;

		assert_int_equal(gjs_catalog_match(&matches, &count, builtin, op->method, op->path), 0);
		if (count != 1 || matches[0] != i)
			fail_msg("%s %s matched %zu operations", op->method, op->path, count);
		free(matches);
	}
}

static void normalize_cases(void **state)
{
	static const struct {
		const char *written;
		const char *expected;
	} cases[] = {
		{ "/rest/api/3/issue/ABC-1", "/rest/api/3/issue/ABC-1" },
		{ "/rest/api/2/issue/ABC-1/transitions?expand=x", "/rest/api/3/issue/ABC-1/transitions" },
		{ "/rest/api/latest/myself", "/rest/api/3/myself" },
		{ "/rest/api/2", "/rest/api/3" },
		{ "/rest/agile/latest/board", "/rest/agile/1.0/board" },
		{ "/rest/api/${version}/myself", "/rest/api/{}/myself" },
		{ "https://example.atlassian.net/rest/api/3/myself#top", "/rest/api/3/myself" },
		{ "https://api.atlassian.com/ex/jira/{cloudId}/rest/api/3/project", "/rest/api/3/project" },
		{ "https://api.atlassian.com/ex/jira/${cloudId}/rest/api/3/project",
			"/rest/api/3/project" },
		{ "https://api.atlassian.com/ex/jira/%s/rest/agile/1.0/board/%d",
			"/rest/agile/1.0/board/{}" },
		{ "${baseUrl}/rest/api/3/issue/${issue.key}/comment", "/rest/api/3/issue/{}/comment" },
		{ "{}/rest/api/3/issue/{}", "/rest/api/3/issue/{}" },
		{ "/rest/api/3/issue/{issueIdOrKey}", "/rest/api/3/issue/{}" },
		{ "/rest/api/3/issue/{0}/worklog/%v", "/rest/api/3/issue/{}/worklog/{}" },
		{ "/rest/api/3/issue/#{key}/votes", "/rest/api/3/issue/{}/votes" },
		{ "/rest/api/3/issue/$key/votes", "/rest/api/3/issue/{}/votes" },
		{ "/rest/api/3/issue/ABC-${n}", "/rest/api/3/issue/{}" },
		{ "/rest/api/3/issue/%(key)s", "/rest/api/3/issue/{}" },
		{ "/rest/api/3/issue/${a ? b : c}/x", "/rest/api/3/issue/{}/x" },
		{ "/rest/api/3/issue/${a/b}/x", "/rest/api/3/issue/{}/x" },
		{ "/rest/api/3/search/", "/rest/api/3/search" },
		{ "/rest/api/3//search", "/rest/api/3/search" },
		{ "/rest/servicedeskapi/request?start=0", "/rest/servicedeskapi/request" },
		{ "/rest/api/3/a%20b", "/rest/api/3/a%20b" },
		{ "/rest/api/3/cost$", "/rest/api/3/cost$" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *normalized = NULL;

		if (gjs_catalog_normalize_path(&normalized, cases[i].written) < 0)
			fail_msg("'%s' did not normalize", cases[i].written);
		if (strcmp(normalized, cases[i].expected))
			fail_msg("'%s' became '%s', expected '%s'", cases[i].written, normalized,
				cases[i].expected);
		free(normalized);
	}
}

static void normalize_rejects_non_rest_text(void **state)
{
	static const char *const cases[] = {
		"", "/api/3/issue", "https://example.atlassian.net/", "/rest/", "/rest//x", "hello world",
		"/x?q=/rest/api/3/issue",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *normalized = (char *)"sentinel";

		if (gjs_catalog_normalize_path(&normalized, cases[i]) != GJS_ENOTFOUND)
			fail_msg("'%s' normalized", cases[i]);
		assert_null(normalized);
	}
}

/* Matches and returns the operationIds of the matches joined by spaces. */
static char *match_ids(const char *method, const char *path)
{
	gjs_buf ids = GJS_BUF_INIT;
	size_t *matches = NULL;
	size_t count = 0;

	assert_int_equal(gjs_catalog_match(&matches, &count, builtin, method, path), 0);
	for (size_t i = 0; i < count; i++)
		gjs_buf_printf(&ids, "%s%s", i ? " " : "",
			gjs_catalog_get(builtin, matches[i])->operation_id);
	free(matches);
	return gjs_buf_detach(&ids);
}

static void match_cases(void **state)
{
	static const struct {
		const char *method;
		const char *path;
		const char *expected;
	} cases[] = {
		{ "GET", "/rest/api/3/issue/ABC-1", "getIssue" },
		{ "GET", "/rest/api/2/issue/ABC-1/transitions?expand=x", "getTransitions" },
		{ "POST", "/rest/api/3/issue/bulk", "createIssues" },
		/* The literal template wins, so GET finds nothing rather than getIssue. */
		{ "GET", "/rest/api/3/issue/bulk", "" },
		{ "GET", "/rest/api/3/issue/${key}", "getIssue" },
		{ "GET", "https://api.atlassian.com/ex/jira/${cloudId}/rest/api/3/myself",
			"getCurrentUser" },
		{ "GET", "https://acme.atlassian.net/rest/api/3/myself?expand=groups", "getCurrentUser" },
		{ "GET", "/rest/agile/1.0/board", "getAllBoards" },
		{ "GET", "/rest/agile/1.0/board/42/", "getBoard" },
		{ "POST", "/rest/servicedeskapi/customer", "createCustomer" },
		{ "get", "/rest/api/3/myself", "getCurrentUser" },
		{ "GET", "/rest/api/${version}/myself", "getCurrentUser" },
		{ NULL, "/rest/api/3/issue/ABC-1", "deleteIssue getIssue editIssue" },
		{ NULL, "/rest/api/3/issue/bulk", "createIssues" },
		{ "GET", "/rest/api/3/no/such/path", "" },
		{ "GET", "not a path", "" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *ids = match_ids(cases[i].method, cases[i].path);

		if (strcmp(ids, cases[i].expected))
			fail_msg("%s %s matched '%s', expected '%s'",
				cases[i].method ? cases[i].method : "(any)", cases[i].path, ids,
				cases[i].expected);
		free(ids);
	}
}

/* A wildcard segment prefers `{param}`, then tries every literal. */
static void match_wildcard_falls_back_to_literals(void **state)
{
	static const char text[] =
		"/rest/api/3/a/one/x\tGET\tone\t-\t-\t-\t-\n"
		"/rest/api/3/a/two/x\tGET\ttwo\t-\t-\t-\t-\n"
		"/rest/api/3/a/{id}\tGET\tparam\t-\t-\t-\t-\n"
		"/rest/api/3/a/{id}/y\tGET\tparamY\t-\t-\t-\t-\n";
	gjs_catalog *catalog = NULL;
	size_t *matches = NULL;
	size_t count = 0;

	(void)state;
	assert_int_equal(gjs_catalog_parse(&catalog, text, strlen(text), "t"), 0);

	assert_int_equal(gjs_catalog_match(&matches, &count, catalog, "GET", "/rest/api/3/a/${v}/x"), 0);
	assert_int_equal(count, 2);
	assert_string_equal(gjs_catalog_get(catalog, matches[0])->operation_id, "one");
	assert_string_equal(gjs_catalog_get(catalog, matches[1])->operation_id, "two");
	free(matches);

	assert_int_equal(gjs_catalog_match(&matches, &count, catalog, "GET", "/rest/api/3/a/one/y"), 0);
	assert_int_equal(count, 1);
	assert_string_equal(gjs_catalog_get(catalog, matches[0])->operation_id, "paramY");
	free(matches);

	assert_int_equal(gjs_catalog_match(&matches, &count, catalog, "GET", "/rest/api/3/a/one"), 0);
	assert_int_equal(count, 1);
	assert_string_equal(gjs_catalog_get(catalog, matches[0])->operation_id, "param");
	free(matches);

	gjs_catalog_free(catalog);
}

static void scope_kinds(void **state)
{
	static const struct {
		const char *scope;
		gjs_scope_kind kind;
	} cases[] = {
		{ "read:jira-work", GJS_SCOPE_CLASSIC },
		{ "manage:jira-configuration", GJS_SCOPE_CLASSIC },
		{ "read:servicedesk-request", GJS_SCOPE_CLASSIC },
		{ "read:issue:jira", GJS_SCOPE_GRANULAR },
		{ "read:board-scope:jira-software", GJS_SCOPE_GRANULAR },
		{ "write:app-data:jira", GJS_SCOPE_GRANULAR },
		{ "READ", GJS_SCOPE_CONNECT },
		{ "project_admin", GJS_SCOPE_CONNECT },
		{ "ACT_AS_USER", GJS_SCOPE_CONNECT },
		{ "ACCESS_EMAIL_ADDRESSES", GJS_SCOPE_CONNECT },
		{ "storage:app", GJS_SCOPE_PLATFORM },
		{ "offline_access", GJS_SCOPE_PLATFORM },
		{ "read:me", GJS_SCOPE_PLATFORM },
		{ "report:personal-data", GJS_SCOPE_PLATFORM },
		{ "read:app-system-token", GJS_SCOPE_PLATFORM },
		{ "read:jira-wrok", GJS_SCOPE_UNKNOWN },
		{ "Read:jira-work", GJS_SCOPE_UNKNOWN },
		{ "", GJS_SCOPE_UNKNOWN },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (gjs_catalog_scope_kind(builtin, cases[i].scope) != cases[i].kind)
			fail_msg("'%s' has kind %d, expected %d", cases[i].scope,
				gjs_catalog_scope_kind(builtin, cases[i].scope), cases[i].kind);
}

static void connect_rank_ladder(void **state)
{
	(void)state;
	assert_int_equal(gjs_connect_rank("READ"), 1);
	assert_int_equal(gjs_connect_rank("write"), 2);
	assert_int_equal(gjs_connect_rank("DELETE"), 3);
	assert_int_equal(gjs_connect_rank("PROJECT_ADMIN"), 4);
	assert_int_equal(gjs_connect_rank("ADMIN"), 5);
	assert_int_equal(gjs_connect_rank("ACT_AS_USER"), 0);
	assert_int_equal(gjs_connect_rank("NONE"), 0);
	assert_int_equal(gjs_connect_rank("read:jira-work"), 0);
}

static bool allowed(const char *connect, const char *const *scopes, size_t count)
{
	const char *classic[] = { "read:jira-work" };
	const char *granular[] = { "read:issue:jira", "read:user:jira" };
	gjs_operation op = {
		.method = "GET",
		.path = "/rest/api/3/x",
		.operation_id = "x",
		.classic = classic,
		.classic_count = 1,
		.granular = granular,
		.granular_count = 2,
		.connect = connect,
	};

	return gjs_operation_allowed(&op, scopes, count);
}

#define ALLOWED(connect, ...) \
	allowed(connect, (const char *const[]){ __VA_ARGS__ }, \
		sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *))

static void operation_allowed_rules(void **state)
{
	(void)state;
	/* Classic or granular, each complete. */
	assert_true(ALLOWED("", "read:jira-work"));
	assert_true(ALLOWED("", "read:user:jira", "read:issue:jira"));
	assert_false(ALLOWED("", "read:issue:jira"));
	assert_false(ALLOWED("", "write:jira-work", "READ"));
	assert_true(allowed("", (const char *const[]){ "read:jira-work" }, 1));
	assert_false(allowed("READ", NULL, 0));

	/* The Connect ladder, case-insensitive. */
	assert_true(ALLOWED("READ", "READ"));
	assert_true(ALLOWED("READ", "write"));
	assert_true(ALLOWED("WRITE", "ADMIN"));
	assert_true(ALLOWED("PROJECT_ADMIN", "ADMIN"));
	assert_false(ALLOWED("DELETE", "WRITE"));
	assert_false(ALLOWED("ADMIN", "PROJECT_ADMIN"));
	assert_false(ALLOWED("READ", "ACT_AS_USER"));

	/* Scopes beside the ladder allow only themselves. */
	assert_true(ALLOWED("ACT_AS_USER", "act_as_user"));
	assert_false(ALLOWED("ACT_AS_USER", "ADMIN"));
	assert_true(ALLOWED("ACCESS_EMAIL_ADDRESSES", "ACCESS_EMAIL_ADDRESSES"));
	assert_false(ALLOWED("ACCESS_EMAIL_ADDRESSES", "ACT_AS_USER"));

	/* NONE: any Connect scope; INACCESSIBLE: none. */
	assert_true(ALLOWED("NONE", "READ"));
	assert_true(ALLOWED("NONE", "ACT_AS_USER"));
	assert_false(ALLOWED("NONE", "write:jira-work"));
	assert_false(ALLOWED("INACCESSIBLE", "ADMIN"));
	assert_false(ALLOWED("", "ADMIN"));
}

/* Matching must stay cheap: the analysis calls it for every call site. */
static void match_many_calls(void **state)
{
	(void)state;
	for (int i = 0; i < 20000; i++) {
		size_t *matches = NULL;
		size_t count = 0;

		gjs_catalog_match(&matches, &count, builtin, (i & 1) ? "GET" : NULL,
			"https://api.atlassian.com/ex/jira/${id}/rest/api/2/issue/ABC-1/comment?x=1");
		assert_true(count >= 1);
		free(matches);
	}
}

int main(void)
{
	const struct CMUnitTest import_tests[] = {
		cmocka_unit_test(import_tiny_spec_whole_output),
		cmocka_unit_test(import_then_parse_round_trip),
		cmocka_unit_test(import_same_operation_twice),
		cmocka_unit_test(import_rejects_malformed_json),
		cmocka_unit_test(import_rejects_non_openapi),
		cmocka_unit_test(import_rejects_missing_paths),
		cmocka_unit_test(import_rejects_bad_scope_name),
		cmocka_unit_test(import_missing_file),
		cmocka_unit_test(load_file_imports_spec),
		cmocka_unit_test(parse_rejects_bad_lines),
		cmocka_unit_test(normalize_cases),
		cmocka_unit_test(normalize_rejects_non_rest_text),
		cmocka_unit_test(match_wildcard_falls_back_to_literals),
		cmocka_unit_test(connect_rank_ladder),
		cmocka_unit_test(operation_allowed_rules),
	};
	const struct CMUnitTest builtin_tests[] = {
		cmocka_unit_test(builtin_catalog_spot_checks),
		cmocka_unit_test(builtin_catalog_is_sorted),
		cmocka_unit_test(builtin_every_template_matches_itself),
		cmocka_unit_test(match_cases),
		cmocka_unit_test(scope_kinds),
		cmocka_unit_test(match_many_calls),
	};
	int failed;

	failed = cmocka_run_group_tests_name("catalog", import_tests, NULL, NULL);
	failed += cmocka_run_group_tests_name("builtin catalog", builtin_tests, load_builtin,
		free_builtin);
	return failed ? 1 : 0;
}
