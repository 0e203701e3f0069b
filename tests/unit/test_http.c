/* Unit tests of the HTTP client helpers and the provider bookkeeping that
 * need no server: URL rules, Link parsing, retry waits, comment ordering. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "unit.h"

#include "http.h"
#include "provider.h"

static void add_header(gjs_http_response *resp, const char *line)
{
	gjs_strvec_push(&resp->headers, line);
}

static void check_url_accepts_https_and_loopback(void **state)
{
	(void)state;
	assert_int_equal(gjs_http_check_url("https://api.github.com"), 0);
	assert_int_equal(gjs_http_check_url("https://example.com:8443/api/v4"), 0);
	assert_int_equal(gjs_http_check_url("http://127.0.0.1:8080/api"), 0);
	assert_int_equal(gjs_http_check_url("http://127.255.0.9/"), 0);
	assert_int_equal(gjs_http_check_url("http://localhost:9/x"), 0);
	assert_int_equal(gjs_http_check_url("http://[::1]:9/x"), 0);
}

static void check_url_rejects_plain_http_elsewhere(void **state)
{
	(void)state;
	assert_int_equal(gjs_http_check_url("http://example.com/api"), GJS_EINVALID);
	assert_string_equal(gjs_error_last(), "refusing plain http to 'http://example.com/api': "
		"use https (plain http is allowed only to 127.0.0.1, ::1 or localhost)");
	assert_int_equal(gjs_http_check_url("http://127.0.0.1.example.com/"), GJS_EINVALID);
	assert_int_equal(gjs_http_check_url("http://10.0.0.1/"), GJS_EINVALID);
	assert_int_equal(gjs_http_check_url("http://128.0.0.1/"), GJS_EINVALID);
	assert_int_equal(gjs_http_check_url("ftp://127.0.0.1/"), GJS_EINVALID);
	assert_int_equal(gjs_http_check_url("not a url"), GJS_EINVALID);
}

/* A URL with credentials would put them in every trace line and message. */
static void check_url_rejects_credentials(void **state)
{
	(void)state;
	assert_int_equal(gjs_http_check_url("http://bot:s3cret@127.0.0.1:9/x"), GJS_EINVALID);
	assert_string_equal(gjs_error_last(), "the URL of '127.0.0.1' contains a user name or "
		"password: remove it and pass the credential in its environment variable");
	assert_int_equal(gjs_http_check_url("https://s3cret@gitlab.example.com/api/v4"),
		GJS_EINVALID);
	assert_null(strstr(gjs_error_last(), "s3cret"));
	assert_int_equal(gjs_http_check_url("https://:s3cret@gitlab.example.com/api/v4"),
		GJS_EINVALID);
	assert_null(strstr(gjs_error_last(), "s3cret"));
	/* An '@' later in the URL is not a user name. */
	assert_int_equal(gjs_http_check_url("https://api.github.com/users/a@b"), 0);
}

static void check_base_url_rejects_query_and_fragment(void **state)
{
	(void)state;
	assert_int_equal(gjs_http_check_base_url("https://gitlab.example.com/api/v4"), 0);
	assert_int_equal(gjs_http_check_base_url("https://gitlab.example.com/api/v4?private_token=s3cret"),
		GJS_EINVALID);
	assert_string_equal(gjs_error_last(), "the base URL 'https://gitlab.example.com/api/v4' "
		"has a query or fragment: give it without '?' or '#'");
	assert_int_equal(gjs_http_check_base_url("https://api.github.com#x"), GJS_EINVALID);
	assert_int_equal(gjs_http_check_base_url("http://example.com"), GJS_EINVALID);
}

static void next_link_found_among_others(void **state)
{
	gjs_http_response resp = GJS_HTTP_RESPONSE_INIT;
	char *next;

	(void)state;
	add_header(&resp, "Content-Type: application/json");
	add_header(&resp, "link: <https://api.github.com/repositories/1/issues/7/comments?page=1>; "
		"rel=\"prev\", <https://api.github.com/repositories/1/issues/7/comments?page=3>; "
		"rel=\"next\", <https://api.github.com/repositories/1/issues/7/comments?page=9>; "
		"rel=\"last\"");
	next = gjs_http_next_link(&resp);
	assert_non_null(next);
	assert_string_equal(next, "https://api.github.com/repositories/1/issues/7/comments?page=3");
	free(next);
	gjs_http_response_clear(&resp);
}

