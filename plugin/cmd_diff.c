/*
 * `git jira-scopes diff [BASE] [HEAD]`: scopes added and removed between two
 * revisions, what justifies each added scope and what a removal breaks.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd_common.h"
#include "diff.h"
#include "frontend.h"

static const char usage[] =
	"git jira-scopes diff [--format=text|json|markdown] [--exit-code] [BASE [HEAD] | BASE..HEAD | BASE...HEAD]";

struct revision_pair {
	git_commit *base;
	git_commit *head;
	char *base_name;
	char *head_name;
	bool base_is_empty; /* HEAD is a root commit: compare with an empty tree */
};

static void revision_pair_clear(struct revision_pair *pair)
{
	git_commit_free(pair->base);
	git_commit_free(pair->head);
	free(pair->base_name);
	free(pair->head_name);
}

static int merge_base_of(git_commit **out, git_repository *repo, git_commit *left, git_commit *right,
	const char *description)
{
	git_oid base;
	char left_hex[GIT_OID_HEXSZ + 1];
	char right_hex[GIT_OID_HEXSZ + 1];

	if (git_merge_base(&base, repo, git_commit_id(left), git_commit_id(right)) < 0) {
		git_oid_tostr(left_hex, sizeof(left_hex), git_commit_id(left));
		git_oid_tostr(right_hex, sizeof(right_hex), git_commit_id(right));
		if (git_repository_is_shallow(repo)) {
			gjs_fatal("no merge base of %.12s and %.12s (%s) in this shallow clone", left_hex,
				right_hex, description);
			fprintf(stderr, "hint: fetch more history with 'git fetch --deepen=100' or "
					"'git fetch --unshallow', then run again\n");
			return GJS_EXIT_FATAL;
		}
		return gjs_fatal("%s: commits %.12s and %.12s have no common ancestor", description,
			left_hex, right_hex);
	}
	if (git_commit_lookup(out, repo, &base) < 0)
		return gjs_fatal("cannot read the merge base of %s", description);
	return 0;
}

/* Finds the default base: the merge base with HEAD's upstream, else HEAD~1. */
static int default_base(struct revision_pair *pair, git_repository *repo)
{
	git_reference *head_ref = NULL;
	git_reference *upstream = NULL;
	git_commit *upstream_commit = NULL;
	int status = 0;

	if (git_repository_head(&head_ref, repo) == 0 && git_reference_is_branch(head_ref) &&
	    git_branch_upstream(&upstream, head_ref) == 0 &&
	    git_reference_peel((git_object **)&upstream_commit, upstream, GIT_OBJECT_COMMIT) == 0) {
		gjs_buf label = GJS_BUF_INIT;

		status = merge_base_of(&pair->base, repo, upstream_commit, pair->head,
			"HEAD and its upstream");
		gjs_buf_printf(&label, "merge base of HEAD and %s", git_reference_shorthand(upstream));
		pair->base_name = gjs_buf_detach(&label);
		goto done;
	}

	if (git_commit_parentcount(pair->head) == 0) {
		pair->base_is_empty = true;
		pair->base_name = gjs_xstrdup("empty tree");
		goto done;
	}
	status = gjs_resolve_commit(&pair->base, repo, "HEAD~1");
	pair->base_name = gjs_xstrdup("HEAD~1");

done:
	git_commit_free(upstream_commit);
	git_reference_free(upstream);
	git_reference_free(head_ref);
	return status;
}

/* Resolves "A..B" (A to B) or "A...B" (the merge base of A and B to B). */
static int resolve_range(struct revision_pair *pair, git_repository *repo, const char *range,
	const char *dots)
{
	bool symmetric = dots[2] == '.';
	const char *right = dots + (symmetric ? 3 : 2);
	char *left = gjs_xstrndup(range, (size_t)(dots - range));
	git_commit *left_commit = NULL;
	int status;

	pair->head_name = gjs_xstrdup(*right ? right : "HEAD");
	if (!*left) {
		free(left);
		left = gjs_xstrdup("HEAD");
	}
	status = gjs_resolve_commit(&pair->head, repo, pair->head_name);
	if (!status)
		status = gjs_resolve_commit(&left_commit, repo, left);
	if (status)
		goto done;

	if (symmetric) {
		gjs_buf label = GJS_BUF_INIT;

		gjs_buf_printf(&label, "merge base of %s and %s", left, pair->head_name);
		pair->base_name = gjs_buf_detach(&label);
		status = merge_base_of(&pair->base, repo, left_commit, pair->head, range);
	} else {
		pair->base_name = left;
		pair->base = left_commit;
		left = NULL;
		left_commit = NULL;
	}

done:
	git_commit_free(left_commit);
	free(left);
	return status;
}

