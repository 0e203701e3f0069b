/*
 * `git jira-scopes pre-receive`: the server-side hook. Reads every
 * "OLD NEW REF" line of a push, judges each ref that jira-scopes.refs
 * covers, and accepts (0), rejects by policy (1) or could not decide (128,
 * unless jira-scopes.onError=allow). Policy comes from git config only,
 * never from the pushed tree.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontend.h"
#include "hook.h"

static const char usage_text[] = "git jira-scopes pre-receive < <ref-update-lines>";

typedef struct {
	const gjs_hook_update *update;
	bool enforced;
	gjs_hook_verdict verdict;
} ref_result;

/* Prints `text` line by line on stderr, each line after `prefix`. */
static void print_lines(const char *prefix, const char *text)
{
	while (*text) {
		const char *end = strchr(text, '\n');
		size_t len = end ? (size_t)(end - text) : strlen(text);

		fprintf(stderr, "%s%.*s\n", prefix, (int)len, text);
		text += len + (end ? 1 : 0);
	}
}

/* Prints the "error: " and "warning: " lines of a verdict's message on
 * stderr as "warning: " lines. */
static void print_as_warnings(const char *text)
{
	static const char error_prefix[] = "error:";

	while (*text) {
		const char *end = strchr(text, '\n');
		size_t len = end ? (size_t)(end - text) : strlen(text);

		if (len >= sizeof(error_prefix) - 1 &&
		    !strncmp(text, error_prefix, sizeof(error_prefix) - 1))
			fprintf(stderr, "warning:%.*s\n", (int)(len - (sizeof(error_prefix) - 1)),
				text + sizeof(error_prefix) - 1);
		else
			fprintf(stderr, "%.*s\n", (int)len, text);
		text += len + (end ? 1 : 0);
	}
}

static void print_line(const char *prefix, const char *fmt, ...) GJS_PRINTF(2, 3);
static void print_line(const char *prefix, const char *fmt, ...)
{
	gjs_buf line = GJS_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	gjs_buf_vprintf(&line, fmt, ap);
	va_end(ap);
	print_lines(prefix, gjs_buf_cstr(&line));
	gjs_buf_free(&line);
}

/* Peels an id to a commit; `*out` stays NULL when it names no commit. */
static int lookup_commit(git_commit **out, git_repository *repo, const char *hex)
{
	git_object *object = NULL;
	git_object *peeled = NULL;
	git_oid id;
	int error;

	*out = NULL;
	if (git_oid_fromstr(&id, hex) < 0 || git_object_lookup(&object, repo, &id, GIT_OBJECT_ANY) < 0) {
		gjs_error_set("object %s is missing from the repository", hex);
		return GJS_ENOTFOUND;
	}
	error = git_object_peel(&peeled, object, GIT_OBJECT_COMMIT);
	git_object_free(object);
	if (error == 0)
		*out = (git_commit *)peeled;
	return 0;
}

/*
 * Picks what a created ref is compared with: the merge base of its commit
 * and the repository's default branch (HEAD), or nothing (an empty tree)
 * when HEAD is unborn or shares no history with it.
 */
static int created_ref_base(git_commit **out, git_repository *repo, const git_commit *head)
{
	git_reference *default_ref = NULL;
	git_object *default_commit = NULL;
	git_oid base;
	int error = 0;

	*out = NULL;
	if (git_repository_head(&default_ref, repo) < 0 ||
	    git_reference_peel(&default_commit, default_ref, GIT_OBJECT_COMMIT) < 0)
		goto done;
	error = git_merge_base(&base, repo, git_commit_id(head), git_object_id(default_commit));
	if (error == GIT_ENOTFOUND) {
		error = 0;
		goto done;
	}
	if (error < 0 || git_commit_lookup(out, repo, &base) < 0) {
		gjs_error_set_git("cannot find the merge base with the default branch");
		error = GJS_ERROR;
	}

done:
	git_object_free(default_commit);
	git_reference_free(default_ref);
	return error;
}