static void next_link_absent_on_last_page(void **state)
{
	gjs_http_response resp = GJS_HTTP_RESPONSE_INIT;

	(void)state;
	add_header(&resp, "Link: <https://x/?page=1>; rel=\"first\", <https://x/?page=2>; rel=\"prev\"");
	assert_null(gjs_http_next_link(&resp));
	gjs_http_response_clear(&resp);
}

static void next_link_with_several_relations(void **state)
{
	gjs_http_response resp = GJS_HTTP_RESPONSE_INIT;
	char *next;

	(void)state;
	add_header(&resp, "Link: <https://x/?page=2>; rel=\"next last\"");
	next = gjs_http_next_link(&resp);
	assert_non_null(next);
	assert_string_equal(next, "https://x/?page=2");
	free(next);
	gjs_http_response_clear(&resp);
}

/* Only a parameter named rel counts, whatever other parameters contain. */
static void next_link_needs_rel_parameter(void **state)
{
	gjs_http_response resp = GJS_HTTP_RESPONSE_INIT;
	char *next;

	(void)state;
	add_header(&resp, "Link: <https://x/?page=9>; title=\"rel=next\", "
		"<https://x/?page=8>; norel=next, <https://x/?page=2>; REL = next");
	next = gjs_http_next_link(&resp);
	assert_non_null(next);
	assert_string_equal(next, "https://x/?page=2");
	free(next);
	gjs_http_response_clear(&resp);

	add_header(&resp, "Link: <https://x/?page=9>; title=\"a, rel=next\"");
	assert_null(gjs_http_next_link(&resp));
	gjs_http_response_clear(&resp);

	add_header(&resp, "Link: <https://x/?page=3>; rel=prev; anchor=\"#\", "
		"<https://x/?page=4>; rel=nextpage");
	assert_null(gjs_http_next_link(&resp));
	gjs_http_response_clear(&resp);
}

static void redact_removes_every_form_of_the_token(void **state)
{
	gjs_http_options opts = GJS_HTTP_OPTIONS_INIT;
	gjs_http *http = NULL;
	char *text;

	(void)state;
	opts.auth_header = "Authorization: Bearer tok-123456";
	assert_int_equal(gjs_http_new(&http, &opts), 0);
	text = gjs_http_redact(http, "token 'Bearer tok-123456' or tok-123456 is bad");
	assert_string_equal(text, "token '[redacted]' or [redacted] is bad");
	free(text);
	gjs_http_free(http);

	/* Basic: the encoded value, the pair and the password. */
	opts.auth_header = "Authorization: Basic Ym90OnBhc3N3b3Jk";
	assert_int_equal(gjs_http_new(&http, &opts), 0);
	text = gjs_http_redact(http, "Ym90OnBhc3N3b3Jk bot:password password bot");
	assert_string_equal(text, "[redacted] [redacted] [redacted] bot");
	free(text);
	gjs_http_free(http);

	opts.auth_header = "PRIVATE-TOKEN: glpat-abcdef";
	assert_int_equal(gjs_http_new(&http, &opts), 0);
	text = gjs_http_redact(http, "glpat-abcdef");
	assert_string_equal(text, "[redacted]");
	free(text);
	gjs_http_free(http);
}

static void json_ids_are_whole_numbers(void **state)
{
	static const char *const rejected[] = {
		"6.6", "-1", "1e300", "\"1/../x\"", "\"7\\n::x\"", "\"\"", "\"12a\"",
		"\"1234567890123456789\"", "true", "null", "{}",
	};
	cJSON *item;
	char *id;

	(void)state;
	item = cJSON_Parse("1001");
	id = gjs_json_id(item);
	assert_string_equal(id, "1001");
	free(id);
	cJSON_Delete(item);
	item = cJSON_Parse("\"42\"");
	id = gjs_json_id(item);
	assert_string_equal(id, "42");
	free(id);
	cJSON_Delete(item);

	for (size_t i = 0; i < sizeof(rejected) / sizeof(rejected[0]); i++) {
		item = cJSON_Parse(rejected[i]);
		assert_non_null(item);
		id = gjs_json_id(item);
		if (id)
			fail_msg("accepted %s as %s", rejected[i], id);
		cJSON_Delete(item);
	}
}

