/*
 * `git jira-scopes comment`: the pull request bot. It compares the merge
 * base of BASE and HEAD with HEAD and posts the Markdown report as one
 * sticky comment on the pull or merge request. A hidden marker finds the
 * comment again, so later runs update it in place. It also sets the commit
 * status "jira-scopes" on HEAD, which fails while a broad scope is added
 * without review. Review is a trailer
 * in a commit of the request, or the approval label where the forge has
 * labels. The forge calls are in provider*.c, the transport in http.c.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_common.h"
#include "diff.h"
#include "frontend.h"
#include "http.h"
#include "provider.h"
#include "report.h"
#include "review.h"

static const char usage[] =
	"git jira-scopes comment [--provider=github|gitlab|bitbucket|bitbucket-server]\n"
	"       [--api-url=URL] [--web-url=URL] [--repo=REPO] [--pr=NUMBER]\n"
	"       [--base=REV] [--head=REV] [--bot-user=NAME] [--timeout=SECONDS]\n"
	"       [--dry-run] [--no-status] [--exit-code] [-v]";

static const char help[] =
	"\n"
	"Posts the scope report of BASE...HEAD on a pull or merge request as one\n"
	"comment, updated on every run (none is posted while no scope changes),\n"
	"and sets the commit status 'jira-scopes' on HEAD. In GitHub Actions,\n"
	"GitLab CI and Bitbucket Pipelines the options come from the environment;\n"
	"these override it:\n"
	"\n"
	"    --provider=NAME   github, gitlab, bitbucket (Cloud) or bitbucket-server\n"
	"                      (Data Center, which always needs --api-url and --repo)\n"
	"    --api-url=URL     REST API base, https (plain http only to loopback),\n"
	"                      with no user name, password or query in it; in CI it\n"
	"                      comes from GITHUB_API_URL or CI_API_V4_URL:\n"
	"                      github: https://api.github.com (default), or\n"
	"                        https://HOST/api/v3 on GitHub Enterprise Server\n"
	"                      gitlab: https://HOST/api/v4 (default\n"
	"                        https://gitlab.com/api/v4); /api/v4 is added when\n"
	"                        missing\n"
	"                      bitbucket: https://api.bitbucket.org/2.0 (default)\n"
	"                      bitbucket-server: https://HOST, with the context\n"
	"                        path if any; a trailing /rest/api/1.0 or\n"
	"                        /rest/api/latest is removed\n"
	"    --web-url=URL     web base of links to files and to the request, when it\n"
	"                      cannot be derived: https://HOST, or the project URL\n"
	"                      for a numeric GitLab project id\n"
	"    --repo=REPO       OWNER/REPO, GitLab project id or path, WORKSPACE/REPO,\n"
	"                      or PROJECT/REPO on Bitbucket Data Center\n"
	"    --pr=NUMBER       pull or merge request number: digits, such as 7\n"
	"    --base=REV        target branch revision; its merge base with HEAD is\n"
	"                      compared\n"
	"    --head=REV        revision under review (default HEAD)\n"
	"    --bot-user=NAME   the account the token posts as (GitHub login, GitLab\n"
	"                      user name, Bitbucket Cloud uuid or account id,\n"
	"                      Bitbucket Data Center user name or slug), when the\n"
	"                      forge cannot tell it; only its comments are updated\n"
	"                      or deleted\n"
	"    --timeout=SECONDS time for all requests of the run, waits included\n"
	"                      (default 300, or GJS_COMMENT_TIMEOUT)\n"
	"    --dry-run         print the comment and status and change nothing;\n"
	"                      with a token it still reads labels (GET requests only)\n"
	"    --no-status       post the comment only\n"
	"    --exit-code       exit with 1 when the status is a failure\n"
	"    -v, --verbose     trace each HTTP request (never its headers)\n"
	"\n"
	"The status fails while a broad scope is added without review. A review is\n"
	"a trailer (jira-scopes.trailer, default Scopes-Reviewed-by) in a commit of\n"
	"the request naming a reviewer that jira-scopes.reviewer allows and that\n"
	"did not author the change, or, on GitHub and GitLab, the label named by\n"
	"jira-scopes.approvalLabel.\n"
	"\n"
	"The bot updates only its own comment: one that starts with its marker and\n"
	"was written by the token's account (GET /user on GitHub, GitLab and\n"
	"Bitbucket Cloud; the X-AUSERNAME header on Bitbucket Data Center; a\n"
	"workflow's GITHUB_TOKEN posts as github-actions[bot]). When the account\n"
	"is unknown, it updates a marker comment of a bot account, deletes none,\n"
	"and otherwise posts a new one.\n"
	"\n"
	"Tokens: GITHUB_TOKEN, GITLAB_TOKEN, BITBUCKET_TOKEN (or BITBUCKET_USER and\n"
	"BITBUCKET_APP_PASSWORD for Bitbucket Cloud).\n";

/* A commit status description longer than this is cut by GitHub. */
#define MAX_DESCRIPTION 140
/* Seconds that all requests of a run may take by default: a slow server
 * must not hold a CI job for long. */
