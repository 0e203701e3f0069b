/*
 * Review markers: decides whether a broad scope that a change adds, or puts
 * to new use, was signed off by a commit trailer ("Scopes-Reviewed-by: Name
 * <email>") from a reviewer the policy allows. The reviewer must not be the
 * author of a commit that added the scope or, when no commit of the change
 * adds it, of a commit that changed the declaration. Which scopes need
 * review is the diff's call. This file only reads commits, their trailers
 * and the declaration at each commit.
 */
#include "review.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "declaration.h"

/* Whether one declaration blob declares the scope, cached by blob id
 * because most commits of a change leave the declaration alone. */
typedef struct {
	git_oid blob;
	bool has_scope;
} blob_answer;

typedef struct {
	git_repository *repo;
	const char *decl_path;
	const char *scope;
	int kind;
	blob_answer *answers;
	size_t answer_count;
	size_t answer_alloc;
} scope_probe;

static int compare_oids(const void *a, const void *b)
{
	return git_oid_cmp(a, b);
}

static bool oid_in_sorted(const git_oid *sorted, size_t count, const git_oid *id)
{
	return count && bsearch(id, sorted, count, sizeof(*sorted), compare_oids) != NULL;
}

/* Reports in `*out` whether the declaration at probe->decl_path in the
 * commit's tree lists the scope. A missing or malformed declaration does not. */
static int commit_has_scope(bool *out, scope_probe *probe, const git_commit *commit)
{
	git_tree *tree = NULL;
	git_tree_entry *entry = NULL;
	git_blob *blob = NULL;
	gjs_declaration *decl = NULL;
	int error = 0;

	*out = false;
	if (git_commit_tree(&tree, commit) < 0) {
		gjs_error_set_git("cannot read the tree of a commit of the change");
		error = GJS_ENOTFOUND;
		goto done;
	}
	if (git_tree_entry_bypath(&entry, tree, probe->decl_path) < 0 ||
	    git_tree_entry_type(entry) != GIT_OBJECT_BLOB)
		goto done;

	for (size_t i = 0; i < probe->answer_count; i++) {
		if (git_oid_equal(&probe->answers[i].blob, git_tree_entry_id(entry))) {
			*out = probe->answers[i].has_scope;
			goto done;
		}
	}

	if (git_blob_lookup(&blob, probe->repo, git_tree_entry_id(entry)) < 0) {
		gjs_error_set_git(probe->decl_path);
		error = GJS_ENOTFOUND;
		goto done;
	}
	error = gjs_declaration_parse(&decl, (gjs_declaration_kind)probe->kind, probe->decl_path,
		git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
	if (error < 0)
		goto done;
	*out = !decl->error && gjs_declaration_find(decl, probe->scope) != NULL;

	GJS_GROW(probe->answers, probe->answer_alloc, probe->answer_count + 1);
	git_oid_cpy(&probe->answers[probe->answer_count].blob, git_tree_entry_id(entry));
	probe->answers[probe->answer_count].has_scope = *out;
	probe->answer_count++;

done:
	gjs_declaration_free(decl);
	git_blob_free(blob);
	git_tree_entry_free(entry);
	git_tree_free(tree);
	return error;
}

/*
 * Orders the commits of the change parents first, so that "the first commit
 * that adds the scope" and "the first accepted trailer" do not depend on the
 * order the caller passed. The walk hides every parent outside the change,
 * which keeps it from wandering into older history.
 */
static int order_commits(git_oid **out, size_t *out_count, git_repository *repo,
	const git_oid *sorted, size_t count)
{
	git_revwalk *walk = NULL;
	git_oid *ordered = gjs_xcalloc(count, sizeof(*ordered));
	bool *seen = gjs_xcalloc(count, sizeof(*seen));
	size_t ordered_count = 0;
	git_oid id;
	int error = 0;

	if (git_revwalk_new(&walk, repo) < 0 ||
	    git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE) < 0) {
		gjs_error_set_git("cannot walk the commits of the change");
		error = GJS_ERROR;
		goto done;
	}
	for (size_t i = 0; i < count; i++) {
		git_commit *commit = NULL;

		if (git_commit_lookup(&commit, repo, &sorted[i]) < 0) {
			char hex[GIT_OID_HEXSZ + 1];

			git_oid_tostr(hex, sizeof(hex), &sorted[i]);
			gjs_error_set("cannot read commit %s of the change: %s", hex,
				git_error_last() ? git_error_last()->message : "not found");
			error = GJS_ENOTFOUND;
			goto done;
		}
		for (unsigned p = 0; p < git_commit_parentcount(commit); p++) {
			const git_oid *parent = git_commit_parent_id(commit, p);

			if (!oid_in_sorted(sorted, count, parent))
				git_revwalk_hide(walk, parent);
		}
		git_commit_free(commit);
		if (git_revwalk_push(walk, &sorted[i]) < 0) {
			gjs_error_set_git("cannot walk the commits of the change");
			error = GJS_ERROR;
			goto done;
		}
	}

	while (git_revwalk_next(&id, walk) == 0) {
		const git_oid *hit = bsearch(&id, sorted, count, sizeof(*sorted), compare_oids);

		if (!hit || seen[hit - sorted])
			continue;
		seen[hit - sorted] = true;
		git_oid_cpy(&ordered[ordered_count++], &id);
	}
	/* A commit of the list that is also an ancestor of a hidden parent is
	 * not walked; it still belongs to the change. */
	for (size_t i = 0; i < count; i++)
		if (!seen[i])
			git_oid_cpy(&ordered[ordered_count++], &sorted[i]);

done:
	git_revwalk_free(walk);
	free(seen);
	if (error < 0) {
		free(ordered);
		return error;
	}
	*out = ordered;
	*out_count = ordered_count;
	return 0;
}