static void set_verdict_error(gjs_hook_verdict *verdict, const char *ref, const char *detail)
{
	char *clean_ref = gjs_sanitize(ref);
	char *clean_detail = gjs_sanitize(detail);

	verdict->decision = GJS_HOOK_ERROR;
	gjs_buf_printf(&verdict->message, "error: %s: cannot check scopes: %s\n", clean_ref,
		clean_detail);
	free(verdict->reason);
	verdict->reason = gjs_xstrdup(detail);
	free(clean_detail);
	free(clean_ref);
}

static void check_update(ref_result *result, const gjs_hook_context *ctx, const git_oid *tips,
	size_t tip_count)
{
	const gjs_hook_update *update = result->update;
	git_commit *head = NULL;
	git_commit *base = NULL;
	git_oid *commits = NULL;
	size_t commit_count = 0;

	memset(&result->verdict, 0, sizeof(result->verdict));
	if (update->deleted) {
		result->verdict.reason = gjs_xstrdup("ref deleted");
		return;
	}
	if (ctx->deadline && gjs_now() >= ctx->deadline) {
		gjs_buf detail = GJS_BUF_INIT;

		gjs_buf_printf(&detail, "the time budget of %g seconds (jira-scopes.timeout) was "
					"spent before this ref was checked", ctx->policy->timeout);
		set_verdict_error(&result->verdict, update->ref, gjs_buf_cstr(&detail));
		gjs_buf_free(&detail);
		return;
	}

	if (lookup_commit(&head, ctx->repo, update->new_hex) < 0) {
		set_verdict_error(&result->verdict, update->ref, gjs_error_last());
		goto done;
	}
	if (!head) {
		result->verdict.reason = gjs_xstrdup("not a commit");
		goto done;
	}
	if (update->created) {
		if (created_ref_base(&base, ctx->repo, head) < 0) {
			set_verdict_error(&result->verdict, update->ref, gjs_error_last());
			goto done;
		}
	} else if (lookup_commit(&base, ctx->repo, update->old_hex) < 0) {
		set_verdict_error(&result->verdict, update->ref, gjs_error_last());
		goto done;
	}
	if (gjs_hook_push_commits(&commits, &commit_count, ctx->repo, git_commit_id(head), tips,
		    tip_count) < 0) {
		set_verdict_error(&result->verdict, update->ref, gjs_error_last());
		goto done;
	}

	gjs_hook_check(&result->verdict, ctx, update->ref, base, head, commits, commit_count);

done:
	free(commits);
	git_commit_free(base);
	git_commit_free(head);
}

static const char *audit_decision(const ref_result *result, bool breakglass)
{
	switch (result->verdict.decision) {
	case GJS_HOOK_ACCEPT:
		return "accept";
	case GJS_HOOK_REJECT:
		return breakglass ? "breakglass" : "reject";
	case GJS_HOOK_ERROR:
		return breakglass ? "breakglass" : "error";
	}
	return "error";
}

/* Appends one audit line per judged ref; `accepted` is the push's fate. */
static int write_audit(const gjs_policy *policy, const ref_result *results, size_t count,
	bool accepted, const char *breakglass)
{
	gjs_audit_entry *entries = gjs_xcalloc(count, sizeof(*entries));
	gjs_strvec reasons = GJS_STRVEC_INIT;
	char *pusher = gjs_hook_pusher();
	size_t used = 0;
	int error;

	for (size_t i = 0; i < count; i++) {
		const ref_result *result = &results[i];
		gjs_audit_entry *entry = &entries[used];
		bool broken = breakglass && result->verdict.decision != GJS_HOOK_ACCEPT;

		if (!result->enforced)
			continue;
		entry->ref = result->update->ref;
		entry->old_hex = result->update->old_hex;
		entry->new_hex = result->update->new_hex;
		entry->decision = audit_decision(result, breakglass != NULL);
		entry->accepted = accepted;
		entry->scopes = &result->verdict.scopes;
		entry->reviewer = result->verdict.reviewer;
		entry->reason = result->verdict.reason;
		entry->pusher = pusher;
		if (broken) {
			gjs_buf reason = GJS_BUF_INIT;

			gjs_buf_printf(&reason, "break glass: %s (instead: %s)", breakglass,
				result->verdict.reason ? result->verdict.reason : "");
			gjs_strvec_push(&reasons, gjs_buf_cstr(&reason));
			entry->reason = reasons.items[reasons.count - 1];
			gjs_buf_free(&reason);
		}
		used++;
	}
	error = gjs_hook_audit_append(policy->audit_log, entries, used);

	free(pusher);
	gjs_strvec_clear(&reasons);
	free(entries);
	return error;
}