#define DEFAULT_TIMEOUT 300
/* The longest --timeout accepted, one day. */
#define MAX_TIMEOUT 86400

struct comment_options {
	const char *provider;
	const char *api_url;
	const char *web_url;
	const char *repo;
	const char *number;
	const char *base;
	const char *head;
	const char *bot_user;
	const char *timeout;
	bool dry_run;
	bool no_status;
	bool exit_code;
};

/* Matches "--name=value" or "--name value"; advances `*i` for the latter. */
static int option_value(const char **out, int argc, char **argv, int *i, const char *name)
{
	size_t len = strlen(name);
	const char *arg = argv[*i];

	if (strncmp(arg, name, len))
		return 0;
	if (arg[len] == '=') {
		*out = arg + len + 1;
		return 1;
	}
	if (arg[len])
		return 0;
	if (*i + 1 >= argc)
		return -1;
	*out = argv[++*i];
	return 1;
}

static int parse_options(struct comment_options *opts, int argc, char **argv)
{
	static const struct {
		const char *name;
		size_t offset;
	} valued[] = {
		{ "--provider", offsetof(struct comment_options, provider) },
		{ "--api-url", offsetof(struct comment_options, api_url) },
		{ "--web-url", offsetof(struct comment_options, web_url) },
		{ "--repo", offsetof(struct comment_options, repo) },
		{ "--pr", offsetof(struct comment_options, number) },
		{ "--base", offsetof(struct comment_options, base) },
		{ "--head", offsetof(struct comment_options, head) },
		{ "--bot-user", offsetof(struct comment_options, bot_user) },
		{ "--timeout", offsetof(struct comment_options, timeout) },
	};

	memset(opts, 0, sizeof(*opts));
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		bool matched = false;

		if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			printf("usage: %s\n%s", usage, help);
			return GJS_CMD_HELP;
		}
		if (!strcmp(arg, "--dry-run")) {
			opts->dry_run = true;
			continue;
		}
		if (!strcmp(arg, "--no-status")) {
			opts->no_status = true;
			continue;
		}
		if (!strcmp(arg, "--exit-code")) {
			opts->exit_code = true;
			continue;
		}
		if (!strcmp(arg, "-v") || !strcmp(arg, "--verbose")) {
			gjs_trace_enable(true);
			continue;
		}
		for (size_t k = 0; k < sizeof(valued) / sizeof(valued[0]); k++) {
			const char **field = (const char **)((char *)opts + valued[k].offset);
			int found = option_value(field, argc, argv, &i, valued[k].name);

			if (found < 0)
				return gjs_usage_error(usage, "%s needs a value", valued[k].name);
			if (found) {
				matched = true;
				break;
			}
		}
		if (matched)
			continue;
		return gjs_usage_error(usage, "unknown option '%s'", arg);
	}

	if (opts->provider && gjs_provider_parse(opts->provider) == GJS_PROVIDER_NONE)
		return gjs_usage_error(usage, "invalid --provider '%s': use github, gitlab, "
			"bitbucket or bitbucket-server", opts->provider);
	if (opts->number && !gjs_request_number_ok(opts->number))
		return gjs_usage_error(usage, "invalid --pr '%s': expected the number of the pull "
			"or merge request, such as --pr=7", opts->number);
	if (opts->bot_user && !*opts->bot_user)
		return gjs_usage_error(usage, "--bot-user needs a name");
	return 0;
}

