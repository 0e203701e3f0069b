/*
 * Unit tests of the analysis: app assignment, call-site resolution and the
 * findings, on files held in memory and the built-in catalog.
 */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"

static gjs_catalog *catalog;

/* libgit2 reads .jira-scopes files, so it is set up for the whole group. */
static int load_catalog(void **state)
{
	(void)state;
	git_libgit2_init();
	return gjs_catalog_load_builtin(&catalog);
}

static int free_catalog(void **state)
{
	(void)state;
	gjs_catalog_free(catalog);
	git_libgit2_shutdown();
	return 0;
}

#define FILE_ENTRY(p, text) { (p), (text), sizeof(text) - 1, NULL }

static gjs_analysis *analyze(const gjs_source_file *files, size_t count)
{
	gjs_analysis_options opts = GJS_ANALYSIS_OPTIONS_INIT;
	gjs_analysis *analysis = NULL;

	opts.catalog = catalog;
	assert_int_equal(gjs_analyze_files(&analysis, files, count, &opts), 0);
	assert_non_null(analysis);
	return analysis;
}

static const char forge_manifest[] =
	"app:\n"
	"  id: ari:cloud:ecosystem::app/1\n"
	"permissions:\n"
	"  scopes:\n"
	"    - read:jira-work\n"
	"    - manage:jira-configuration\n"
	"    - storage:app\n"
	"    - read:jira-wrok\n";

static const char forge_index[] =
	"import api, { route } from '@forge/api';\n"
	"export async function run(key) {\n"
	"  await api.asApp().requestJira(route`/rest/api/3/issue/${key}`);\n"
	"  await api.asApp().requestJira(route`/rest/api/3/issue/${key}`, { method: 'PUT' });\n"
	"}\n";

static const char *operation_of(const gjs_call_site *site)
{
	static char name[256];
	const gjs_operation *op;

	if (!site->op_count)
		return "unresolved";
	op = gjs_catalog_get(catalog, site->required_op);
	snprintf(name, sizeof(name), "%s %s", op->method, op->path);
	return name;
}

static const char *scope_at(const gjs_app *app, const size_t *indices, size_t i)
{
	return app->decl->scopes[indices[i]].scope;
}

static void forge_app_findings(void **state)
{
	gjs_source_file files[] = {
		FILE_ENTRY("manifest.yml", forge_manifest),
		FILE_ENTRY("src/index.js", forge_index),
	};
	gjs_analysis *analysis = analyze(files, 2);
	const gjs_app *app;

	(void)state;
	assert_int_equal(analysis->app_count, 1);
	app = &analysis->apps[0];
	assert_null(app->decl->error);
	assert_int_equal(app->call_count, 2);
	assert_string_equal(operation_of(&app->calls[0]), "GET /rest/api/3/issue/{issueIdOrKey}");
	assert_string_equal(operation_of(&app->calls[1]), "PUT /rest/api/3/issue/{issueIdOrKey}");

	/* PUT needs write:jira-work, which is not declared. */
	assert_int_equal(app->missing_count, 1);
	assert_int_equal(app->missing[0].call, 1);
	assert_int_equal(app->missing[0].classic_alternative.count, 1);
	assert_string_equal(app->missing[0].classic_alternative.items[0], "write:jira-work");
	assert_int_equal(app->missing[0].granular_absent.count, 1);
	assert_string_equal(app->missing[0].granular_absent.items[0], "write:issue:jira");

	assert_int_equal(app->unjustified_count, 1);
	assert_string_equal(scope_at(app, app->unjustified, 0), "manage:jira-configuration");
	assert_int_equal(app->unknown_count, 1);
	assert_string_equal(scope_at(app, app->unknown, 0), "read:jira-wrok");
	assert_int_equal(app->not_checked_count, 1);
	assert_string_equal(scope_at(app, app->not_checked, 0), "storage:app");
	gjs_analysis_free(analysis);
}