static void budget_stops_requests(void **state)
{
	gjs_http_options opts = GJS_HTTP_OPTIONS_INIT;
	gjs_http_response resp = GJS_HTTP_RESPONSE_INIT;
	gjs_http *http = NULL;
	struct timespec pause = { 1, 100000000 };

	(void)state;
	opts.budget = 1;
	assert_int_equal(gjs_http_new(&http, &opts), 0);
	assert_true(gjs_http_budget_left(http) > 0.5);
	nanosleep(&pause, NULL);
	assert_true(gjs_http_budget_left(http) == 0);
	assert_int_equal(gjs_http_request(http, &resp, "GET", "http://127.0.0.1:9/x", NULL),
		GJS_ETIMEOUT);
	assert_string_equal(gjs_error_last(), "GET http://127.0.0.1:9/x stopped: the time "
		"budget of 1 s for all requests ran out");
	assert_int_equal(resp.attempts, 0);
	gjs_http_free(http);
}

static void read_only_rejects_changes(void **state)
{
	gjs_http_options opts = GJS_HTTP_OPTIONS_INIT;
	gjs_http_response resp = GJS_HTTP_RESPONSE_INIT;
	gjs_http *http = NULL;

	(void)state;
	opts.read_only = true;
	assert_int_equal(gjs_http_new(&http, &opts), 0);
	assert_int_equal(gjs_http_request(http, &resp, "POST", "http://127.0.0.1:9/x", "{}"),
		GJS_EINVALID);
	assert_string_equal(gjs_error_last(), "not sending POST http://127.0.0.1:9/x: this run "
		"is read-only");
	assert_int_equal(resp.attempts, 0);
	gjs_http_free(http);
}

static void retry_wait_from_retry_after(void **state)
{
	gjs_http_response resp = GJS_HTTP_RESPONSE_INIT;

	(void)state;
	resp.status = 429;
	add_header(&resp, "Retry-After: 7");
	assert_true(gjs_http_retry_wait(&resp, 1700000000.0) == 7.0);
	gjs_http_response_clear(&resp);

	resp.status = 503;
	add_header(&resp, "Retry-After: Wed, 21 Oct 2015 07:28:30 GMT");
	assert_true(gjs_http_retry_wait(&resp, 1445412500.0) == 10.0);
	gjs_http_response_clear(&resp);
}

static void retry_wait_from_rate_limit_reset(void **state)
{
	gjs_http_response resp = GJS_HTTP_RESPONSE_INIT;

	(void)state;
	resp.status = 403;
	add_header(&resp, "X-RateLimit-Remaining: 0");
	add_header(&resp, "X-RateLimit-Reset: 1700000030");
	assert_true(gjs_http_retry_wait(&resp, 1700000000.0) == 30.0);
	gjs_http_response_clear(&resp);

	/* Quota left: the reset time is no reason to wait. */
	resp.status = 500;
	add_header(&resp, "X-RateLimit-Remaining: 12");
	add_header(&resp, "X-RateLimit-Reset: 1700000030");
	assert_true(gjs_http_retry_wait(&resp, 1700000000.0) == -1.0);
	gjs_http_response_clear(&resp);

	/* GitLab's RateLimit-Reset is an epoch time. */
	resp.status = 429;
	add_header(&resp, "RateLimit-Remaining: 0");
	add_header(&resp, "RateLimit-Reset: 1700000005");
	assert_true(gjs_http_retry_wait(&resp, 1700000000.0) == 5.0);
	gjs_http_response_clear(&resp);

	/* A reset in the past means now. */
	resp.status = 429;
	add_header(&resp, "RateLimit-Reset: 1600000000");
	assert_true(gjs_http_retry_wait(&resp, 1700000000.0) == 0.0);
	gjs_http_response_clear(&resp);
}

