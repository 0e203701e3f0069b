/*
 * Option parsing and set-up shared by check, diff and endpoints.
 */
#ifndef GJS_CMD_COMMON_H
#define GJS_CMD_COMMON_H

#include <git2.h>
#include <stdbool.h>

#include "analysis.h"
#include "catalog.h"
#include "policy.h"
#include "report.h"

typedef struct {
	gjs_format format;
	bool exit_code;
	bool worktree;
	const char *revisions[2];
	size_t revision_count;
} gjs_cmd_options;

/* Everything a command holds while it runs; gjs_cmd_context_free() releases it. */
typedef struct {
	git_repository *repo;
	gjs_policy *policy;
	gjs_catalog *catalog;
	gjs_scan_cache *cache;
	gjs_analysis_options analysis;
} gjs_cmd_context;

/* Returned by gjs_cmd_parse_options() after printing the help: exit 0. */
#define GJS_CMD_HELP (-1)

/*
 * Parses --format, --exit-code, --worktree (when `allow_worktree`) and up to
 * `max_revisions` revisions. Returns 0, GJS_CMD_HELP, or an exit code after
 * printing the usage error.
 */
int gjs_cmd_parse_options(gjs_cmd_options *opts, int argc, char **argv, const char *usage,
	size_t max_revisions, bool allow_worktree);

/* Opens the repository and loads policy and catalog. Returns 0 or an exit code. */
int gjs_cmd_context_open(gjs_cmd_context *ctx);
void gjs_cmd_context_free(gjs_cmd_context *ctx);

/* Analyses a commit's tree; prints the fatal message and returns an exit code on failure. */
int gjs_cmd_analyze_commit(gjs_analysis **out, gjs_cmd_context *ctx, const git_commit *commit);

/* Formats "NAME (abc1234)" for a revision label. */
char *gjs_cmd_label(const char *name, const git_commit *commit);

/* Prints a fatal message for each malformed declaration, naming the
 * revision by `label`; returns how many. */
size_t gjs_cmd_report_declaration_errors(const gjs_analysis *analysis, const char *label);

/* Prints a trace line with what an analysis found and how long it took. */
void gjs_cmd_trace_analysis(const char *label, const gjs_analysis *analysis, double started);

#endif
