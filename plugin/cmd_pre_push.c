/*
 * `git jira-scopes pre-push REMOTE URL`: the client-side hook. Applies the
 * rules of the pre-receive hook with the local git config before a push
 * leaves the machine, so a developer learns of an unreviewed broad scope
 * without a round trip. git passes "LOCAL_REF LOCAL_ID REMOTE_REF
 * REMOTE_ID" lines on standard input. Push options and break glass are
 * server matters; `git push --no-verify` skips this hook.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontend.h"
#include "hook.h"

static const char usage_text[] = "git jira-scopes pre-push <remote> [<url>] < <ref-update-lines>";

static void print_lines(const char *text)
{
	fputs(text, stderr);
}

static void set_verdict_error(gjs_hook_verdict *verdict, const char *ref, const char *detail)
{
	char *clean_ref = gjs_sanitize(ref);
	char *clean_detail = gjs_sanitize(detail);

	verdict->decision = GJS_HOOK_ERROR;
	gjs_buf_printf(&verdict->message, "error: %s: cannot check scopes: %s\n", clean_ref,
		clean_detail);
	free(clean_detail);
	free(clean_ref);
}

static int lookup_commit(git_commit **out, git_repository *repo, const char *hex)
{
	git_object *object = NULL;
	git_object *peeled = NULL;
	git_oid id;
	int error;

	*out = NULL;
	if (git_oid_fromstr(&id, hex) < 0 || git_object_lookup(&object, repo, &id, GIT_OBJECT_ANY) < 0) {
		gjs_error_set("object %s is not in the local repository; fetch from the remote first",
			hex);
		return GJS_ENOTFOUND;
	}
	error = git_object_peel(&peeled, object, GIT_OBJECT_COMMIT);
	git_object_free(object);
	if (error == 0)
		*out = (git_commit *)peeled;
	return 0;
}

static char *short_id(const git_oid *id)
{
	char hex[13];

	git_oid_tostr(hex, sizeof(hex), id);
	return gjs_xstrdup(hex);
}

/* Returns the commit that refs/remotes/REMOTE/HEAD, or else the upstream of
 * the pushed local branch, points at, and sets `name` to that ref; NULL
 * when there is neither. */
static git_object *remote_default_commit(gjs_buf *name, git_repository *repo, const char *remote,
	const char *local_ref)
{
	git_reference *ref = NULL;
	git_reference *upstream = NULL;
	git_object *commit = NULL;

	gjs_buf_printf(name, "refs/remotes/%s/HEAD", remote);
	if (git_reference_lookup(&ref, repo, gjs_buf_cstr(name)) == 0 &&
	    git_reference_peel(&commit, ref, GIT_OBJECT_COMMIT) == 0)
		goto done;
	gjs_buf_clear(name);
	git_reference_free(ref);
	ref = NULL;
	if (local_ref && git_reference_lookup(&ref, repo, local_ref) == 0 &&
	    git_reference_is_branch(ref) && git_branch_upstream(&upstream, ref) == 0 &&
	    git_reference_peel(&commit, upstream, GIT_OBJECT_COMMIT) == 0)
		gjs_buf_printf(name, "the upstream %s", git_reference_name(upstream));

done:
	git_reference_free(upstream);
	git_reference_free(ref);
	return commit;
}

/*
 * Finds where a branch leaves what the remote has: the first parent of the
 * oldest commit reachable from `head` and from none of `tips` (the
 * remote-tracking refs). When there is no such commit, the remote already
 * has `head`, which is then its own branch point. `*out` stays NULL when
 * the oldest commit is a root commit, so the whole tree is new. Writes the
 * choice to `source` for the trace.
 */
