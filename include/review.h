/*
 * Review markers: commit trailers such as
 * "Scopes-Reviewed-by: Name <email>" that sign off a broad scope.
 */
#ifndef GJS_REVIEW_H
#define GJS_REVIEW_H

#include <git2.h>
#include <stdbool.h>

#include "common.h"
#include "policy.h"

typedef struct {
	bool reviewed;
	char *reviewer;           /* "Name <email>" of the accepted trailer, or NULL */
	git_oid review_commit;    /* commit that carries it, valid when reviewed */
	bool found_adding_commit; /* false when no commit of the change adds the scope */
	git_oid adding_commit;    /* first commit of the change whose declaration has the scope */
	char *adding_author;      /* email of that commit's author */
	/*
	 * Emails that may not review the scope, in commit order without
	 * repeats: the authors of the commits that add it or, when no commit
	 * of the change adds it, the authors of the commits that change the
	 * declaration.
	 */
	gjs_strvec barred;
	char *rejected_reason;    /* why trailers that were present did not count, or NULL */
} gjs_review_result;

/*
 * Decides whether a scope in the declaration at `decl_path` is reviewed.
 * `commits` are the commits of the change (a push or a pull request), any
 * order. A trailer counts when its key is policy->trailer, its email
 * matches a reviewer glob, and it is not the email of a barred author:
 *
 * - the author of any commit of the change that adds the scope (its
 *   declaration lists the scope and that of none of its parents does);
 * - when no commit of the change adds it, the author of any commit of the
 *   change that modifies the declaration. That happens when the scope was
 *   declared before and the change puts it to new use, or when the commit
 *   that added it is not part of the change. A commit modifies the
 *   declaration when its blob at `decl_path` differs from that of each
 *   parent, so a merge that keeps one side's declaration does not count.
 */
int gjs_review_check(gjs_review_result *out, git_repository *repo, const git_oid *commits,
	size_t count, const char *decl_path, const char *scope, const gjs_policy *policy);
void gjs_review_result_clear(gjs_review_result *result);

#endif