static void retry_wait_absent(void **state)
{
	gjs_http_response resp = GJS_HTTP_RESPONSE_INIT;

	(void)state;
	resp.status = 502;
	add_header(&resp, "Retry-After: soon");
	assert_true(gjs_http_retry_wait(&resp, 1700000000.0) == -1.0);
	gjs_http_response_clear(&resp);
}

static void header_lookup_ignores_case(void **state)
{
	gjs_http_response resp = GJS_HTTP_RESPONSE_INIT;

	(void)state;
	add_header(&resp, "X-Next-Page-Size: 9");
	add_header(&resp, "x-next-page:   3");
	assert_string_equal(gjs_http_header(&resp, "X-Next-Page"), "3");
	assert_null(gjs_http_header(&resp, "X-Next"));
	gjs_http_response_clear(&resp);
}

static void escape_keeps_unreserved(void **state)
{
	char *escaped = gjs_http_escape("group/sub group/app-1.x_~");

	(void)state;
	assert_string_equal(escaped, "group%2Fsub%20group%2Fapp-1.x_~");
	free(escaped);
}

static void comments_sorted_by_numeric_id(void **state)
{
	gjs_comment *list = NULL;
	size_t count = 0;

	(void)state;
	gjs_comments_add(&list, &count, "1001", 1);
	gjs_comments_add(&list, &count, "99", 0);
	gjs_comments_add(&list, &count, "1000", 0);
	gjs_comments_add(&list, &count, "1001", 4); /* listed again, newer version */
	gjs_comments_add(&list, &count, "1001", 2);
	assert_int_equal(count, 3);
	assert_string_equal(list[0].id, "99");
	assert_string_equal(list[1].id, "1000");
	assert_string_equal(list[2].id, "1001");
	assert_int_equal(list[2].version, 4);
	gjs_comments_free(list, count);
}

static void marker_starts_the_body(void **state)
{
	(void)state;
	assert_true(gjs_provider_has_marker(GJS_PROVIDER_GITHUB, "<!-- jira-scopes-report -->\n\nx"));
	assert_true(gjs_provider_has_marker(GJS_PROVIDER_GITLAB, "\n<!-- jira-scopes-report -->"));
	assert_false(gjs_provider_has_marker(GJS_PROVIDER_GITHUB, "quote: <!-- jira-scopes-report -->"));
	assert_true(gjs_provider_has_marker(GJS_PROVIDER_BITBUCKET, "[//]: # (jira-scopes-report)\n"));
	assert_false(gjs_provider_has_marker(GJS_PROVIDER_BITBUCKET_SERVER,
		"<!-- jira-scopes-report -->"));
}

static void links_per_provider(void **state)
{
	gjs_pull_request pr;
	char *prefix, *format;

	(void)state;
	memset(&pr, 0, sizeof(pr));
	pr.kind = GJS_PROVIDER_GITHUB;
	pr.api_url = gjs_xstrdup("https://ghe.example.com/api/v3");
	pr.repo = gjs_xstrdup("octo/app");
	pr.number = gjs_xstrdup("7");
	gjs_provider_links(&pr, "abc", &prefix, &format);
	assert_string_equal(prefix, "https://ghe.example.com/octo/app/blob/abc/");
	assert_string_equal(format, "#L%u");
	free(prefix);
	free(format);
	gjs_pull_request_clear(&pr);

	pr.kind = GJS_PROVIDER_GITLAB;
	pr.api_url = gjs_xstrdup("https://gitlab.example.com/api/v4");
	pr.repo = gjs_xstrdup("group/app");
	pr.number = gjs_xstrdup("7");
	gjs_provider_links(&pr, "abc", &prefix, &format);
	assert_string_equal(prefix, "https://gitlab.example.com/group/app/-/blob/abc/");
	free(prefix);
	free(format);
	prefix = gjs_provider_request_url(&pr);
	assert_string_equal(prefix, "https://gitlab.example.com/group/app/-/merge_requests/7");
	free(prefix);
	gjs_pull_request_clear(&pr);

	/* A numeric GitLab project id gives no link without the project URL. */
	pr.kind = GJS_PROVIDER_GITLAB;
	pr.api_url = gjs_xstrdup("https://gitlab.example.com/api/v4");
	pr.repo = gjs_xstrdup("42");
	pr.number = gjs_xstrdup("7");
	gjs_provider_links(&pr, "abc", &prefix, &format);
	assert_null(prefix);
	assert_null(format);
	gjs_pull_request_clear(&pr);

	pr.kind = GJS_PROVIDER_BITBUCKET;
	pr.api_url = gjs_xstrdup("https://api.bitbucket.org/2.0");
	pr.repo = gjs_xstrdup("team/app");
	pr.number = gjs_xstrdup("7");
	gjs_provider_links(&pr, "abc", &prefix, &format);
	assert_string_equal(prefix, "https://bitbucket.org/team/app/src/abc/");
	assert_string_equal(format, "#lines-%u");
	free(prefix);
	free(format);
	gjs_pull_request_clear(&pr);

	pr.kind = GJS_PROVIDER_BITBUCKET_SERVER;
	pr.api_url = gjs_xstrdup("https://bitbucket.example.com");
	pr.repo = gjs_xstrdup("PROJ/app");
	pr.number = gjs_xstrdup("7");
	gjs_provider_links(&pr, "abc", &prefix, &format);
	assert_string_equal(prefix, "https://bitbucket.example.com/projects/PROJ/repos/app/browse/");
	assert_string_equal(format, "?at=abc#%u");
	free(prefix);
	free(format);
	gjs_pull_request_clear(&pr);
}