static int branch_point(git_commit **out, gjs_buf *source, git_repository *repo,
	const git_commit *head, const git_oid *tips, size_t tip_count)
{
	git_revwalk *walk = NULL;
	git_commit *oldest = NULL;
	char *oldest_id = NULL;
	char *parent_id = NULL;
	git_oid id;
	int error;

	*out = NULL;
	if (git_revwalk_new(&walk, repo) < 0 ||
	    git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE) < 0 ||
	    git_revwalk_push(walk, git_commit_id(head)) < 0) {
		gjs_error_set_git("cannot walk the commits of the push");
		error = GJS_ERROR;
		goto done;
	}
	/* As in gjs_hook_push_commits(), a tip that cannot be read hides nothing. */
	for (size_t i = 0; i < tip_count; i++)
		git_revwalk_hide(walk, &tips[i]);

	/* In reverse topological order the first commit has no parent in the
	 * push, so its first parent is outside it. */
	error = git_revwalk_next(&id, walk);
	if (error == GIT_ITEROVER) {
		char *head_id = short_id(git_commit_id(head));

		error = 0;
		if (git_commit_dup(out, (git_commit *)head) < 0) {
			gjs_error_set_git("cannot read the commit of the push");
			error = GJS_ERROR;
		}
		gjs_buf_printf(source, "the tip %s, which the remote already has", head_id);
		free(head_id);
		goto done;
	}
	if (error < 0 || git_commit_lookup(&oldest, repo, &id) < 0) {
		gjs_error_set_git("cannot walk the commits of the push");
		error = GJS_ERROR;
		goto done;
	}
	oldest_id = short_id(&id);
	if (!git_commit_parentcount(oldest)) {
		gjs_buf_printf(source, "an empty tree: %s, the oldest commit of the push, has no "
				       "parent", oldest_id);
		goto done;
	}
	if (git_commit_parent(out, oldest, 0) < 0) {
		gjs_error_set("cannot read the parent of commit %s (%s): fetch it from the remote "
			      "first", oldest_id, git_error_last() ? git_error_last()->message : "not found");
		error = GJS_ENOTFOUND;
		goto done;
	}
	parent_id = short_id(git_commit_id(*out));
	gjs_buf_printf(source, "the branch point %s, first parent of %s, the oldest commit of the "
			       "push", parent_id, oldest_id);

done:
	free(parent_id);
	free(oldest_id);
	git_commit_free(oldest);
	git_revwalk_free(walk);
	return error;
}

/*
 * Picks what a new remote branch is compared with: the merge base with the
 * remote's default branch or the branch's upstream, and without either
 * (a clone of an empty repository, a remote added and fetched) the branch
 * point. Writes the choice to `source` for the trace.
 */
static int new_branch_base(git_commit **out, gjs_buf *source, git_repository *repo,
	const char *remote, const gjs_hook_update *update, const git_commit *head,
	const git_oid *tips, size_t tip_count)
{
	gjs_buf name = GJS_BUF_INIT;
	git_object *default_commit = remote_default_commit(&name, repo, remote, update->local_ref);
	git_oid base;
	int error = 0;

	*out = NULL;
	if (!default_commit) {
		error = branch_point(out, source, repo, head, tips, tip_count);
		goto done;
	}
	error = git_merge_base(&base, repo, git_commit_id(head), git_object_id(default_commit));
	if (error == GIT_ENOTFOUND) {
		gjs_buf_printf(source, "an empty tree: no common history with %s",
			gjs_buf_cstr(&name));
		error = 0;
	} else if (error < 0 || git_commit_lookup(out, repo, &base) < 0) {
		gjs_error_set_git("cannot find the merge base with the remote's default branch");
		error = GJS_ERROR;
	} else {
		char *base_id = short_id(&base);

		gjs_buf_printf(source, "the merge base %s with %s", base_id, gjs_buf_cstr(&name));
		free(base_id);
	}

done:
	git_object_free(default_commit);
	gjs_buf_free(&name);
	return error;
}

static void check_update(gjs_hook_verdict *verdict, const gjs_hook_context *ctx,
	const char *remote, const gjs_hook_update *update, const git_oid *tips, size_t tip_count)
{
	git_commit *head = NULL;
	git_commit *base = NULL;
	git_oid *commits = NULL;
	size_t commit_count = 0;
	gjs_buf source = GJS_BUF_INIT;

	memset(verdict, 0, sizeof(*verdict));
	if (update->deleted)
		return;
	if (ctx->deadline && gjs_now() >= ctx->deadline) {
		gjs_buf detail = GJS_BUF_INIT;

		gjs_buf_printf(&detail, "the time budget of %g seconds (jira-scopes.timeout) was "
					"spent before this ref was checked", ctx->policy->timeout);
		set_verdict_error(verdict, update->ref, gjs_buf_cstr(&detail));
		gjs_buf_free(&detail);
		return;
	}

	if (lookup_commit(&head, ctx->repo, update->new_hex) < 0) {
		set_verdict_error(verdict, update->ref, gjs_error_last());
		goto done;
	}
	if (!head)
		goto done;
	if (update->created) {
		if (new_branch_base(&base, &source, ctx->repo, remote, update, head, tips,
			    tip_count) < 0) {
			set_verdict_error(verdict, update->ref, gjs_error_last());
			goto done;
		}
	} else if (lookup_commit(&base, ctx->repo, update->old_hex) < 0) {
		set_verdict_error(verdict, update->ref, gjs_error_last());
		goto done;
	} else {
		gjs_buf_printf(&source, "the remote's commit %.12s", update->old_hex);
	}
	gjs_trace("pre-push: %s: compared with %s", update->ref, gjs_buf_cstr(&source));
	if (gjs_hook_push_commits(&commits, &commit_count, ctx->repo, git_commit_id(head), tips,
		    tip_count) < 0) {
		set_verdict_error(verdict, update->ref, gjs_error_last());
		goto done;
	}

	gjs_hook_check(verdict, ctx, update->ref, base, head, commits, commit_count);

done:
	gjs_buf_free(&source);
	free(commits);
	git_commit_free(base);
	git_commit_free(head);
}