/* Reports in `*out` whether the commit adds the scope: its declaration has
 * it and the declaration of none of its parents does. */
static int commit_adds_scope(bool *out, scope_probe *probe, git_repository *repo,
	const git_commit *commit)
{
	bool has = false;
	int error = commit_has_scope(&has, probe, commit);

	*out = false;
	if (error < 0 || !has)
		return error;
	for (unsigned p = 0; p < git_commit_parentcount(commit); p++) {
		git_commit *parent = NULL;
		bool parent_has = false;

		if (git_commit_lookup(&parent, repo, git_commit_parent_id(commit, p)) < 0) {
			gjs_error_set_git("cannot read the parent of a commit of the change");
			return GJS_ENOTFOUND;
		}
		error = commit_has_scope(&parent_has, probe, parent);
		git_commit_free(parent);
		if (error < 0)
			return error;
		if (parent_has)
			return 0;
	}
	*out = true;
	return 0;
}

/* Sets `*out` to the blob id of `path` in the commit's tree and `*present`
 * to whether it is there. A path that is not a file is not present. */
static int declaration_blob(git_oid *out, bool *present, const git_commit *commit, const char *path)
{
	git_tree *tree = NULL;
	git_tree_entry *entry = NULL;

	*present = false;
	if (git_commit_tree(&tree, commit) < 0) {
		gjs_error_set_git("cannot read the tree of a commit of the change");
		return GJS_ENOTFOUND;
	}
	if (git_tree_entry_bypath(&entry, tree, path) == 0 &&
	    git_tree_entry_type(entry) == GIT_OBJECT_BLOB) {
		git_oid_cpy(out, git_tree_entry_id(entry));
		*present = true;
	}
	git_tree_entry_free(entry);
	git_tree_free(tree);
	return 0;
}

/*
 * Reports in `*out` whether the commit modifies the declaration: its blob
 * differs from that of each parent, so a merge that takes one side's
 * declaration unchanged does not count. A root commit modifies it when it
 * has one.
 */