static int resolve_pair(struct revision_pair *pair, git_repository *repo, const gjs_cmd_options *opts)
{
	const char *range = opts->revision_count == 1 ? opts->revisions[0] : NULL;
	const char *dots = range ? strstr(range, "..") : NULL;
	int status;

	if (dots)
		return resolve_range(pair, repo, range, dots);

	pair->head_name = gjs_xstrdup(opts->revision_count == 2 ? opts->revisions[1] : "HEAD");
	status = gjs_resolve_commit(&pair->head, repo, pair->head_name);
	if (status)
		return status;
	if (opts->revision_count == 0)
		return default_base(pair, repo);
	pair->base_name = gjs_xstrdup(opts->revisions[0]);
	return gjs_resolve_commit(&pair->base, repo, pair->base_name);
}

static bool has_findings(const gjs_diff *diff)
{
	for (size_t i = 0; i < diff->app_count; i++) {
		const gjs_diff_app *app = &diff->apps[i];

		if (app->newly_missing_count)
			return true;
		for (size_t r = 0; r < app->removed_count; r++)
			if (app->removed[r].still_needed_count)
				return true;
		for (size_t a = 0; a < app->added_count; a++)
			if (app->added[a].broad_reason)
				return true;
	}
	return false;
}

/* Prints BASE's malformed declarations that HEAD does not repeat, so that a
 * file broken on both sides is named once. Returns how many it printed. */
static size_t report_base_errors(const gjs_analysis *base, const gjs_analysis *head,
	const char *base_label)
{
	size_t count = 0;

	for (size_t i = 0; i < base->app_count; i++) {
		const gjs_declaration *decl = base->apps[i].decl;
		const gjs_app *later = gjs_analysis_find_app(head, decl->path);

		if (!decl->error || (later && later->decl->error && !strcmp(later->decl->error, decl->error)))
			continue;
		gjs_fatal("%s (in %s)", decl->error, base_label);
		count++;
	}
	return count;
}

int gjs_cmd_diff(int argc, char **argv)
{
	gjs_cmd_options opts;
	gjs_cmd_context ctx;
	gjs_report_options report = GJS_REPORT_OPTIONS_INIT;
	struct revision_pair pair = { 0 };
	gjs_analysis *base = NULL;
	gjs_analysis *head = NULL;
	gjs_diff *diff = NULL;
	gjs_buf out = GJS_BUF_INIT;
	char *base_label = NULL;
	char *head_label = NULL;
	double started;
	int status;

	status = gjs_cmd_parse_options(&opts, argc, argv, usage, 2, false);
	if (status)
		return status == GJS_CMD_HELP ? GJS_EXIT_OK : status;
	if (opts.revision_count == 2 && (strstr(opts.revisions[0], "..") || strstr(opts.revisions[1], "..")))
		return gjs_usage_error(usage, "give either two revisions or one range, not both");
	status = gjs_cmd_context_open(&ctx);
	if (status)
		goto done;
	status = resolve_pair(&pair, ctx.repo, &opts);
	if (status)
		goto done;

	started = gjs_now();
	if (pair.base_is_empty) {
		status = gjs_analyze_files(&base, NULL, 0, &ctx.analysis) < 0 ? gjs_fatal("%s", gjs_error_last()) : 0;
		base_label = gjs_xstrdup(pair.base_name);
	} else {
		status = gjs_cmd_analyze_commit(&base, &ctx, pair.base);
		base_label = gjs_cmd_label(pair.base_name, pair.base);
	}
	if (status)
		goto done;
	gjs_cmd_trace_analysis(base_label, base, started);
	started = gjs_now();
	status = gjs_cmd_analyze_commit(&head, &ctx, pair.head);
	if (status)
		goto done;
	head_label = gjs_cmd_label(pair.head_name, pair.head);
	gjs_cmd_trace_analysis(head_label, head, started);

	if (gjs_diff_analyses(&diff, base, head, ctx.catalog, ctx.policy) < 0) {
		status = gjs_fatal("%s", gjs_error_last());
		goto done;
	}
	report.color = opts.format == GJS_FORMAT_TEXT && gjs_use_color(stdout, ctx.repo);
	report.base_label = base_label;
	report.head_label = head_label;
	report.trailer = ctx.policy->trailer;
	if (gjs_report_diff(&out, opts.format, diff, ctx.catalog, &report) < 0) {
		status = gjs_fatal("%s", gjs_error_last());
		goto done;
	}
	status = gjs_write_stdout(out.ptr, out.len);
	if (status)
		goto done;

	if (report_base_errors(base, head, base_label) + gjs_cmd_report_declaration_errors(head, head_label))
		status = GJS_EXIT_FATAL;
	else if (opts.exit_code && has_findings(diff))
		status = GJS_EXIT_FINDINGS;

done:
	gjs_buf_free(&out);
	free(base_label);
	free(head_label);
	gjs_diff_free(diff);
	gjs_analysis_free(base);
	gjs_analysis_free(head);
	revision_pair_clear(&pair);
	gjs_cmd_context_free(&ctx);
	return status;
}