static int judge_push(git_repository *repo, const gjs_policy *policy, const gjs_catalog *catalog,
	const char *remote, const gjs_hook_updates *updates)
{
	gjs_hook_context ctx = { repo, policy, catalog, NULL, 0 };
	gjs_hook_verdict *verdicts = gjs_xcalloc(updates->count, sizeof(*verdicts));
	gjs_buf glob = GJS_BUF_INIT;
	git_oid *tips = NULL;
	size_t tip_count = 0;
	size_t rejected = 0, undecided = 0;
	int status = GJS_EXIT_OK;

	ctx.deadline = gjs_now() + policy->timeout;
	ctx.cache = gjs_scan_cache_new();

	/* The commits the remote already has, as far as the remote-tracking refs show. */
	gjs_buf_printf(&glob, "refs/remotes/%s/*", remote);
	if (gjs_hook_ref_tips(&tips, &tip_count, repo, gjs_buf_cstr(&glob)) < 0) {
		status = gjs_fatal("%s", gjs_error_last());
		goto done;
	}

	for (size_t i = 0; i < updates->count; i++) {
		const gjs_hook_update *update = &updates->items[i];

		if (!gjs_hook_ref_enforced(policy, update->ref))
			continue;
		check_update(&verdicts[i], &ctx, remote, update, tips, tip_count);
		gjs_trace("pre-push: %s: %s", update->ref,
			verdicts[i].reason ? verdicts[i].reason : "");
		print_lines(gjs_buf_cstr(&verdicts[i].message));
		print_lines(gjs_buf_cstr(&verdicts[i].hints));
		if (verdicts[i].decision == GJS_HOOK_REJECT)
			rejected++;
		else if (verdicts[i].decision == GJS_HOOK_ERROR)
			undecided++;
	}

	if (rejected) {
		fprintf(stderr, "error: jira-scopes: the remote would reject this push; fix it or "
				"get a review first (git push --no-verify skips this check)\n");
		status = GJS_EXIT_FINDINGS;
	} else if (undecided && !policy->on_error_allow) {
		fprintf(stderr, "fatal: jira-scopes could not decide, so the push is stopped "
				"(jira-scopes.onError=reject)\n");
		status = GJS_EXIT_FATAL;
	} else if (undecided) {
		fprintf(stderr, "warning: jira-scopes could not decide; the push goes ahead because "
				"jira-scopes.onError=allow\n");
	}

done:
	for (size_t i = 0; i < updates->count; i++)
		gjs_hook_verdict_clear(&verdicts[i]);
	free(verdicts);
	free(tips);
	gjs_buf_free(&glob);
	gjs_scan_cache_free(ctx.cache);
	return status;
}

int gjs_cmd_pre_push(int argc, char **argv)
{
	git_repository *repo = NULL;
	gjs_policy *policy = NULL;
	gjs_catalog *catalog = NULL;
	gjs_hook_updates updates = { NULL, 0, 0 };
	int status;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("usage: %s\n", usage_text);
		return GJS_EXIT_OK;
	}
	if (argc < 2 || argc > 3)
		return gjs_usage_error(usage_text, "expected the remote name and URL that git passes "
						   "to a pre-push hook");

	if ((status = gjs_open_repository(&repo, GIT_REPOSITORY_OPEN_FROM_ENV)) != 0)
		goto done;
	if ((status = gjs_load_policy(&policy, repo)) != 0)
		goto done;
	if ((status = gjs_load_catalog(&catalog, policy)) != 0)
		goto done;
	if (gjs_hook_read_updates(&updates, stdin, 4) < 0) {
		status = gjs_fatal("%s", gjs_error_last());
		goto done;
	}

	status = judge_push(repo, policy, catalog, argv[1], &updates);

done:
	gjs_hook_updates_clear(&updates);
	gjs_catalog_free(catalog);
	gjs_policy_free(policy);
	git_repository_free(repo);
	return status;
}
