/*
 * Option parsing and set-up shared by the check, diff and endpoints
 * commands: one place decides how formats, revisions and errors look.
 */
#include "cmd_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontend.h"

int gjs_cmd_parse_options(gjs_cmd_options *opts, int argc, char **argv, const char *usage,
	size_t max_revisions, bool allow_worktree)
{
	bool only_revisions = false;

	memset(opts, 0, sizeof(*opts));
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const char *format = NULL;

		if (only_revisions || arg[0] != '-' || !strcmp(arg, "-")) {
			if (opts->revision_count >= max_revisions)
				return gjs_usage_error(usage, "too many revisions: '%s'", arg);
			opts->revisions[opts->revision_count++] = arg;
			continue;
		}
		if (!strcmp(arg, "--")) {
			only_revisions = true;
		} else if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			printf("usage: %s\n", usage);
			return GJS_CMD_HELP;
		} else if (!strcmp(arg, "--exit-code")) {
			opts->exit_code = true;
		} else if (allow_worktree && !strcmp(arg, "--worktree")) {
			opts->worktree = true;
		} else if (!strncmp(arg, "--format=", 9)) {
			format = arg + 9;
		} else if (!strcmp(arg, "--format")) {
			if (i + 1 >= argc)
				return gjs_usage_error(usage, "--format needs a value: text, json or markdown");
			format = argv[++i];
		} else {
			return gjs_usage_error(usage, "unknown option '%s'", arg);
		}
		if (format) {
			int parsed = gjs_format_parse(format);

			if (parsed < 0)
				return gjs_usage_error(usage, "invalid --format '%s': use text, json or markdown",
					format);
			opts->format = (gjs_format)parsed;
		}
	}
	if (opts->worktree && opts->revision_count)
		return gjs_usage_error(usage, "--worktree takes no revision");
	return 0;
}

int gjs_cmd_context_open(gjs_cmd_context *ctx)
{
	int status;
	gjs_analysis_options defaults = GJS_ANALYSIS_OPTIONS_INIT;

	memset(ctx, 0, sizeof(*ctx));
	status = gjs_open_repository(&ctx->repo, 0);
	if (status)
		return status;
	gjs_trace("repository: %s", git_repository_path(ctx->repo));
	status = gjs_load_policy(&ctx->policy, ctx->repo);
	if (status)
		return status;
	status = gjs_load_catalog(&ctx->catalog, ctx->policy);
	if (status)
		return status;
	ctx->cache = gjs_scan_cache_new();
	ctx->analysis = defaults;
	ctx->analysis.catalog = ctx->catalog;
	ctx->analysis.cache = ctx->cache;
	ctx->analysis.max_blob_size = ctx->policy->max_blob_size;
	ctx->analysis.skip = ctx->policy->skip.count ? &ctx->policy->skip : NULL;
	ctx->analysis.scan = &ctx->policy->scan;
	return 0;
}

void gjs_cmd_context_free(gjs_cmd_context *ctx)
{
	gjs_scan_cache_free(ctx->cache);
	gjs_catalog_free(ctx->catalog);
	gjs_policy_free(ctx->policy);
	git_repository_free(ctx->repo);
	memset(ctx, 0, sizeof(*ctx));
}

int gjs_cmd_analyze_commit(gjs_analysis **out, gjs_cmd_context *ctx, const git_commit *commit)
{
	git_tree *tree = NULL;
	char hex[GIT_OID_HEXSZ + 1];
	int error;

	git_oid_tostr(hex, sizeof(hex), git_commit_id(commit));
	if (git_commit_tree(&tree, commit) < 0)
		return gjs_fatal("cannot read the tree of commit %s: %s", hex,
			git_error_last() ? git_error_last()->message : "unknown error");
	error = gjs_analyze_tree(out, ctx->repo, tree, &ctx->analysis);
	git_tree_free(tree);
	if (error < 0)
		return gjs_fatal("cannot analyse commit %.12s: %s", hex, gjs_error_last());
	return 0;
}

char *gjs_cmd_label(const char *name, const git_commit *commit)
{
	gjs_buf label = GJS_BUF_INIT;
	char hex[GIT_OID_HEXSZ + 1];

	git_oid_tostr(hex, sizeof(hex), git_commit_id(commit));
	if (name && strncmp(hex, name, strlen(name)))
		gjs_buf_printf(&label, "%s (%.7s)", name, hex);
	else
		gjs_buf_printf(&label, "%.7s", hex);
	return gjs_buf_detach(&label);
}

size_t gjs_cmd_report_declaration_errors(const gjs_analysis *analysis, const char *label)
{
	size_t count = 0;

	for (size_t i = 0; i < analysis->app_count; i++) {
		if (!analysis->apps[i].decl->error)
			continue;
		gjs_fatal("%s (in %s)", analysis->apps[i].decl->error, label);
		count++;
	}
	return count;
}

void gjs_cmd_trace_analysis(const char *label, const gjs_analysis *analysis, double started)
{
	size_t calls = analysis->orphan_count;

	for (size_t i = 0; i < analysis->app_count; i++)
		calls += analysis->apps[i].call_count + analysis->apps[i].apart_count;
	gjs_trace("%s: %zu apps, %zu call sites, %zu source files not scanned, %.3f s", label,
		analysis->app_count, calls, analysis->skipped_blobs, gjs_now() - started);
}