static void validate_rejects_bad_numbers_and_repos(void **state)
{
	gjs_pull_request pr;

	(void)state;
	memset(&pr, 0, sizeof(pr));
	pr.kind = GJS_PROVIDER_GITHUB;
	pr.api_url = gjs_xstrdup("https://api.github.com");
	pr.repo = gjs_xstrdup("octo/app");
	pr.number = gjs_xstrdup("7");
	assert_int_equal(gjs_pull_request_validate(&pr), 0);

	free(pr.number);
	pr.number = gjs_xstrdup("7/../../admin");
	assert_int_equal(gjs_pull_request_validate(&pr), GJS_EINVALID);
	assert_string_equal(gjs_error_last(),
		"invalid pull request number '7/../../admin': expected a positive number such as 7");

	/* Letters are not a number, not even hexadecimal ones. */
	free(pr.number);
	pr.number = gjs_xstrdup("deadbeef");
	assert_int_equal(gjs_pull_request_validate(&pr), GJS_EINVALID);
	free(pr.number);
	pr.number = gjs_xstrdup("7a");
	pr.kind = GJS_PROVIDER_GITLAB;
	assert_int_equal(gjs_pull_request_validate(&pr), GJS_EINVALID);
	assert_string_equal(gjs_error_last(),
		"invalid merge request number '7a': expected a positive number such as 7");
	pr.kind = GJS_PROVIDER_GITHUB;

	free(pr.number);
	pr.number = gjs_xstrdup("7");
	free(pr.repo);
	pr.repo = gjs_xstrdup("octo/app/../x");
	assert_int_equal(gjs_pull_request_validate(&pr), GJS_EINVALID);
	gjs_pull_request_clear(&pr);
}

static void request_numbers_are_positive_digits(void **state)
{
	(void)state;
	assert_true(gjs_request_number_ok("7"));
	assert_true(gjs_request_number_ok("123456789012345678"));
	assert_false(gjs_request_number_ok("1234567890123456789"));
	assert_false(gjs_request_number_ok(""));
	assert_false(gjs_request_number_ok("0"));
	assert_false(gjs_request_number_ok("07"));
	assert_false(gjs_request_number_ok("abc"));
	assert_false(gjs_request_number_ok("7a"));
	assert_false(gjs_request_number_ok("deadbeef"));
	assert_false(gjs_request_number_ok("-7"));
	assert_false(gjs_request_number_ok("+7"));
	assert_false(gjs_request_number_ok(" 7"));
}

/* Returns the API URL that gjs_pull_request_from_env() makes of `given`
 * for `kind`, outside any CI. Caller frees. */
