/*
 * `git jira-scopes endpoints [REV]`: every call site of every app with the
 * operation it resolves to and the scope sets that allow it.
 */
#include <cjson/cJSON.h>
#include <stdlib.h>

#include "cmd_common.h"
#include "frontend.h"

static const char usage[] = "git jira-scopes endpoints [--format=text|json] [--worktree | REV]";

static void put_set(gjs_buf *out, const char *label, const char **set, size_t count)
{
	gjs_buf_printf(out, "      %s:", label);
	if (!count)
		gjs_buf_puts(out, " (none)");
	for (size_t i = 0; i < count; i++)
		gjs_buf_printf(out, "%s%s", i ? ", " : " ", set[i]);
	gjs_buf_putc(out, '\n');
}

static void text_call(gjs_buf *out, const gjs_call_site *site, const gjs_catalog *catalog)
{
	char *file = gjs_sanitize(site->file);
	char *path = gjs_sanitize(site->path);

	gjs_buf_printf(out, "  %s:%u  %s %s\n", file, site->line, site->method ? site->method : "(method unknown)",
		path);
	free(file);
	free(path);
	if (!site->op_count) {
		gjs_buf_puts(out, "    unresolved: no catalog operation matches\n");
		return;
	}
	for (size_t i = 0; i < site->op_count; i++) {
		const gjs_operation *op = gjs_catalog_get(catalog, site->ops[i]);

		gjs_buf_printf(out, "    %s %s (%s)%s\n", op->method, op->path, op->operation_id,
			site->ops[i] == site->required_op && site->op_count > 1 ? " least privileged" : "");
		put_set(out, "classic", op->classic, op->classic_count);
		put_set(out, "granular", op->granular, op->granular_count);
	}
}

static cJSON *json_call(const gjs_call_site *site, const gjs_catalog *catalog, const char *app)
{
	cJSON *object = cJSON_CreateObject();
	cJSON *operations = cJSON_CreateArray();
	gjs_buf name = GJS_BUF_INIT;

	cJSON_AddItemToObject(object, "app", app ? cJSON_CreateString(app) : cJSON_CreateNull());
	cJSON_AddStringToObject(object, "file", site->file);
	cJSON_AddNumberToObject(object, "line", site->line);
	cJSON_AddItemToObject(object, "method", site->method ? cJSON_CreateString(site->method) : cJSON_CreateNull());
	cJSON_AddStringToObject(object, "path", site->path);
	if (site->op_count) {
		gjs_report_operation_name(&name, gjs_catalog_get(catalog, site->required_op));
		cJSON_AddStringToObject(object, "operation", name.ptr);
	} else {
		cJSON_AddNullToObject(object, "operation");
	}
	for (size_t i = 0; i < site->op_count; i++) {
		const gjs_operation *op = gjs_catalog_get(catalog, site->ops[i]);
		cJSON *item = cJSON_CreateObject();

		cJSON_AddStringToObject(item, "method", op->method);
		cJSON_AddStringToObject(item, "path", op->path);
		cJSON_AddStringToObject(item, "operation_id", op->operation_id);
		cJSON_AddItemToObject(item, "classic", cJSON_CreateStringArray(op->classic, (int)op->classic_count));
		cJSON_AddItemToObject(item, "granular", cJSON_CreateStringArray(op->granular, (int)op->granular_count));
		cJSON_AddItemToArray(operations, item);
	}
	cJSON_AddItemToObject(object, "operations", operations);
	gjs_buf_free(&name);
	return object;
}

static int write_report(const gjs_analysis *analysis, const gjs_catalog *catalog, gjs_format format)
{
	gjs_buf out = GJS_BUF_INIT;
	int status;

	if (format == GJS_FORMAT_JSON) {
		cJSON *root = cJSON_CreateObject();
		cJSON *calls = cJSON_AddArrayToObject(root, "call_sites");
		char *text;

		for (size_t a = 0; a < analysis->app_count; a++)
			for (size_t c = 0; c < analysis->apps[a].call_count; c++)
				cJSON_AddItemToArray(calls, json_call(&analysis->apps[a].calls[c], catalog,
					analysis->apps[a].decl->path));
		for (size_t c = 0; c < analysis->orphan_count; c++)
			cJSON_AddItemToArray(calls, json_call(&analysis->orphans[c], catalog, NULL));
		text = cJSON_Print(root);
		cJSON_Delete(root);
		gjs_buf_puts(&out, text ? text : "");
		gjs_buf_putc(&out, '\n');
		free(text);
	} else {
		for (size_t a = 0; a < analysis->app_count; a++) {
			char *path = gjs_sanitize(analysis->apps[a].decl->path);

			gjs_buf_printf(&out, "app %s\n", path);
			free(path);
			for (size_t c = 0; c < analysis->apps[a].call_count; c++)
				text_call(&out, &analysis->apps[a].calls[c], catalog);
		}
		if (analysis->orphan_count)
			gjs_buf_puts(&out, "outside every app\n");
		for (size_t c = 0; c < analysis->orphan_count; c++)
			text_call(&out, &analysis->orphans[c], catalog);
	}
	status = gjs_write_stdout(out.ptr, out.len);
	gjs_buf_free(&out);
	return status;
}

int gjs_cmd_endpoints(int argc, char **argv)
{
	gjs_cmd_options opts;
	gjs_cmd_context ctx;
	gjs_analysis *analysis = NULL;
	git_commit *commit = NULL;
	int status;

	status = gjs_cmd_parse_options(&opts, argc, argv, usage, 1, true);
	if (status)
		return status == GJS_CMD_HELP ? GJS_EXIT_OK : status;
	if (opts.format == GJS_FORMAT_MARKDOWN)
		return gjs_usage_error(usage, "endpoints prints text or json");
	status = gjs_cmd_context_open(&ctx);
	if (status)
		goto done;
	if (opts.worktree) {
		if (gjs_analyze_workdir(&analysis, ctx.repo, &ctx.analysis) < 0) {
			status = gjs_fatal("cannot analyse the working tree: %s", gjs_error_last());
			goto done;
		}
	} else {
		status = gjs_resolve_commit(&commit, ctx.repo, opts.revision_count ? opts.revisions[0] : "HEAD");
		if (!status)
			status = gjs_cmd_analyze_commit(&analysis, &ctx, commit);
		if (status)
			goto done;
	}
	status = write_report(analysis, ctx.catalog, opts.format);

done:
	gjs_analysis_free(analysis);
	git_commit_free(commit);
	gjs_cmd_context_free(&ctx);
	return status;
}