static void nearest_declaration_owns_file(void **state)
{
	gjs_source_file files[] = {
		FILE_ENTRY(".jira-scopes", "[scopes]\n\tscope = read:jira-user\n"),
		FILE_ENTRY("apps/forge/manifest.yml", forge_manifest),
		FILE_ENTRY("apps/forge/src/index.js", forge_index),
		FILE_ENTRY("scripts/users.py", "requests.get(f\"{base}/rest/api/3/myself\")\n"),
	};
	gjs_analysis *analysis = analyze(files, 4);

	(void)state;
	assert_int_equal(analysis->app_count, 2);
	/* Apps are sorted by declaration path. */
	assert_string_equal(analysis->apps[0].decl->path, ".jira-scopes");
	assert_string_equal(analysis->apps[1].decl->path, "apps/forge/manifest.yml");
	assert_int_equal(analysis->apps[0].call_count, 1);
	assert_string_equal(analysis->apps[0].calls[0].file, "scripts/users.py");
	assert_int_equal(analysis->apps[0].missing_count, 0);
	assert_int_equal(analysis->apps[1].call_count, 2);
	assert_int_equal(analysis->orphan_count, 0);
	gjs_analysis_free(analysis);
}

static void call_outside_every_app(void **state)
{
	gjs_source_file files[] = {
		FILE_ENTRY("apps/forge/manifest.yml", forge_manifest),
		FILE_ENTRY("tools/sync.sh", "curl -X PUT \"$SITE/rest/api/3/issue/$KEY\"\n"),
	};
	gjs_analysis *analysis = analyze(files, 2);

	(void)state;
	assert_int_equal(analysis->app_count, 1);
	assert_int_equal(analysis->orphan_count, 1);
	assert_string_equal(analysis->orphans[0].file, "tools/sync.sh");
	assert_string_equal(operation_of(&analysis->orphans[0]), "PUT /rest/api/3/issue/{issueIdOrKey}");
	gjs_analysis_free(analysis);
}

static void own_credentials_listed_apart(void **state)
{
	gjs_source_file files[] = {
		FILE_ENTRY("manifest.yml", "permissions:\n  scopes:\n    - read:jira-work\n"),
		FILE_ENTRY("src/admin.js",
			"await fetch('https://example.atlassian.net/rest/api/3/field', {\n"
			"  method: 'POST',\n"
			"  headers: { Authorization: 'Basic ' + btoa(user + ':' + token) },\n"
			"});\n"),
	};
	gjs_analysis *analysis = analyze(files, 2);
	const gjs_app *app = &analysis->apps[0];

	(void)state;
	assert_int_equal(app->call_count, 0);
	assert_int_equal(app->apart_count, 1);
	assert_int_equal(app->missing_count, 0);
	/* With no call using it, the declared scope is unjustified. */
	assert_int_equal(app->unjustified_count, 1);
	gjs_analysis_free(analysis);
}

static void unknown_method_needs_least_privileged(void **state)
{
	gjs_source_file files[] = {
		FILE_ENTRY(".jira-scopes", "[scopes]\n\tscope = read:jira-work\n"),
		FILE_ENTRY("lib/paths.py", "ISSUE_PATH = '/rest/api/3/issue/{}'\n"),
	};
	gjs_analysis *analysis = analyze(files, 2);
	const gjs_app *app = &analysis->apps[0];

	(void)state;
	assert_int_equal(app->call_count, 1);
	assert_null(app->calls[0].method);
	assert_true(app->calls[0].op_count > 1);
	assert_string_equal(operation_of(&app->calls[0]), "GET /rest/api/3/issue/{issueIdOrKey}");
	assert_int_equal(app->missing_count, 0);
	assert_int_equal(app->unjustified_count, 0);
	gjs_analysis_free(analysis);
}