/* Reads --timeout, else GJS_COMMENT_TIMEOUT, else the default, in seconds. */
static int run_timeout(double *seconds, const char *option)
{
	const char *value = option ? option : getenv("GJS_COMMENT_TIMEOUT");
	char *end;
	long number;

	*seconds = DEFAULT_TIMEOUT;
	if (!value || (!option && !*value))
		return 0;
	errno = 0;
	number = strtol(value, &end, 10);
	if (errno || end == value || *end || number < 1 || number > MAX_TIMEOUT) {
		char *safe = gjs_sanitize(value);

		if (option)
			gjs_usage_error(usage, "invalid --timeout '%s': expected seconds from 1 to "
				"%d", safe, MAX_TIMEOUT);
		else
			gjs_fatal("invalid GJS_COMMENT_TIMEOUT '%s': expected seconds from 1 to %d",
				safe, MAX_TIMEOUT);
		free(safe);
		return option ? GJS_EXIT_USAGE : GJS_EXIT_FATAL;
	}
	*seconds = (double)number;
	return 0;
}

static void override(char **field, const char *value)
{
	if (!value)
		return;
	free(*field);
	*field = gjs_xstrdup(value);
}

/* Names a request the way its forge does. */
static const char *request_noun(gjs_provider_kind kind)
{
	return kind == GJS_PROVIDER_GITLAB ? "merge request" : "pull request";
}

/* Writes a request the way its forge does: "group/app!7" for a GitLab merge
 * request, "octo/app#7" for a pull request. Caller frees. */
static char *request_ref(const gjs_pull_request *pr)
{
	gjs_buf out = GJS_BUF_INIT;

	gjs_buf_printf(&out, "%s%c%s", pr->repo, pr->kind == GJS_PROVIDER_GITLAB ? '!' : '#',
		pr->number);
	return gjs_buf_detach(&out);
}

/* Prints the last error, made safe for a terminal, as a fatal message. */
static int fatal_last_error(void)
{
	char *safe = gjs_sanitize(gjs_error_last());
	int status = gjs_fatal("%s", safe);

	free(safe);
	return status;
}

/* The commits of the request: reachable from HEAD, not from the merge base. */
static int request_commits(git_oid **out, size_t *count, git_repository *repo,
	const git_oid *base, const git_oid *head)
{
	git_revwalk *walk = NULL;
	git_oid id;
	size_t alloc = 0;
	int error;

	*out = NULL;
	*count = 0;
	if (git_revwalk_new(&walk, repo) < 0 || git_revwalk_push(walk, head) < 0 ||
	    git_revwalk_hide(walk, base) < 0) {
		git_revwalk_free(walk);
		return gjs_fatal("cannot list the commits of the request: %s",
			git_error_last() ? git_error_last()->message : "unknown error");
	}
	while ((error = git_revwalk_next(&id, walk)) == 0) {
		GJS_GROW(*out, alloc, *count + 1);
		(*out)[(*count)++] = id;
	}
	git_revwalk_free(walk);
	if (error != GIT_ITEROVER)
		return gjs_fatal("cannot list the commits of the request: %s",
			git_error_last() ? git_error_last()->message : "unknown error");
	return 0;
}

static int merge_base(git_commit **out, git_repository *repo, const git_commit *base,
	const git_commit *head, const char *base_name)
{
	git_oid id;
	char base_hex[GIT_OID_HEXSZ + 1], head_hex[GIT_OID_HEXSZ + 1];

	if (git_merge_base(&id, repo, git_commit_id(base), git_commit_id(head)) == 0 &&
	    git_commit_lookup(out, repo, &id) == 0)
		return 0;

	git_oid_tostr(base_hex, sizeof(base_hex), git_commit_id(base));
	git_oid_tostr(head_hex, sizeof(head_hex), git_commit_id(head));
	if (git_repository_is_shallow(repo)) {
		gjs_fatal("no merge base of %s (%.12s) and %.12s in this shallow clone", base_name,
			base_hex, head_hex);
		fprintf(stderr, "hint: check out with full history (actions/checkout: "
			"'fetch-depth: 0'; GitLab: GIT_DEPTH: 0) or run 'git fetch --unshallow'\n");
		return GJS_EXIT_FATAL;
	}
	return gjs_fatal("%s (%.12s) and %.12s have no common ancestor", base_name, base_hex,
		head_hex);
}

