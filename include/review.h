/*
 * Review markers: commit trailers such as
 * "Scopes-Reviewed-by: Name <email>" that sign off a broad scope.
 */
#ifndef GJS_REVIEW_H
#define GJS_REVIEW_H

#include <git2.h>
#include <stdbool.h>

#include "policy.h"

typedef struct {
	bool reviewed;
	char *reviewer;           /* "Name <email>" of the accepted trailer, or NULL */
	git_oid review_commit;    /* commit that carries it, valid when reviewed */
	bool found_adding_commit; /* false when no commit of the change adds the scope */
	git_oid adding_commit;    /* first commit of the change whose declaration has the scope */
	char *adding_author;      /* email of that commit's author */
	char *rejected_reason;    /* why trailers that were present did not count, or NULL */
} gjs_review_result;

/*
 * Decides whether a scope added to the declaration at `decl_path` is
 * reviewed. `commits` are the commits of the change (a push or a pull
 * request), any order. A trailer counts when its key is policy->trailer,
 * its email matches a reviewer glob, and it is not the email of the author
 * of the commit that added the scope.
 */
int gjs_review_check(gjs_review_result *out, git_repository *repo, const git_oid *commits,
	size_t count, const char *decl_path, const char *scope, const gjs_policy *policy);
void gjs_review_result_clear(gjs_review_result *result);

#endif
