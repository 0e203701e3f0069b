/*
 * Logic shared by the server-side pre-receive hook and the client-side
 * pre-push hook: reading ref update lines, listing the commits of a push,
 * judging one ref update, push options, and the audit log.
 */
#ifndef GJS_HOOK_H
#define GJS_HOOK_H

#include <git2.h>
#include <stdbool.h>
#include <stdio.h>

#include "analysis.h"
#include "catalog.h"
#include "common.h"
#include "policy.h"

typedef enum {
	GJS_HOOK_ACCEPT = 0,
	GJS_HOOK_REJECT, /* rejected by policy */
	GJS_HOOK_ERROR,  /* could not decide */
} gjs_hook_decision;

/* One ref update as git passes it to a hook. */
typedef struct {
	char *ref;     /* the ref being updated (the remote ref for pre-push) */
	char *old_hex; /* as given; all zeros when the ref is created */
	char *new_hex; /* as given; all zeros when the ref is deleted */
	char *local_ref; /* pre-push only: the local ref pushed, or NULL */
	bool created;
	bool deleted;
} gjs_hook_update;

typedef struct {
	gjs_hook_update *items;
	size_t count;
	size_t alloc;
} gjs_hook_updates;

/*
 * Reads update lines from `in` until end of file: "OLD NEW REF" (3 fields,
 * pre-receive) or "LOCAL_REF LOCAL_SHA REMOTE_REF REMOTE_SHA" (4 fields,
 * pre-push). Object ids have 40 or 64 hex digits. Fails with GJS_EINVALID
 * on a malformed line.
 */
int gjs_hook_read_updates(gjs_hook_updates *out, FILE *in, unsigned fields);
void gjs_hook_updates_clear(gjs_hook_updates *updates);

/* Reports whether `ref` matches one of policy->refs. */
bool gjs_hook_ref_enforced(const gjs_policy *policy, const char *ref);

/*
 * Moves GIT_ALTERNATE_OBJECT_DIRECTORIES out of the environment into `out`,
 * unquoting entries that git wrote in C-style double quotes (paths with
 * ':'). libgit2 splits the variable on every ':', so the caller opens the
 * repository without it and adds each entry with
 * gjs_hook_add_alternates().
 */
int gjs_hook_take_alternates(gjs_strvec *out);
/* Parses a GIT_ALTERNATE_OBJECT_DIRECTORIES value; used by the above. */
int gjs_hook_parse_alternates(gjs_strvec *out, const char *value);
int gjs_hook_add_alternates(git_repository *repo, const gjs_strvec *dirs);

/* Collects the commits of the refs matching `glob` (NULL: every ref),
 * peeled; refs that do not lead to a commit are left out. */
int gjs_hook_ref_tips(git_oid **out, size_t *count, git_repository *repo, const char *glob);

/* Lists the commits reachable from `tip` and from none of `hidden`. */
int gjs_hook_push_commits(git_oid **out, size_t *count, git_repository *repo,
	const git_oid *tip, const git_oid *hidden, size_t hidden_count);

typedef struct {
	git_repository *repo;
	const gjs_policy *policy;
	const gjs_catalog *catalog;
	gjs_scan_cache *cache;
	double deadline; /* gjs_now() value; 0 for none */
} gjs_hook_context;

typedef struct {
	gjs_hook_decision decision;
	gjs_buf message;   /* "error: ..." and "warning: ..." lines, sanitized */
	gjs_buf hints;     /* "hint: ..." lines on what to do, sanitized; print after message */
	gjs_strvec scopes; /* broad scopes the update adds or puts to new use, reviewed,
			    * unreviewed or allowing nothing new, for the audit log */
	char *reviewer;    /* reviewer of the first reviewed broad scope, or NULL */
	char *reason;      /* one line for the audit log */
} gjs_hook_verdict;

/*
 * Judges one ref update: compares the analysis of `base` (NULL: an empty
 * tree) with that of `head`, and checks the review trailers of `commits`
 * (the commits of the push) for every broad scope that adds access. Such a
 * scope is either added or declared before and put to new use. Always
 * fills `out`, and failures become GJS_HOOK_ERROR verdicts.
 */
void gjs_hook_check(gjs_hook_verdict *out, const gjs_hook_context *ctx, const char *ref,
	const git_commit *base, const git_commit *head, const git_oid *commits, size_t count);
void gjs_hook_verdict_clear(gjs_hook_verdict *verdict);

/* Sets `out` to the value of push option "jira-scopes.breakglass=REASON"
 * (GIT_PUSH_OPTION_*), or NULL when no such option was sent. */
void gjs_hook_breakglass_reason(char **out);

/* Returns the pusher: GITHUB_USER_LOGIN, GL_USERNAME, BB_USER_NAME, or the
 * system user. Owned by the caller. */
char *gjs_hook_pusher(void);

typedef struct {
	const char *ref;
	const char *old_hex;
	const char *new_hex;
	const char *decision; /* "accept", "reject", "error", "breakglass" */
	bool accepted;        /* whether the push went through */
	const gjs_strvec *scopes;
	const char *reviewer;
	const char *reason;
	const char *pusher;
} gjs_audit_entry;

/*
 * Appends one JSON object per line to `path`. The file is opened with
 * O_APPEND and each line goes out in one write() under an exclusive flock,
 * so the lines of concurrent pushes do not interleave.
 */
int gjs_hook_audit_append(const char *path, const gjs_audit_entry *entries, size_t count);

#endif
