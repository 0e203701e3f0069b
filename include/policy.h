/*
 * Policy: the settings that decide what counts as broad, who may review and
 * how the hook behaves. Read from git config only, never from the tree.
 */
#ifndef GJS_POLICY_H
#define GJS_POLICY_H

#include <git2.h>
#include <stdbool.h>

#include "common.h"

typedef struct {
	gjs_strvec broad;        /* jira-scopes.broad globs, or empty for the default list */
	bool broad_is_default;   /* true when jira-scopes.broad is not set */
	gjs_strvec reviewers;    /* jira-scopes.reviewer: email globs */
	char *trailer;           /* jira-scopes.trailer, default Scopes-Reviewed-by */
	gjs_strvec refs;         /* jira-scopes.refs globs; default: every branch */
	bool missing_reject;     /* jira-scopes.missing=reject (default warn) */
	bool on_error_allow;     /* jira-scopes.onError=allow (default reject) */
	double timeout;          /* jira-scopes.timeout in seconds, default 4 */
	bool allow_breakglass;   /* jira-scopes.allowBreakglass */
	char *audit_log;         /* jira-scopes.auditLog or NULL */
	char *approval_label;    /* jira-scopes.approvalLabel or NULL */
	char *catalog;           /* jira-scopes.catalog or NULL */
	size_t max_blob_size;    /* jira-scopes.maxFileSize in bytes, default 1 MiB */
	gjs_strvec skip;         /* jira-scopes.skip globs; empty: the default list */
	gjs_strvec scan;         /* jira-scopes.scan globs scanned despite skip */
} gjs_policy;

/* Reads the policy from `cfg`; NULL gives the defaults. Invalid values fail
 * with GJS_EINVALID and a message naming the key. */
int gjs_policy_load(gjs_policy **out, git_config *cfg);
void gjs_policy_free(gjs_policy *policy);

/*
 * Returns why a scope counts as broad, as a static phrase for messages
 * ("listed in jira-scopes.broad", or the default list's reason for classic
 * manage:* and Connect administration scopes), or NULL when it is not.
 */
const char *gjs_policy_broad_reason(const gjs_policy *policy, const char *scope);

/* Reports whether an email matches one of the reviewer globs. */
bool gjs_policy_reviewer_allowed(const gjs_policy *policy, const char *email);

#endif
