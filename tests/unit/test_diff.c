/*
 * Unit tests of the diff of two analyses: set and access comparison, broad
 * scopes, justification, removed scopes still needed, newly missing calls.
 */
#include "unit.h"

#include <string.h>

#include "diff.h"

static gjs_catalog *catalog;
static gjs_policy *policy;

static int set_up(void **state)
{
	(void)state;
	if (gjs_catalog_load_builtin(&catalog) < 0)
		return -1;
	return gjs_policy_load(&policy, NULL);
}

static int tear_down(void **state)
{
	(void)state;
	gjs_catalog_free(catalog);
	gjs_policy_free(policy);
	return 0;
}

#define FILE_ENTRY(p, text) { (p), (text), strlen(text), NULL }

static const char index_js[] =
	"import api, { route } from '@forge/api';\n"
	"export const get = (key) => api.asApp().requestJira(route`/rest/api/3/issue/${key}`);\n"
	"export const put = (key) => api.asApp().requestJira(route`/rest/api/3/issue/${key}`, {\n"
	"  method: 'PUT',\n"
	"});\n";

static gjs_analysis *analyze_manifest(const char *manifest)
{
	gjs_analysis_options opts = GJS_ANALYSIS_OPTIONS_INIT;
	gjs_analysis *analysis = NULL;
	gjs_source_file files[] = {
		FILE_ENTRY("manifest.yml", manifest),
		FILE_ENTRY("src/index.js", index_js),
	};

	opts.catalog = catalog;
	assert_int_equal(gjs_analyze_files(&analysis, files, 2, &opts), 0);
	return analysis;
}

static gjs_diff *diff_manifests(const char *base_text, const char *head_text, gjs_analysis **base,
	gjs_analysis **head)
{
	gjs_diff *diff = NULL;

	*base = analyze_manifest(base_text);
	*head = analyze_manifest(head_text);
	assert_int_equal(gjs_diff_analyses(&diff, *base, *head, catalog, policy), 0);
	assert_int_equal(diff->app_count, 1);
	return diff;
}

static void release(gjs_diff *diff, gjs_analysis *base, gjs_analysis *head)
{
	gjs_diff_free(diff);
	gjs_analysis_free(base);
	gjs_analysis_free(head);
}

static void reordered_manifest_is_no_change(void **state)
{
	gjs_analysis *base;
	gjs_analysis *head;
	gjs_diff *diff = diff_manifests(
		"permissions:\n  scopes:\n    - read:jira-work\n    - write:jira-work\n",
		"permissions:\n  scopes:\n    write:jira-work: {}\n    read:jira-work:\n", &base, &head);

	(void)state;
	assert_false(gjs_diff_app_has_changes(&diff->apps[0]));
	assert_int_equal(diff->apps[0].new_operations, 0);
	release(diff, base, head);
}

static void added_scope_justified_by_call(void **state)
{
	gjs_analysis *base;
	gjs_analysis *head;
	gjs_diff *diff = diff_manifests("permissions:\n  scopes:\n    - read:jira-work\n",
		"permissions:\n  scopes:\n    - read:jira-work\n    - write:jira-work\n", &base, &head);
	const gjs_diff_app *app = &diff->apps[0];

	(void)state;
	assert_int_equal(app->added_count, 1);
	assert_string_equal(app->added[0].scope, "write:jira-work");
	assert_int_equal(app->added[0].line, 4);
	assert_null(app->added[0].broad_reason);
	assert_true(app->added[0].new_operations > 0);
	assert_int_equal(app->added[0].justified_count, 1);
	assert_string_equal(app->head->calls[app->added[0].justified_by[0]].method, "PUT");
	assert_int_equal(app->fixed_count, 1);
	assert_int_equal(app->newly_missing_count, 0);
	release(diff, base, head);
}

static void broad_scope_needs_review(void **state)
{
	gjs_analysis *base;
	gjs_analysis *head;
	gjs_diff *diff = diff_manifests("permissions:\n  scopes:\n    - read:jira-work\n",
		"permissions:\n  scopes:\n    - read:jira-work\n    - manage:jira-configuration\n", &base, &head);
	const gjs_added_scope *added = &diff->apps[0].added[0];

	(void)state;
	assert_string_equal(added->scope, "manage:jira-configuration");
	assert_non_null(added->broad_reason);
	assert_true(added->new_operations > 100);
	assert_int_equal(added->justified_count, 0);
	assert_true(gjs_added_needs_review(added));
	release(diff, base, head);
}

