/*
 * `git jira-scopes catalog import SPEC.json...`: turns Atlassian's OpenAPI
 * specs into catalog text on stdout. `make catalog` uses it to regenerate
 * plugin/catalog.tsv. Needs no git repository.
 */
#include <string.h>

#include "frontend.h"

static const char catalog_usage[] = "git jira-scopes catalog import <spec.json>...";

int gjs_cmd_catalog(int argc, char **argv)
{
	gjs_buf out = GJS_BUF_INIT;
	int status;

	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("usage: %s\n", catalog_usage);
		return GJS_EXIT_OK;
	}
	if (argc < 2)
		return gjs_usage_error(catalog_usage, "missing subcommand 'import'");
	if (strcmp(argv[1], "import"))
		return gjs_usage_error(catalog_usage, "unknown subcommand '%s'", argv[1]);
	if (argc < 3)
		return gjs_usage_error(catalog_usage, "give at least one OpenAPI spec (JSON)");
	for (int i = 2; i < argc; i++)
		if (argv[i][0] == '-' && argv[i][1])
			return gjs_usage_error(catalog_usage, "unknown option '%s'", argv[i]);

	if (gjs_catalog_import(&out, (const char *const *)argv + 2, (size_t)argc - 2) < 0) {
		status = gjs_fatal("%s", gjs_error_last());
		goto done;
	}
	status = gjs_write_stdout(gjs_buf_cstr(&out), out.len);

done:
	gjs_buf_free(&out);
	return status;
}
