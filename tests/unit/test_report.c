/*
 * Unit tests of the report writers: Markdown escaping of untrusted text,
 * the size limit that keeps the review request, and text sanitizing.
 */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "report.h"

static gjs_catalog *catalog;
static gjs_policy *policy;

static int set_up(void **state)
{
	(void)state;
	git_libgit2_init();
	if (gjs_catalog_load_builtin(&catalog) < 0)
		return -1;
	return gjs_policy_load(&policy, NULL);
}

static int tear_down(void **state)
{
	(void)state;
	gjs_catalog_free(catalog);
	gjs_policy_free(policy);
	git_libgit2_shutdown();
	return 0;
}

#define FILE_ENTRY(p, text) { (p), (text), strlen(text), NULL }

static const char base_manifest[] = "permissions:\n  scopes:\n    - read:jira-work\n";
static const char head_manifest[] =
	"permissions:\n  scopes:\n    - read:jira-work\n    - write:jira-work\n"
	"    - manage:jira-configuration\n";

/* Diffs two manifests with `source` as the only source file, at `source_path`. */
static char *markdown_of(const char *source_path, const char *source, size_t max_chars)
{
	gjs_analysis_options opts = GJS_ANALYSIS_OPTIONS_INIT;
	gjs_report_options report = GJS_REPORT_OPTIONS_INIT;
	gjs_analysis *base = NULL;
	gjs_analysis *head = NULL;
	gjs_diff *diff = NULL;
	gjs_buf out = GJS_BUF_INIT;
	gjs_source_file base_files[] = { FILE_ENTRY("manifest.yml", base_manifest) };
	gjs_source_file head_files[] = {
		FILE_ENTRY("manifest.yml", head_manifest),
		FILE_ENTRY(source_path, source),
	};

	opts.catalog = catalog;
	assert_int_equal(gjs_analyze_files(&base, base_files, 1, &opts), 0);
	assert_int_equal(gjs_analyze_files(&head, head_files, 2, &opts), 0);
	assert_int_equal(gjs_diff_analyses(&diff, base, head, catalog, policy), 0);
	report.trailer = "Scopes-Reviewed-by";
	report.link_prefix = "https://example.test/blob/abc/";
	report.link_line_format = "#L%u";
	report.max_chars = max_chars;
	assert_int_equal(gjs_report_diff(&out, GJS_FORMAT_MARKDOWN, diff, catalog, &report), 0);
	gjs_diff_free(diff);
	gjs_analysis_free(base);
	gjs_analysis_free(head);
	return gjs_buf_detach(&out);
}

static const char put_call[] =
	"api.asApp().requestJira(route`/rest/api/3/issue/${key}`, { method: 'PUT' });\n";

static void markdown_escapes_file_names(void **state)
{
	char *text = markdown_of("src/[x](javascript:alert(1))<b>|``.js", put_call, 0);

	(void)state;
	/* The link text is a code span with a longer fence than the backticks
	 * inside, and the URL percent-encodes the name. */
	assert_non_null(strstr(text,
		"- [```src/[x](javascript:alert(1))<b>\\|``.js:1```]"
		"(https://example.test/blob/abc/src/%5Bx%5D%28javascript%3Aalert%281%29%29%3Cb%3E%7C%60%60.js#L1): "
		"`PUT /rest/api/3/issue/{issueIdOrKey}`\n"));
	free(text);
}

static void markdown_neutralizes_bidi_controls(void **state)
{
	char *text = markdown_of("src/evil\xe2\x80\xaesj.txt.js", put_call, 0);

	(void)state;
	assert_null(strstr(text, "\xe2\x80\xae"));
	assert_non_null(strstr(text, "[`src/evil?sj.txt.js:1`]"));
	free(text);
}