/* Review state of every added scope that needs review. */
struct review_state {
	gjs_report_review *reviews;
	size_t count;
	size_t alloc;
	gjs_strvec owned;  /* reviewer strings */
	size_t unreviewed; /* scopes still needing review */
};

static void review_state_clear(struct review_state *state)
{
	free(state->reviews);
	gjs_strvec_clear(&state->owned);
}

static int check_reviews(struct review_state *state, git_repository *repo, const gjs_diff *diff,
	const git_oid *commits, size_t commit_count, const gjs_policy *policy)
{
	for (size_t a = 0; a < diff->app_count; a++) {
		const gjs_diff_app *app = &diff->apps[a];

		for (size_t s = 0; s < app->added_count; s++) {
			const gjs_added_scope *added = &app->added[s];
			gjs_review_result result;
			gjs_report_review *review;

			if (!gjs_added_needs_review(added))
				continue;
			if (gjs_review_check(&result, repo, commits, commit_count, app->path, added->scope,
				    policy) < 0)
				return fatal_last_error();

			GJS_GROW(state->reviews, state->alloc, state->count + 1);
			review = &state->reviews[state->count++];
			memset(review, 0, sizeof(*review));
			review->decl_path = app->path;
			review->scope = added->scope;
			review->reviewed = result.reviewed;
			if (result.reviewed && result.reviewer) {
				gjs_strvec_push(&state->owned, result.reviewer);
				review->reviewer = state->owned.items[state->owned.count - 1];
			}
			if (!result.reviewed) {
				state->unreviewed++;
				gjs_trace("%s: %s is not reviewed%s%s", app->path, added->scope,
					result.rejected_reason ? ": " : "",
					result.rejected_reason ? result.rejected_reason : "");
			}
			gjs_review_result_clear(&result);
		}
	}
	return 0;
}

/* Marks every unreviewed scope as approved by the label. */
static void approve_by_label(struct review_state *state, const char *label)
{
	gjs_buf approver = GJS_BUF_INIT;

	gjs_buf_printf(&approver, "the approval label %s", label);
	gjs_strvec_push(&state->owned, approver.ptr);
	for (size_t i = 0; i < state->count; i++) {
		if (state->reviews[i].reviewed)
			continue;
		state->reviews[i].reviewed = true;
		state->reviews[i].reviewer = state->owned.items[state->owned.count - 1];
	}
	state->unreviewed = 0;
	gjs_buf_free(&approver);
}

static bool diff_has_changes(const gjs_diff *diff)
{
	for (size_t i = 0; i < diff->app_count; i++)
		if (gjs_diff_app_has_changes(&diff->apps[i]))
			return true;
	return false;
}

/* Cuts `body` at a line boundary so that it fits `limit` bytes, with a note.
 * The report writer cuts first, so this only guards against its overshoot. */
static void fit_body(gjs_buf *body, size_t limit)
{
	static const char note[] =
		"\n\n*This report was cut to fit the comment size limit. Run "
		"`git jira-scopes diff` locally for the full report.*\n";
	size_t cut;

	if (body->len <= limit)
		return;
	cut = limit - sizeof(note);
	while (cut > 0 && body->ptr[cut] != '\n')
		cut--;
	body->len = cut;
	body->ptr[cut] = '\0';
	gjs_buf_puts(body, note);
}

/* Everything the run holds; released in one place. */
struct run {
	struct comment_options opts;
	gjs_pull_request pr;
	gjs_cmd_context ctx;
	git_commit *base;
	git_commit *head;
	git_commit *merge_base;
	gjs_analysis *base_analysis;
	gjs_analysis *head_analysis;
	gjs_diff *diff;
	git_oid *commits;
	size_t commit_count;
	struct review_state reviews;
	char *base_label;
	char *head_label;
	char *link_prefix;
	char *line_format;
	char *request_url;
	char *request_ref; /* "octo/app#7", "group/app!7" */
	gjs_buf body;
	gjs_buf description;
	char head_hex[GIT_OID_HEXSZ + 1];
	bool failure;
	bool has_changes;
	char *auth_header;
	gjs_http *http;
	gjs_provider *provider;
	gjs_comment *comments;
	size_t comment_count;
	double timeout; /* seconds for all requests */
};