static void connect_ladder_justifies_lowest_rung(void **state)
{
	gjs_source_file files[] = {
		FILE_ENTRY("atlassian-connect.json", "{\"key\": \"x\", \"scopes\": [\"read\", \"WRITE\", \"admin\"]}\n"),
		FILE_ENTRY("src/a.js", "AP.request({ url: '/rest/api/3/issue/ABC-1', type: 'PUT' });\n"),
	};
	gjs_analysis *analysis = analyze(files, 2);
	const gjs_app *app = &analysis->apps[0];

	(void)state;
	assert_int_equal(app->call_count, 1);
	assert_int_equal(app->missing_count, 0);
	/* WRITE covers the PUT; READ is used by nothing and ADMIN is more than needed. */
	assert_int_equal(app->unjustified_count, 2);
	assert_string_equal(scope_at(app, app->unjustified, 0), "READ");
	assert_string_equal(scope_at(app, app->unjustified, 1), "ADMIN");
	gjs_analysis_free(analysis);
}

static void granular_set_must_be_whole(void **state)
{
	gjs_source_file files[] = {
		FILE_ENTRY(".jira-scopes", "[scopes]\n\tscope = read:user:jira\n\tscope = read:group:jira\n"),
		FILE_ENTRY("a.py", "requests.get(base + '/rest/api/3/myself')\n"),
	};
	gjs_analysis *analysis = analyze(files, 2);
	const gjs_app *app = &analysis->apps[0];

	(void)state;
	assert_int_equal(app->missing_count, 1);
	assert_string_equal(app->missing[0].classic_alternative.items[0], "read:jira-user");
	assert_int_equal(app->missing[0].granular_absent.count, 2);
	assert_string_equal(app->missing[0].granular_absent.items[0], "read:application-role:jira");
	assert_string_equal(app->missing[0].granular_absent.items[1], "read:avatar:jira");
	gjs_analysis_free(analysis);
}

static void vendored_and_binary_files_skipped(void **state)
{
	static const char binary[] = "\0\0/rest/api/3/field";
	gjs_source_file files[] = {
		FILE_ENTRY(".jira-scopes", "[scopes]\n\tscope = read:jira-work\n"),
		FILE_ENTRY("node_modules/x/index.js", "fetch('/rest/api/3/field', {method: 'POST'})\n"),
		FILE_ENTRY("web/app.min.js", "fetch('/rest/api/3/field', {method: 'POST'})\n"),
		FILE_ENTRY("dist/out.js", "fetch('/rest/api/3/field', {method: 'POST'})\n"),
		{ "blob.js", binary, sizeof(binary) - 1, NULL },
	};
	gjs_analysis *analysis = analyze(files, 5);

	(void)state;
	assert_int_equal(analysis->apps[0].call_count, 0);
	/* Three files skipped by the default globs and one binary file. */
	assert_int_equal(analysis->skipped_blobs, 4);
	gjs_analysis_free(analysis);
}

static void scopes_file_globs_select_files(void **state)
{
	gjs_source_file files[] = {
		FILE_ENTRY(".jira-scopes",
			"[scopes]\n\tscope = read:jira-work\n[files]\n\tinclude = src/*\n\texclude = src/legacy/*\n"),
		FILE_ENTRY("src/a.py", "requests.get(base + '/rest/api/3/issue/' + key)\n"),
		FILE_ENTRY("src/legacy/b.py", "requests.get(base + '/rest/api/3/issue/' + key)\n"),
		FILE_ENTRY("other/c.py", "requests.get(base + '/rest/api/3/issue/' + key)\n"),
	};
	gjs_analysis *analysis = analyze(files, 4);

	(void)state;
	assert_int_equal(analysis->apps[0].call_count, 1);
	assert_string_equal(analysis->apps[0].calls[0].file, "src/a.py");
	assert_int_equal(analysis->orphan_count, 2);
	gjs_analysis_free(analysis);
}