static void markdown_lists_scopes_in_a_table(void **state)
{
	char *text = markdown_of("src/index.js", put_call, 0);

	(void)state;
	assert_non_null(strstr(text, "| `write:jira-work` | no | 84 | not needed |\n"));
	assert_non_null(strstr(text, "| `manage:jira-configuration` | **yes** | 267 | **needed** |\n"));
	assert_non_null(strstr(text, "```\nScopes-Reviewed-by: Name <email>\n```\n"));
	free(text);
}

static void markdown_shortens_call_lists_first(void **state)
{
	gjs_buf source = GJS_BUF_INIT;
	char *full;
	char *short_text;

	(void)state;
	for (int i = 0; i < 400; i++)
		gjs_buf_puts(&source, put_call);
	full = markdown_of("src/index.js", source.ptr, 0);
	short_text = markdown_of("src/index.js", source.ptr, 4000);
	assert_true(strlen(full) > 4000);
	assert_true(strlen(short_text) <= 4000);
	/* The scope table and the review request stay whole; lists end in a count. */
	assert_non_null(strstr(short_text, "| `manage:jira-configuration` | **yes** | 267 | **needed** |\n"));
	assert_non_null(strstr(short_text, "- and 380 more call sites\n"));
	assert_null(strstr(short_text, "*This report was cut"));
	assert_non_null(strstr(short_text, "```\nScopes-Reviewed-by: Name <email>\n```\n"));
	free(full);
	free(short_text);
	gjs_buf_free(&source);
}

static void markdown_cut_keeps_review_request(void **state)
{
	char *cut = markdown_of("src/index.js", put_call, 500);

	(void)state;
	assert_true(strlen(cut) <= 500);
	assert_non_null(strstr(cut, "*This report was cut to fit the comment size limit."));
	/* The request for review survives the cut, whole. */
	assert_non_null(strstr(cut, "**Review needed:**"));
	assert_non_null(strstr(cut, "```\nScopes-Reviewed-by: Name <email>\n```\n"));
	free(cut);
}

static void text_report_sanitizes_control_characters(void **state)
{
	gjs_analysis_options opts = GJS_ANALYSIS_OPTIONS_INIT;
	gjs_report_options report = GJS_REPORT_OPTIONS_INIT;
	gjs_analysis *analysis = NULL;
	gjs_buf out = GJS_BUF_INIT;
	gjs_source_file files[] = {
		FILE_ENTRY("manifest.yml", base_manifest),
		FILE_ENTRY("src/\033[31mred.js", put_call),
		FILE_ENTRY("lib/\xc2\x9b" "2J\xe2\x80\xae" "evil.js", put_call),
	};

	(void)state;
	opts.catalog = catalog;
	assert_int_equal(gjs_analyze_files(&analysis, files, 3, &opts), 0);
	assert_int_equal(gjs_report_check(&out, GJS_FORMAT_TEXT, analysis, catalog, &report), 0);
	assert_null(strchr(out.ptr, '\033'));
	assert_non_null(strstr(out.ptr, "src/?[31mred.js:1  PUT /rest/api/3/issue/{issueIdOrKey}"));
	/* C1 controls (CSI) and bidirectional overrides go too. */
	assert_null(strstr(out.ptr, "\xc2\x9b"));
	assert_null(strstr(out.ptr, "\xe2\x80\xae"));
	assert_non_null(strstr(out.ptr, "lib/?2J?evil.js:1  PUT /rest/api/3/issue/{issueIdOrKey}"));
	gjs_buf_free(&out);
	gjs_analysis_free(analysis);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(markdown_escapes_file_names),
		cmocka_unit_test(markdown_neutralizes_bidi_controls),
		cmocka_unit_test(markdown_lists_scopes_in_a_table),
		cmocka_unit_test(markdown_shortens_call_lists_first),
		cmocka_unit_test(markdown_cut_keeps_review_request),
		cmocka_unit_test(text_report_sanitizes_control_characters),
	};

	return cmocka_run_group_tests_name("report", tests, set_up, tear_down);
}