static int commit_changes_declaration(bool *out, git_repository *repo, const git_commit *commit,
	const char *path)
{
	git_oid blob, parent_blob;
	bool present = false, parent_present = false;
	int error = declaration_blob(&blob, &present, commit, path);

	*out = false;
	if (error < 0)
		return error;
	for (unsigned p = 0; p < git_commit_parentcount(commit); p++) {
		git_commit *parent = NULL;

		if (git_commit_lookup(&parent, repo, git_commit_parent_id(commit, p)) < 0) {
			gjs_error_set_git("cannot read the parent of a commit of the change");
			return GJS_ENOTFOUND;
		}
		error = declaration_blob(&parent_blob, &parent_present, parent, path);
		git_commit_free(parent);
		if (error < 0)
			return error;
		if (present == parent_present && (!present || git_oid_equal(&blob, &parent_blob)))
			return 0;
	}
	*out = present || git_commit_parentcount(commit) > 0;
	return 0;
}

/*
 * Extracts the email of a trailer value: the text between the last '<' and
 * the '>' after it, or the whole value when it is a bare address. Returns
 * NULL when the value holds no address.
 */
static char *trailer_email(const char *value)
{
	const char *open = strrchr(value, '<');
	const char *close;
	size_t len;

	if (open) {
		close = strchr(open, '>');
		if (!close || close == open + 1)
			return NULL;
		return gjs_xstrndup(open + 1, (size_t)(close - open - 1));
	}
	while (*value == ' ' || *value == '\t')
		value++;
	len = strlen(value);
	while (len && (value[len - 1] == ' ' || value[len - 1] == '\t'))
		len--;
	if (!len || !memchr(value, '@', len) || memchr(value, ' ', len))
		return NULL;
	return gjs_xstrndup(value, len);
}

static void add_reason(gjs_buf *reasons, const char *fmt, ...) GJS_PRINTF(2, 3);
static void add_reason(gjs_buf *reasons, const char *fmt, ...)
{
	va_list ap;

	if (reasons->len)
		gjs_buf_puts(reasons, "; ");
	va_start(ap, fmt);
	gjs_buf_vprintf(reasons, fmt, ap);
	va_end(ap);
}

/*
 * Looks at the trailers of one commit. The first trailer that counts sets
 * `out->reviewed`; every one that does not count adds why to `reasons`.
 */
static void check_trailers(gjs_review_result *out, gjs_buf *reasons, const git_commit *commit,
	const char *barred_for, const gjs_policy *policy)
{
	git_message_trailer_array trailers = { 0 };
	char hex[8];

	git_oid_tostr(hex, sizeof(hex), git_commit_id(commit));
	if (git_message_trailers(&trailers, git_commit_message(commit)) < 0)
		return;

	for (size_t i = 0; i < trailers.count && !out->reviewed; i++) {
		const char *value = trailers.trailers[i].value;
		char *email;
		bool self_review = false;

		if (strcasecmp(trailers.trailers[i].key, policy->trailer))
			continue;
		email = trailer_email(value);
		if (!email) {
			add_reason(reasons, "%s: trailer %s: %s has no <email>", hex, policy->trailer,
				value);
			continue;
		}
		for (size_t a = 0; a < out->barred.count; a++)
			if (!strcasecmp(out->barred.items[a], email))
				self_review = true;

		if (!gjs_policy_reviewer_allowed(policy, email)) {
			add_reason(reasons, "%s: %s is not an allowed reviewer (jira-scopes.reviewer)",
				hex, email);
		} else if (self_review) {
			add_reason(reasons, "%s: %s authored %s and cannot review it", hex, email,
				barred_for);
		} else {
			out->reviewed = true;
			out->reviewer = gjs_xstrdup(value);
			git_oid_cpy(&out->review_commit, git_commit_id(commit));
		}
		free(email);
	}
	git_message_trailer_array_free(&trailers);
}