static void files_section_narrows_manifest_app(void **state)
{
	gjs_source_file files[] = {
		FILE_ENTRY("manifest.yml", forge_manifest),
		FILE_ENTRY(".jira-scopes", "[files]\n\texclude = scripts/*\n"),
		FILE_ENTRY("src/index.js", forge_index),
		FILE_ENTRY("scripts/admin.sh", "curl -X PUT \"$SITE/rest/api/3/issue/$KEY\"\n"),
	};
	gjs_analysis *analysis = analyze(files, 4);

	(void)state;
	/* The .jira-scopes file is no app of its own: it narrows the manifest's. */
	assert_int_equal(analysis->app_count, 1);
	assert_string_equal(analysis->apps[0].decl->path, "manifest.yml");
	assert_int_equal(analysis->apps[0].call_count, 2);
	assert_int_equal(analysis->orphan_count, 1);
	assert_string_equal(analysis->orphans[0].file, "scripts/admin.sh");
	gjs_analysis_free(analysis);
}

/*
 * A blob id seen before is not scanned again: the second analysis passes
 * other text under the same id, and the cached call sites come back.
 */
static void blob_scanned_once_per_id(void **state)
{
	gjs_analysis_options opts = GJS_ANALYSIS_OPTIONS_INIT;
	gjs_scan_cache *cache = gjs_scan_cache_new();
	gjs_analysis *first = NULL;
	gjs_analysis *second = NULL;
	git_oid id;
	static const char manifest[] = "permissions:\n  scopes:\n    - read:jira-work\n";
	static const char source[] = "requests.get(base + '/rest/api/3/myself')\n";
	gjs_source_file files[] = {
		{ "manifest.yml", manifest, sizeof(manifest) - 1, NULL },
		{ "a.py", source, sizeof(source) - 1, &id },
	};

	(void)state;
	assert_int_equal(git_oid_fromstr(&id, "0123456789abcdef0123456789abcdef01234567"), 0);
	opts.catalog = catalog;
	opts.cache = cache;
	assert_int_equal(gjs_analyze_files(&first, files, 2, &opts), 0);
	files[1].data = "print('no calls here')\n";
	files[1].len = strlen(files[1].data);
	files[1].path = "b.py";
	assert_int_equal(gjs_analyze_files(&second, files, 2, &opts), 0);

	assert_int_equal(first->apps[0].call_count, 1);
	assert_int_equal(second->apps[0].call_count, 1);
	assert_string_equal(second->apps[0].calls[0].file, "b.py");
	assert_string_equal(second->apps[0].calls[0].path, "/rest/api/3/myself");
	gjs_analysis_free(first);
	gjs_analysis_free(second);
	gjs_scan_cache_free(cache);
}

static void malformed_declaration_keeps_other_apps(void **state)
{
	gjs_source_file files[] = {
		FILE_ENTRY("a/manifest.yml", "permissions:\n  scopes: [read:jira-work\n"),
		FILE_ENTRY("b/manifest.yml", forge_manifest),
		FILE_ENTRY("b/index.js", forge_index),
	};
	gjs_analysis *analysis = analyze(files, 3);

	(void)state;
	assert_int_equal(analysis->app_count, 2);
	assert_non_null(analysis->apps[0].decl->error);
	assert_null(analysis->apps[1].decl->error);
	assert_int_equal(analysis->apps[1].missing_count, 1);
	assert_int_equal(gjs_analysis_error_count(analysis), 1);
	gjs_analysis_free(analysis);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(forge_app_findings),
		cmocka_unit_test(nearest_declaration_owns_file),
		cmocka_unit_test(call_outside_every_app),
		cmocka_unit_test(own_credentials_listed_apart),
		cmocka_unit_test(unknown_method_needs_least_privileged),
		cmocka_unit_test(connect_ladder_justifies_lowest_rung),
		cmocka_unit_test(granular_set_must_be_whole),
		cmocka_unit_test(vendored_and_binary_files_skipped),
		cmocka_unit_test(scopes_file_globs_select_files),
		cmocka_unit_test(files_section_narrows_manifest_app),
		cmocka_unit_test(blob_scanned_once_per_id),
		cmocka_unit_test(malformed_declaration_keeps_other_apps),
	};

	return cmocka_run_group_tests_name("analysis", tests, load_catalog, free_catalog);
}