static void run_clear(struct run *run)
{
	gjs_comments_free(run->comments, run->comment_count);
	gjs_provider_free(run->provider);
	gjs_http_free(run->http);
	if (run->auth_header) {
		memset(run->auth_header, 0, strlen(run->auth_header));
		free(run->auth_header);
	}
	gjs_buf_free(&run->body);
	gjs_buf_free(&run->description);
	free(run->request_url);
	free(run->request_ref);
	free(run->link_prefix);
	free(run->line_format);
	free(run->base_label);
	free(run->head_label);
	review_state_clear(&run->reviews);
	free(run->commits);
	gjs_diff_free(run->diff);
	gjs_analysis_free(run->base_analysis);
	gjs_analysis_free(run->head_analysis);
	git_commit_free(run->merge_base);
	git_commit_free(run->base);
	git_commit_free(run->head);
	gjs_cmd_context_free(&run->ctx);
	gjs_pull_request_clear(&run->pr);
}

/* Finds the request from the environment and the options. */
static int locate_request(struct run *run)
{
	gjs_pull_request *pr = &run->pr;
	const struct comment_options *opts = &run->opts;

	if (opts->provider) {
		pr->kind = gjs_provider_parse(opts->provider);
	} else {
		gjs_buf names = GJS_BUF_INIT;
		int status = 0;

		if (gjs_provider_detect_ci(&names) > 1)
			status = gjs_usage_error(usage, "the environment names several CI systems "
				"(%s): pass --provider", names.ptr);
		gjs_buf_free(&names);
		if (status)
			return status;
	}
	override(&pr->api_url, opts->api_url);
	override(&pr->web_url, opts->web_url);
	override(&pr->repo, opts->repo);
	override(&pr->number, opts->number);
	override(&pr->base, opts->base);
	override(&pr->head, opts->head);

	if (gjs_pull_request_from_env(pr) < 0 || gjs_pull_request_validate(pr) < 0)
		return fatal_last_error();
	run->request_ref = request_ref(pr);
	if (!pr->base)
		return gjs_fatal("no base revision for %s %s %s: pass --base=REV (the target "
			"branch)", gjs_provider_title(pr->kind), request_noun(pr->kind),
			run->request_ref);
	if (!pr->head)
		pr->head = gjs_xstrdup("HEAD");
	if (gjs_http_check_base_url(pr->api_url) < 0)
		return fatal_last_error();
	if (pr->web_url && gjs_http_check_base_url(pr->web_url) < 0)
		return fatal_last_error();
	gjs_trace("comment: %s %s %s (%s), API %s, base %s, head %s",
		gjs_provider_title(pr->kind), request_noun(pr->kind), run->request_ref,
		pr->ci ? pr->ci : "options", pr->api_url, pr->base, pr->head);
	return 0;
}

/* Resolves the revisions and computes the diff and the reviews. */
static int analyse(struct run *run)
{
	gjs_cmd_context *ctx = &run->ctx;
	int status;

	status = gjs_cmd_context_open(ctx);
	if (status)
		return status;
	status = gjs_resolve_commit(&run->head, ctx->repo, run->pr.head);
	if (!status)
		status = gjs_resolve_commit(&run->base, ctx->repo, run->pr.base);
	if (!status)
		status = merge_base(&run->merge_base, ctx->repo, run->base, run->head, run->pr.base);
	if (status)
		return status;
	git_oid_tostr(run->head_hex, sizeof(run->head_hex), git_commit_id(run->head));

	status = gjs_cmd_analyze_commit(&run->base_analysis, ctx, run->merge_base);
	if (!status)
		status = gjs_cmd_analyze_commit(&run->head_analysis, ctx, run->head);
	if (status)
		return status;
	if (gjs_diff_analyses(&run->diff, run->base_analysis, run->head_analysis, ctx->catalog,
		    ctx->policy) < 0)
		return fatal_last_error();
	run->has_changes = diff_has_changes(run->diff);

	status = request_commits(&run->commits, &run->commit_count, ctx->repo,
		git_commit_id(run->merge_base), git_commit_id(run->head));
	if (status)
		return status;
	return check_reviews(&run->reviews, ctx->repo, run->diff, run->commits, run->commit_count,
		ctx->policy);
}