int gjs_review_check(gjs_review_result *out, git_repository *repo, const git_oid *commits,
	size_t count, const char *decl_path, const char *scope, const gjs_policy *policy)
{
	scope_probe probe = { repo, decl_path, scope, 0, NULL, 0, 0 };
	git_oid *sorted = NULL;
	git_oid *ordered = NULL;
	size_t ordered_count = 0;
	gjs_strvec adding_authors = GJS_STRVEC_INIT;
	gjs_strvec changing_authors = GJS_STRVEC_INIT;
	gjs_buf barred_for = GJS_BUF_INIT;
	gjs_buf reasons = GJS_BUF_INIT;
	int error = 0;

	memset(out, 0, sizeof(*out));
	probe.kind = gjs_declaration_kind_for_path(decl_path);
	if (probe.kind < 0) {
		gjs_error_set("%s is not a scope declaration", decl_path);
		return GJS_EINVALID;
	}

	sorted = gjs_xcalloc(count, sizeof(*sorted));
	if (count)
		memcpy(sorted, commits, count * sizeof(*sorted));
	qsort(sorted, count, sizeof(*sorted), compare_oids);
	if ((error = order_commits(&ordered, &ordered_count, repo, sorted, count)) < 0)
		goto done;

	/* Every commit of the change that adds the scope has an author who may
	 * not review it: the scope can be added, dropped and added again. When
	 * none adds it, the scope was declared before and the change puts it
	 * to new use, so the authors of declaration changes may not review it. */
	for (size_t i = 0; i < ordered_count; i++) {
		git_commit *commit = NULL;
		const char *email;
		bool adds = false, changes = false;

		if (git_commit_lookup(&commit, repo, &ordered[i]) < 0) {
			gjs_error_set_git("cannot read a commit of the change");
			error = GJS_ENOTFOUND;
			goto done;
		}
		email = git_commit_author(commit)->email;
		error = commit_adds_scope(&adds, &probe, repo, commit);
		if (!error && !adds)
			error = commit_changes_declaration(&changes, repo, commit, decl_path);
		if (!error && adds) {
			if (!out->found_adding_commit) {
				out->found_adding_commit = true;
				git_oid_cpy(&out->adding_commit, &ordered[i]);
				out->adding_author = gjs_xstrdup(email);
			}
			if (!gjs_strvec_contains(&adding_authors, email))
				gjs_strvec_push(&adding_authors, email);
		}
		if (!error && changes && !gjs_strvec_contains(&changing_authors, email))
			gjs_strvec_push(&changing_authors, email);
		git_commit_free(commit);
		if (error < 0)
			goto done;
	}
	if (out->found_adding_commit) {
		out->barred = adding_authors;
		adding_authors = (gjs_strvec)GJS_STRVEC_INIT;
		gjs_buf_puts(&barred_for, "the commit that adds the scope");
	} else {
		out->barred = changing_authors;
		changing_authors = (gjs_strvec)GJS_STRVEC_INIT;
		gjs_buf_puts(&barred_for, "a commit that changes ");
		gjs_buf_puts(&barred_for, decl_path);
	}

	for (size_t i = 0; i < ordered_count && !out->reviewed; i++) {
		git_commit *commit = NULL;

		if (git_commit_lookup(&commit, repo, &ordered[i]) < 0) {
			gjs_error_set_git("cannot read a commit of the change");
			error = GJS_ENOTFOUND;
			goto done;
		}
		check_trailers(out, &reasons, commit, gjs_buf_cstr(&barred_for), policy);
		git_commit_free(commit);
	}
	if (!out->reviewed && reasons.len)
		out->rejected_reason = gjs_buf_detach(&reasons);

done:
	gjs_buf_free(&reasons);
	gjs_buf_free(&barred_for);
	gjs_strvec_clear(&adding_authors);
	gjs_strvec_clear(&changing_authors);
	free(probe.answers);
	free(ordered);
	free(sorted);
	if (error < 0)
		gjs_review_result_clear(out);
	return error;
}

void gjs_review_result_clear(gjs_review_result *result)
{
	if (!result)
		return;
	free(result->reviewer);
	free(result->adding_author);
	free(result->rejected_reason);
	gjs_strvec_clear(&result->barred);
	memset(result, 0, sizeof(*result));
}