/* Joins the refs whose verdict is `decision`, sanitized, for a summary line. */
static char *refs_with(const ref_result *results, size_t count, gjs_hook_decision decision)
{
	gjs_buf list = GJS_BUF_INIT;

	for (size_t i = 0; i < count; i++) {
		char *ref;

		if (!results[i].enforced || results[i].verdict.decision != decision)
			continue;
		ref = gjs_sanitize(results[i].update->ref);
		gjs_buf_printf(&list, "%s%s", list.len ? ", " : "", ref);
		free(ref);
	}
	return gjs_buf_detach(&list);
}

/* Resolves break glass: returns the reason when it applies, else NULL,
 * after telling the pusher why an option that was sent does not count. */
static char *resolve_breakglass(const gjs_policy *policy)
{
	char *reason = NULL;

	gjs_hook_breakglass_reason(&reason);
	if (!reason)
		return NULL;
	if (!policy->allow_breakglass) {
		print_line("", "warning: push option jira-scopes.breakglass ignored: "
			       "jira-scopes.allowBreakglass is not true on this server");
		free(reason);
		return NULL;
	}
	if (!*reason) {
		print_line("", "warning: push option jira-scopes.breakglass ignored: give a reason, "
			       "as in -o jira-scopes.breakglass=\"REASON\"");
		free(reason);
		return NULL;
	}
	return reason;
}