/* Applies the approval label when a review is still missing. */
static int apply_label(struct run *run)
{
	const char *label = run->ctx.policy->approval_label;
	gjs_pull_request *pr = &run->pr;

	if (!label || !run->reviews.unreviewed)
		return 0;
	if (pr->kind != GJS_PROVIDER_GITHUB && pr->kind != GJS_PROVIDER_GITLAB) {
		gjs_trace("comment: %s has no labels; jira-scopes.approvalLabel is not used",
			gjs_provider_title(pr->kind));
		return 0;
	}
	if (!pr->labels_known) {
		if (!run->provider) {
			gjs_trace("comment: without a token --dry-run reads no labels from %s",
				gjs_provider_title(pr->kind));
			return 0;
		}
		if (gjs_provider_fetch_labels(run->provider, &pr->labels) < 0)
			return fatal_last_error();
		pr->labels_known = true;
	}
	if (gjs_strvec_contains(&pr->labels, label)) {
		gjs_trace("comment: label '%s' approves the broad scopes", label);
		approve_by_label(&run->reviews, label);
	}
	return 0;
}

static void build_status(struct run *run)
{
	size_t errors = gjs_analysis_error_count(run->head_analysis);

	gjs_buf_clear(&run->description);
	if (errors && !run->ctx.policy->on_error_allow) {
		run->failure = true;
		gjs_buf_printf(&run->description, "%zu scope declaration%s could not be read", errors,
			errors == 1 ? "" : "s");
	} else if (run->reviews.unreviewed) {
		run->failure = true;
		gjs_buf_printf(&run->description, "%zu broad scope%s added without review",
			run->reviews.unreviewed, run->reviews.unreviewed == 1 ? "" : "s");
	} else {
		run->failure = false;
		gjs_buf_puts(&run->description, run->reviews.count ?
			"broad scopes added with review" : "no broad scope added without review");
	}
	if (run->description.len > MAX_DESCRIPTION) {
		run->description.len = MAX_DESCRIPTION;
		run->description.ptr[MAX_DESCRIPTION] = '\0';
	}
}

/*
 * Explains, when jira-scopes.reviewer is not set, that no trailer can
 * approve although the report requests one, and what can clear the status
 * instead. The policy is read from the git config of the clone that the bot
 * runs in, so the CI job has to set it.
 */
static void no_reviewer_note(gjs_buf *out, const struct run *run)
{
	const gjs_policy *policy = run->ctx.policy;
	bool has_labels = run->pr.kind == GJS_PROVIDER_GITHUB || run->pr.kind == GJS_PROVIDER_GITLAB;

	if (!run->reviews.unreviewed || policy->reviewers.count)
		return;
	gjs_buf_puts(out, "\n**No reviewer is configured**, so no trailer can approve a broad "
		"scope. To allow reviewers, the CI job runs `git config jira-scopes.reviewer "
		"'EMAIL-GLOB'` before the bot.");
	if (has_labels && policy->approval_label) {
		gjs_buf_puts(out, " Until then only the label ");
		gjs_report_markdown_code(out, policy->approval_label);
		gjs_buf_puts(out, " can clear the status.\n");
	} else if (has_labels) {
		gjs_buf_puts(out, " Until then nothing clears the status; setting "
			"`jira-scopes.approvalLabel` lets a label do it.\n");
	} else {
		gjs_buf_printf(out, " Until then nothing clears the status: %s has no labels "
			"to approve with.\n", gjs_provider_title(run->pr.kind));
	}
	/* A label of absurd length must not eat the report's room. */
	if (out->len > gjs_provider_max_comment(run->pr.kind) / 4)
		gjs_buf_clear(out);
}