static char *normalized_api_url(gjs_provider_kind kind, const char *given)
{
	static const char *const ci_vars[] = {
		"GITHUB_ACTIONS", "GITHUB_EVENT_PATH", "GITLAB_CI", "CI_MERGE_REQUEST_IID",
		"BITBUCKET_BUILD_NUMBER", "BITBUCKET_PR_ID",
	};
	gjs_pull_request pr;
	char *url;

	for (size_t i = 0; i < sizeof(ci_vars) / sizeof(ci_vars[0]); i++)
		unsetenv(ci_vars[i]);
	memset(&pr, 0, sizeof(pr));
	pr.kind = kind;
	pr.api_url = gjs_xstrdup(given);
	assert_int_equal(gjs_pull_request_from_env(&pr), 0);
	url = gjs_xstrdup(pr.api_url);
	gjs_pull_request_clear(&pr);
	return url;
}

#define assert_api_url(kind, given, expected) \
	do { \
		char *got_ = normalized_api_url(kind, given); \
		assert_string_equal(got_, expected); \
		free(got_); \
	} while (0)

static void api_url_accepted_with_or_without_rest_prefix(void **state)
{
	(void)state;
	/* Bitbucket Data Center: the server URL, with its context path. */
	assert_api_url(GJS_PROVIDER_BITBUCKET_SERVER, "https://bb.example.com",
		"https://bb.example.com");
	assert_api_url(GJS_PROVIDER_BITBUCKET_SERVER, "https://bb.example.com/rest/api/1.0",
		"https://bb.example.com");
	assert_api_url(GJS_PROVIDER_BITBUCKET_SERVER, "https://bb.example.com/bitbucket/rest/api/latest/",
		"https://bb.example.com/bitbucket");
	assert_api_url(GJS_PROVIDER_BITBUCKET_SERVER, "https://bb.example.com/bitbucket/",
		"https://bb.example.com/bitbucket");
	/* GitLab: the API under /api/v4 of the server URL. */
	assert_api_url(GJS_PROVIDER_GITLAB, "https://gitlab.example.com/api/v4/",
		"https://gitlab.example.com/api/v4");
	assert_api_url(GJS_PROVIDER_GITLAB, "https://gitlab.example.com",
		"https://gitlab.example.com/api/v4");
	assert_api_url(GJS_PROVIDER_GITLAB, "https://example.com/gitlab/",
		"https://example.com/gitlab/api/v4");
	/* GitHub and Bitbucket Cloud stay as given. */
	assert_api_url(GJS_PROVIDER_GITHUB, "https://ghe.example.com/api/v3/",
		"https://ghe.example.com/api/v3");
	assert_api_url(GJS_PROVIDER_GITHUB, "https://api.github.com", "https://api.github.com");
	assert_api_url(GJS_PROVIDER_BITBUCKET, "https://api.bitbucket.org/2.0",
		"https://api.bitbucket.org/2.0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(check_url_accepts_https_and_loopback),
		cmocka_unit_test(check_url_rejects_plain_http_elsewhere),
		cmocka_unit_test(check_url_rejects_credentials),
		cmocka_unit_test(check_base_url_rejects_query_and_fragment),
		cmocka_unit_test(next_link_found_among_others),
		cmocka_unit_test(next_link_absent_on_last_page),
		cmocka_unit_test(next_link_with_several_relations),
		cmocka_unit_test(next_link_needs_rel_parameter),
		cmocka_unit_test(redact_removes_every_form_of_the_token),
		cmocka_unit_test(json_ids_are_whole_numbers),
		cmocka_unit_test(budget_stops_requests),
		cmocka_unit_test(read_only_rejects_changes),
		cmocka_unit_test(retry_wait_from_retry_after),
		cmocka_unit_test(retry_wait_from_rate_limit_reset),
		cmocka_unit_test(retry_wait_absent),
		cmocka_unit_test(header_lookup_ignores_case),
		cmocka_unit_test(escape_keeps_unreserved),
		cmocka_unit_test(comments_sorted_by_numeric_id),
		cmocka_unit_test(marker_starts_the_body),
		cmocka_unit_test(links_per_provider),
		cmocka_unit_test(validate_rejects_bad_numbers_and_repos),
		cmocka_unit_test(request_numbers_are_positive_digits),
		cmocka_unit_test(api_url_accepted_with_or_without_rest_prefix),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