static void removed_scope_still_needed(void **state)
{
	gjs_analysis *base;
	gjs_analysis *head;
	gjs_diff *diff = diff_manifests("permissions:\n  scopes:\n    - read:jira-work\n    - write:jira-work\n",
		"permissions:\n  scopes:\n    - read:jira-work\n", &base, &head);
	const gjs_diff_app *app = &diff->apps[0];

	(void)state;
	assert_int_equal(app->removed_count, 1);
	assert_string_equal(app->removed[0].scope, "write:jira-work");
	assert_int_equal(app->removed[0].still_needed_count, 1);
	assert_int_equal(app->newly_missing_count, 1);
	assert_int_equal(app->new_operations, 0);
	release(diff, base, head);
}

static void classic_to_granular_swap_allows_nothing_new(void **state)
{
	gjs_analysis *base;
	gjs_analysis *head;
	gjs_diff *diff = diff_manifests("permissions:\n  scopes:\n    - read:jira-work\n    - write:jira-work\n",
		"permissions:\n  scopes:\n    - read:jira-work\n    - write:issue:jira\n", &base, &head);
	const gjs_diff_app *app = &diff->apps[0];

	(void)state;
	assert_int_equal(app->added_count, 1);
	assert_int_equal(app->added[0].new_operations, 0);
	assert_int_equal(app->new_operations, 0);
	/* The PUT call is still allowed through the granular set. */
	assert_int_equal(app->newly_missing_count, 0);
	release(diff, base, head);
}

static void classic_to_granular_swap_reports_new_access(void **state)
{
	gjs_analysis *base;
	gjs_analysis *head;
	gjs_diff *diff = diff_manifests("permissions:\n  scopes:\n    - read:jira-user\n",
		"permissions:\n  scopes:\n    - read:user:jira\n    - read:application-role:jira\n"
		"    - read:group:jira\n    - read:avatar:jira\n", &base, &head);
	const gjs_diff_app *app = &diff->apps[0];

	(void)state;
	assert_int_equal(app->added_count, 4);
	/* The granular set of GET /myself also allows GET /applicationrole,
	 * which classically needs manage:jira-configuration. */
	assert_true(app->new_operations > 0);
	release(diff, base, head);
}

static void broad_scope_restating_access_is_not_blocked(void **state)
{
	gjs_analysis *base;
	gjs_analysis *head;
	gjs_diff *diff;

	gjs_strvec_push(&policy->broad, "write:issue:jira");
	policy->broad_is_default = false;
	diff = diff_manifests("permissions:\n  scopes:\n    - read:jira-work\n    - write:jira-work\n",
		"permissions:\n  scopes:\n    - read:jira-work\n    - write:jira-work\n    - write:issue:jira\n",
		&base, &head);
	(void)state;
	assert_non_null(diff->apps[0].added[0].broad_reason);
	assert_int_equal(diff->apps[0].added[0].new_operations, 0);
	assert_false(gjs_added_needs_review(&diff->apps[0].added[0]));
	release(diff, base, head);
	gjs_strvec_clear(&policy->broad);
	policy->broad_is_default = true;
}

/*
 * The webhook operations need manage:jira-webhook and read:jira-work
 * together. A first change that swaps read:jira-work for the broad scope
 * allows nothing new; the second, which adds read:jira-work back, must
 * still ask for review of the broad scope.
 */
static void split_change_still_needs_review(void **state)
{
	gjs_analysis *base;
	gjs_analysis *head;
	gjs_diff *diff;

	(void)state;
	diff = diff_manifests("permissions:\n  scopes:\n    - read:jira-work\n",
		"permissions:\n  scopes:\n    - manage:jira-webhook\n", &base, &head);
	assert_int_equal(diff->apps[0].added_count, 1);
	assert_int_equal(diff->apps[0].added[0].new_operations, 0);
	assert_false(gjs_added_needs_review(&diff->apps[0].added[0]));
	release(diff, base, head);

	diff = diff_manifests("permissions:\n  scopes:\n    - manage:jira-webhook\n",
		"permissions:\n  scopes:\n    - manage:jira-webhook\n    - read:jira-work\n", &base, &head);
	assert_int_equal(diff->apps[0].added_count, 2);
	assert_string_equal(diff->apps[0].added[0].scope, "manage:jira-webhook");
	assert_true(diff->apps[0].added[0].previously_declared);
	assert_int_equal(diff->apps[0].added[0].new_operations, 5);
	assert_true(gjs_added_needs_review(&diff->apps[0].added[0]));
	assert_string_equal(diff->apps[0].added[1].scope, "read:jira-work");
	assert_false(diff->apps[0].added[1].previously_declared);
	assert_null(diff->apps[0].added[1].broad_reason);
	release(diff, base, head);
}