static int build_body(struct run *run)
{
	gjs_report_options report = GJS_REPORT_OPTIONS_INIT;
	gjs_pull_request *pr = &run->pr;
	const char *marker = gjs_provider_marker(pr->kind);
	size_t limit = gjs_provider_max_comment(pr->kind);
	gjs_buf note = GJS_BUF_INIT;
	size_t head_len;
	int status = 0;

	run->base_label = gjs_cmd_label(pr->base, run->merge_base);
	run->head_label = gjs_cmd_label(pr->head, run->head);
	gjs_provider_links(pr, run->head_hex, &run->link_prefix, &run->line_format);

	gjs_buf_printf(&run->body, "%s\n\n", marker);
	head_len = run->body.len;
	no_reviewer_note(&note, run);
	report.base_label = run->base_label;
	report.head_label = run->head_label;
	report.link_prefix = run->link_prefix;
	report.link_line_format = run->line_format;
	report.trailer = run->ctx.policy->trailer;
	report.reviews = run->reviews.reviews;
	report.review_count = run->reviews.count;
	report.max_chars = limit - head_len - note.len;
	if (gjs_report_diff(&run->body, GJS_FORMAT_MARKDOWN, run->diff, run->ctx.catalog,
		    &report) < 0) {
		status = fatal_last_error();
		goto done;
	}
	if (note.len)
		gjs_buf_put(&run->body, note.ptr, note.len);
	fit_body(&run->body, limit);

done:
	gjs_buf_free(&note);
	return status;
}

static int print_dry_run(struct run *run)
{
	const gjs_pull_request *pr = &run->pr;

	if (run->opts.no_status)
		printf("dry run: no commit status (--no-status)\n");
	else
		printf("dry run: would set commit status 'jira-scopes' on %s to %s: %s\n",
			run->head_hex, run->failure ? "failure" : "success",
			gjs_buf_cstr(&run->description));
	if (run->has_changes)
		printf("dry run: would post or update the comment on %s %s %s:\n",
			gjs_provider_title(pr->kind), request_noun(pr->kind), run->request_ref);
	else
		printf("dry run: no scope change: would update an earlier comment on %s %s "
			"%s, and post none if there is none:\n",
			gjs_provider_title(pr->kind), request_noun(pr->kind), run->request_ref);
	return gjs_write_stdout(run->body.ptr, run->body.len);
}

/*
 * Sets up the HTTP client and the provider. A dry run without a token stays
 * offline; with one, it may send GET requests, and the client rejects
 * anything else.
 */
static int connect_provider(struct run *run)
{
	gjs_http_options http_opts = GJS_HTTP_OPTIONS_INIT;
	const char *source = NULL;

	if (gjs_provider_auth_header(&run->auth_header, &source, run->pr.kind) < 0) {
		if (run->opts.dry_run) {
			gjs_error_clear();
			return 0;
		}
		return fatal_last_error();
	}
	http_opts.auth_header = run->auth_header;
	http_opts.trace = gjs_trace;
	http_opts.budget = run->timeout;
	http_opts.read_only = run->opts.dry_run;
	if (gjs_http_new(&run->http, &http_opts) < 0 ||
	    gjs_provider_new(&run->provider, &run->pr, run->http, source) < 0)
		return fatal_last_error();
	if (run->opts.bot_user)
		gjs_provider_set_bot_user(run->provider, run->opts.bot_user);
	return 0;
}

/* Prints a failed step as "error: ..." and keeps the run going, so that the
 * commit status is still set. */
static int report_step_error(void)
{
	char *safe = gjs_sanitize(gjs_error_last());

	fprintf(stderr, "error: %s\n", safe);
	free(safe);
	return GJS_EXIT_FATAL;
}

/*
 * Posts the comment. A POST that failed with a 5xx or a timeout may still
 * have created it, and the client does not repeat a POST: list the
 * comments again, and post once more only if it is not there.
 */
static int post_comment(struct run *run, char **id)
{
	gjs_comment *again = NULL;
	size_t count = 0;
	int error;

	error = gjs_provider_create_comment(run->provider, run->body.ptr, id);
	if (error != GJS_ENETWORK && error != GJS_ETIMEOUT)
		return error;
	gjs_trace("comment: posting failed (%s); checking whether the comment exists",
		gjs_error_last());
	if (gjs_provider_find_comments(run->provider, &again, &count) < 0)
		return GJS_ENETWORK;
	if (count) {
		*id = gjs_xstrdup(again[0].id);
		gjs_comments_free(again, count);
		return 0;
	}
	return gjs_provider_create_comment(run->provider, run->body.ptr, id);
}