static int judge_push(git_repository *repo, const gjs_policy *policy, const gjs_catalog *catalog,
	const gjs_hook_updates *updates)
{
	gjs_hook_context ctx = { repo, policy, catalog, NULL, 0 };
	const char *gl_prefix = getenv("GL_ID") ? "GL-HOOK-ERR: " : "";
	ref_result *results = gjs_xcalloc(updates->count, sizeof(*results));
	git_oid *tips = NULL;
	size_t tip_count = 0;
	size_t rejected = 0, undecided = 0;
	char *breakglass = NULL;
	char *list = NULL;
	bool accepted;
	int status = GJS_EXIT_OK;

	ctx.deadline = gjs_now() + policy->timeout;
	ctx.cache = gjs_scan_cache_new();

	/* The commits of a push are those no existing ref reaches. In a
	 * pre-receive hook no ref has moved yet. */
	if (gjs_hook_ref_tips(&tips, &tip_count, repo, NULL) < 0) {
		status = gjs_fatal("%s", gjs_error_last());
		goto done;
	}

	for (size_t i = 0; i < updates->count; i++) {
		results[i].update = &updates->items[i];
		results[i].enforced = gjs_hook_ref_enforced(policy, updates->items[i].ref);
		if (!results[i].enforced)
			continue;
		check_update(&results[i], &ctx, tips, tip_count);
		gjs_trace("pre-receive: %s: %s", updates->items[i].ref,
			results[i].verdict.reason ? results[i].verdict.reason : "");
		if (results[i].verdict.decision == GJS_HOOK_REJECT)
			rejected++;
		else if (results[i].verdict.decision == GJS_HOOK_ERROR)
			undecided++;
	}

	breakglass = resolve_breakglass(policy);
	if (!rejected && !undecided && breakglass) {
		free(breakglass);
		breakglass = NULL;
	}
	if (breakglass)
		status = GJS_EXIT_OK;
	else if (rejected)
		status = GJS_EXIT_FINDINGS;
	else if (undecided && !policy->on_error_allow)
		status = GJS_EXIT_FATAL;

	/* Lines of a rejected push carry GitLab's prefix, which its web UI and
	 * git clients show as the reason. Break glass accepts the push, so
	 * its findings are warnings and the hints on how to pass do not apply. */
	for (size_t i = 0; i < updates->count; i++) {
		const gjs_hook_verdict *verdict = &results[i].verdict;

		if (breakglass) {
			print_as_warnings(gjs_buf_cstr(&verdict->message));
			continue;
		}
		print_lines(status != GJS_EXIT_OK ? gl_prefix : "", gjs_buf_cstr(&verdict->message));
		print_lines(status != GJS_EXIT_OK ? gl_prefix : "", gjs_buf_cstr(&verdict->hints));
	}

	if (breakglass) {
		char *reason = gjs_sanitize(breakglass);
		char *pusher = gjs_hook_pusher();
		char *clean_pusher = gjs_sanitize(pusher);

		print_line("", "warning: break glass by %s: the push is accepted without the scope "
			       "check (jira-scopes.allowBreakglass): %s", clean_pusher, reason);
		free(clean_pusher);
		free(pusher);
		free(reason);
	} else if (rejected) {
		list = refs_with(results, updates->count, GJS_HOOK_REJECT);
		print_line(gl_prefix, "error: jira-scopes rejected the push by policy: %s", list);
	} else if (undecided && !policy->on_error_allow) {
		list = refs_with(results, updates->count, GJS_HOOK_ERROR);
		print_line(gl_prefix, "fatal: jira-scopes could not decide on %s, so the push is "
				      "rejected (jira-scopes.onError=reject)", list);
	} else if (undecided) {
		list = refs_with(results, updates->count, GJS_HOOK_ERROR);
		print_line("", "warning: jira-scopes could not decide on %s; the push is accepted "
			       "because jira-scopes.onError=allow", list);
	}
	accepted = status == GJS_EXIT_OK;

	if (policy->audit_log &&
	    write_audit(policy, results, updates->count, accepted, breakglass) < 0) {
		if (accepted && !policy->on_error_allow) {
			print_line(gl_prefix, "fatal: %s; the push is rejected "
					      "(jira-scopes.onError=reject)", gjs_error_last());
			status = GJS_EXIT_FATAL;
		} else {
			print_line("", "warning: %s", gjs_error_last());
		}
	}

done:
	for (size_t i = 0; i < updates->count; i++)
		gjs_hook_verdict_clear(&results[i].verdict);
	free(results);
	free(list);
	free(breakglass);
	free(tips);
	gjs_scan_cache_free(ctx.cache);
	return status;
}

int gjs_cmd_pre_receive(int argc, char **argv)
{
	git_repository *repo = NULL;
	gjs_policy *policy = NULL;
	gjs_catalog *catalog = NULL;
	gjs_hook_updates updates = { NULL, 0, 0 };
	gjs_strvec alternates = GJS_STRVEC_INIT;
	int status;

	if (argc > 1) {
		if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
			printf("usage: %s\n", usage_text);
			return GJS_EXIT_OK;
		}
		return gjs_usage_error(usage_text, "unexpected argument '%s'", argv[1]);
	}

	/* Quarantined objects of the push are only visible through the
	 * environment git sets for the hook, alternates included. */
	if (gjs_hook_take_alternates(&alternates) < 0) {
		status = gjs_fatal("%s", gjs_error_last());
		goto done;
	}
	if ((status = gjs_open_repository(&repo, GIT_REPOSITORY_OPEN_FROM_ENV)) != 0)
		goto done;
	if (gjs_hook_add_alternates(repo, &alternates) < 0) {
		status = gjs_fatal("cannot add an alternate object directory: %s", gjs_error_last());
		goto done;
	}

	if ((status = gjs_load_policy(&policy, repo)) != 0)
		goto done;
	if ((status = gjs_load_catalog(&catalog, policy)) != 0)
		goto done;
	if (gjs_hook_read_updates(&updates, stdin, 3) < 0) {
		status = gjs_fatal("%s", gjs_error_last());
		goto done;
	}

	status = judge_push(repo, policy, catalog, &updates);

done:
	gjs_hook_updates_clear(&updates);
	gjs_strvec_clear(&alternates);
	gjs_catalog_free(catalog);
	gjs_policy_free(policy);
	git_repository_free(repo);
	return status;
}