static void unknown_added_scope_is_marked(void **state)
{
	gjs_analysis *base;
	gjs_analysis *head;
	gjs_diff *diff = diff_manifests("permissions:\n  scopes:\n    - read:jira-work\n",
		"permissions:\n  scopes:\n    - read:jira-work\n    - read:jira-wrok\n", &base, &head);

	(void)state;
	assert_int_equal(diff->apps[0].added_count, 1);
	assert_true(diff->apps[0].added[0].unknown);
	assert_int_equal(diff->apps[0].added[0].new_operations, 0);
	release(diff, base, head);
}

static void connect_justification_uses_lowest_rung(void **state)
{
	gjs_analysis_options opts = GJS_ANALYSIS_OPTIONS_INIT;
	gjs_analysis *base = NULL;
	gjs_analysis *head = NULL;
	gjs_diff *diff = NULL;
	static const char page[] = "AP.request({ url: '/rest/api/3/myself', type: 'GET' });\n";
	gjs_source_file base_files[] = {
		FILE_ENTRY("atlassian-connect.json", "{\"scopes\": [\"READ\"]}"),
		FILE_ENTRY("page.js", page),
	};
	gjs_source_file head_files[] = {
		FILE_ENTRY("atlassian-connect.json", "{\"scopes\": [\"READ\", \"WRITE\", \"ADMIN\"]}"),
		FILE_ENTRY("page.js", page),
	};

	(void)state;
	opts.catalog = catalog;
	assert_int_equal(gjs_analyze_files(&base, base_files, 2, &opts), 0);
	assert_int_equal(gjs_analyze_files(&head, head_files, 2, &opts), 0);
	assert_int_equal(gjs_diff_analyses(&diff, base, head, catalog, policy), 0);
	assert_int_equal(diff->apps[0].added_count, 2);
	assert_string_equal(diff->apps[0].added[0].scope, "WRITE");
	assert_string_equal(diff->apps[0].added[1].scope, "ADMIN");
	/* READ already covers the GET, so neither new rung is justified by it. */
	assert_int_equal(diff->apps[0].added[0].justified_count, 0);
	assert_int_equal(diff->apps[0].added[1].justified_count, 0);
	release(diff, base, head);
}

static void app_appears_and_disappears(void **state)
{
	gjs_analysis_options opts = GJS_ANALYSIS_OPTIONS_INIT;
	gjs_analysis *base = NULL;
	gjs_analysis *head = NULL;
	gjs_diff *diff = NULL;
	gjs_source_file base_files[] = { FILE_ENTRY("old/manifest.yml", "permissions:\n  scopes:\n    - read:jira-work\n") };
	gjs_source_file head_files[] = { FILE_ENTRY("new/manifest.yml", "permissions:\n  scopes:\n    - ACT_AS_USER\n") };

	(void)state;
	opts.catalog = catalog;
	assert_int_equal(gjs_analyze_files(&base, base_files, 1, &opts), 0);
	assert_int_equal(gjs_analyze_files(&head, head_files, 1, &opts), 0);
	assert_int_equal(gjs_diff_analyses(&diff, base, head, catalog, policy), 0);
	assert_int_equal(diff->app_count, 2);
	assert_string_equal(diff->apps[0].path, "new/manifest.yml");
	assert_int_equal(diff->apps[0].change, GJS_APP_ADDED);
	assert_string_equal(diff->apps[0].added[0].scope, "ACT_AS_USER");
	assert_non_null(diff->apps[0].added[0].broad_reason);
	assert_int_equal(diff->apps[1].change, GJS_APP_REMOVED);
	assert_int_equal(diff->apps[1].removed_count, 1);
	release(diff, base, head);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reordered_manifest_is_no_change),
		cmocka_unit_test(added_scope_justified_by_call),
		cmocka_unit_test(broad_scope_needs_review),
		cmocka_unit_test(removed_scope_still_needed),
		cmocka_unit_test(classic_to_granular_swap_allows_nothing_new),
		cmocka_unit_test(classic_to_granular_swap_reports_new_access),
		cmocka_unit_test(broad_scope_restating_access_is_not_blocked),
		cmocka_unit_test(split_change_still_needs_review),
		cmocka_unit_test(unknown_added_scope_is_marked),
		cmocka_unit_test(connect_justification_uses_lowest_rung),
		cmocka_unit_test(app_appears_and_disappears),
	};

	return cmocka_run_group_tests_name("diff", tests, set_up, tear_down);
}