/*
 * Updates the bot's comment or posts one, and removes duplicates when the
 * comments are known to be the bot's. Returns 0, or GJS_EXIT_FATAL after
 * printing the error: the caller still sets the status.
 */
static int publish_comment(struct run *run)
{
	const gjs_pull_request *pr = &run->pr;
	char *id = NULL;

	if (gjs_provider_find_comments(run->provider, &run->comments, &run->comment_count) < 0)
		return report_step_error();
	gjs_trace("comment: adopting marker comments of %s", gjs_provider_identity(run->provider));

	if (run->comment_count) {
		if (gjs_provider_update_comment(run->provider, &run->comments[0], run->body.ptr) < 0)
			return report_step_error();
		printf("updated comment %s on %s %s %s\n", run->comments[0].id,
			gjs_provider_title(pr->kind), request_noun(pr->kind), run->request_ref);
	} else if (run->has_changes) {
		if (post_comment(run, &id) < 0)
			return report_step_error();
		printf("posted comment %s on %s %s %s\n", id ? id : "(no id)",
			gjs_provider_title(pr->kind), request_noun(pr->kind), run->request_ref);
		free(id);
	} else {
		printf("no scope change: no comment on %s %s %s\n",
			gjs_provider_title(pr->kind), request_noun(pr->kind), run->request_ref);
	}

	/* Two runs racing can each post; the oldest comment stays. */
	if (!gjs_provider_may_delete(run->provider)) {
		if (run->comment_count > 1)
			gjs_print_warning("%zu more marker comments of bot accounts are left in place: "
				"the token's account is unknown; pass --bot-user to remove duplicates",
				run->comment_count - 1);
		return 0;
	}
	for (size_t i = 1; i < run->comment_count; i++) {
		if (gjs_provider_delete_comment(run->provider, &run->comments[i]) < 0)
			return report_step_error();
		printf("deleted duplicate comment %s\n", run->comments[i].id);
	}
	return 0;
}

static int publish_status(struct run *run)
{
	gjs_commit_status status;

	if (run->opts.no_status)
		return 0;
	run->request_url = gjs_provider_request_url(&run->pr);
	status.sha = run->head_hex;
	status.success = !run->failure;
	status.description = gjs_buf_cstr(&run->description);
	status.target_url = run->request_url ? run->request_url : run->pr.api_url;
	if (gjs_provider_set_status(run->provider, &status) < 0)
		return report_step_error();
	printf("set commit status jira-scopes on %.12s to %s: %s\n", run->head_hex,
		run->failure ? "failure" : "success", status.description);
	return 0;
}

/* Sends the comment and the status; each is tried even if the other
 * failed, and the exit status says which failed. */
static int publish(struct run *run)
{
	int comment = publish_comment(run);
	int status = publish_status(run);

	if (!comment && !status)
		return 0;
	if (comment && status)
		return gjs_fatal("neither the comment nor the commit status was sent");
	if (comment)
		return gjs_fatal("the comment was not sent; the commit status was %s",
			run->opts.no_status ? "not requested (--no-status)" : "set");
	return gjs_fatal("the comment was sent; the commit status was not set");
}

int gjs_cmd_comment(int argc, char **argv)
{
	struct run run;
	int status;

	memset(&run, 0, sizeof(run));
	status = parse_options(&run.opts, argc, argv);
	if (status)
		return status == GJS_CMD_HELP ? GJS_EXIT_OK : status;

	status = locate_request(&run);
	if (!status)
		status = analyse(&run);
	if (status)
		goto done;
	for (size_t i = 0; i < run.head_analysis->app_count; i++)
		if (run.head_analysis->apps[i].decl->error)
			gjs_print_warning("%s", run.head_analysis->apps[i].decl->error);

	status = run_timeout(&run.timeout, run.opts.timeout);
	if (!status)
		status = connect_provider(&run);
	if (status)
		goto done;
	status = apply_label(&run);
	if (!status)
		status = build_body(&run);
	if (status)
		goto done;
	build_status(&run);

	if (run.opts.dry_run) {
		status = print_dry_run(&run);
	} else {
		status = publish(&run);
	}
	if (!status && run.opts.exit_code && run.failure)
		status = GJS_EXIT_FINDINGS;

done:
	run_clear(&run);
	return status;
}
