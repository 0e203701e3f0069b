/*
 * `git jira-scopes check [REV]`: declared against needed scopes at one
 * revision (HEAD by default, or the working tree with --worktree).
 */
#include <stdlib.h>

#include "cmd_common.h"
#include "frontend.h"

static const char usage[] =
	"git jira-scopes check [--format=text|json|markdown] [--exit-code] [--worktree | REV]";

static bool has_findings(const gjs_analysis *analysis)
{
	for (size_t i = 0; i < analysis->app_count; i++)
		if (analysis->apps[i].missing_count || analysis->apps[i].unjustified_count)
			return true;
	return false;
}

int gjs_cmd_check(int argc, char **argv)
{
	gjs_cmd_options opts;
	gjs_cmd_context ctx;
	gjs_report_options report = GJS_REPORT_OPTIONS_INIT;
	gjs_analysis *analysis = NULL;
	git_commit *commit = NULL;
	gjs_buf out = GJS_BUF_INIT;
	char *label = NULL;
	double started;
	int status;

	status = gjs_cmd_parse_options(&opts, argc, argv, usage, 1, true);
	if (status)
		return status == GJS_CMD_HELP ? GJS_EXIT_OK : status;
	status = gjs_cmd_context_open(&ctx);
	if (status)
		goto done;
	started = gjs_now();

	if (opts.worktree) {
		if (gjs_analyze_workdir(&analysis, ctx.repo, &ctx.analysis) < 0) {
			status = gjs_fatal("cannot analyse the working tree: %s", gjs_error_last());
			goto done;
		}
		label = gjs_xstrdup("working tree");
	} else {
		const char *revision = opts.revision_count ? opts.revisions[0] : "HEAD";

		status = gjs_resolve_commit(&commit, ctx.repo, revision);
		if (status)
			goto done;
		status = gjs_cmd_analyze_commit(&analysis, &ctx, commit);
		if (status)
			goto done;
		label = gjs_cmd_label(revision, commit);
	}

	gjs_cmd_trace_analysis(label, analysis, started);
	report.color = opts.format == GJS_FORMAT_TEXT && gjs_use_color(stdout, ctx.repo);
	report.head_label = label;
	if (gjs_report_check(&out, opts.format, analysis, ctx.catalog, &report) < 0) {
		status = gjs_fatal("%s", gjs_error_last());
		goto done;
	}
	status = gjs_write_stdout(out.ptr, out.len);
	if (status)
		goto done;

	if (gjs_cmd_report_declaration_errors(analysis, label))
		status = GJS_EXIT_FATAL;
	else if (opts.exit_code && has_findings(analysis))
		status = GJS_EXIT_FINDINGS;

done:
	gjs_buf_free(&out);
	free(label);
	gjs_analysis_free(analysis);
	git_commit_free(commit);
	gjs_cmd_context_free(&ctx);
	return status;
}
