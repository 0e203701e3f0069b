/*
 * The endpoint-to-scope catalog: every Jira Cloud REST operation with the
 * scope sets that allow it, generated from Atlassian's OpenAPI specs.
 */
#ifndef GJS_CATALOG_H
#define GJS_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

#include "common.h"

/* One REST operation and its requirement. Strings are owned by the catalog. */
typedef struct {
	const char *method;       /* upper case: "GET", "POST", ... */
	const char *path;         /* template: "/rest/api/3/issue/{issueIdOrKey}" */
	const char *operation_id; /* "getIssue"; "" when the spec has none */
	const char **classic;     /* classic set; empty: no classic alternative */
	size_t classic_count;
	const char **granular; /* granular set; may be empty */
	size_t granular_count;
	const char *connect; /* "READ", "WRITE", "INACCESSIBLE", "NONE", or "" */
	bool deprecated;
} gjs_operation;

typedef enum {
	GJS_SCOPE_UNKNOWN = 0, /* a name Atlassian does not define */
	GJS_SCOPE_CLASSIC,     /* read:jira-work */
	GJS_SCOPE_GRANULAR,    /* read:issue:jira */
	GJS_SCOPE_CONNECT,     /* READ, WRITE, DELETE, PROJECT_ADMIN, ADMIN, ACT_AS_USER, ACCESS_EMAIL_ADDRESSES */
	GJS_SCOPE_PLATFORM,    /* storage:app, offline_access, read:me: no REST operation needs them */
} gjs_scope_kind;

typedef struct gjs_catalog gjs_catalog;

/* Loads the catalog compiled into the binary. */
int gjs_catalog_load_builtin(gjs_catalog **out);

/*
 * Loads a catalog file written by gjs_catalog_import(), or an OpenAPI spec
 * (JSON) which is imported on the fly. `name` is used in error messages.
 */
int gjs_catalog_load_file(gjs_catalog **out, const char *path);
int gjs_catalog_parse(gjs_catalog **out, const char *text, size_t len, const char *name);
void gjs_catalog_free(gjs_catalog *catalog);

size_t gjs_catalog_count(const gjs_catalog *catalog);
/* Operations are sorted by path, then method. */
const gjs_operation *gjs_catalog_get(const gjs_catalog *catalog, size_t index);

/*
 * Turns a path as written in code into the catalog's form: strips the site
 * or gateway prefix (https://SITE.atlassian.net,
 * https://api.atlassian.com/ex/jira/{cloudId}), the query string and the
 * fragment, maps /rest/api/2/ to /rest/api/3/, and turns interpolations
 * ("${key}", "{}", "%s", "{0}", "#{x}", "$x", ...) and `{param}` into a
 * segment that matches any value. Returns GJS_ENOTFOUND when the text holds
 * no Jira REST path.
 */
int gjs_catalog_normalize_path(char **out, const char *written);

/*
 * Finds the operations a call matches. `method` is upper case, or NULL when
 * unknown: then every method on the path matches. Matching walks segments,
 * and a literal segment beats a `{param}` segment, so `/issue/bulk` is not
 * `/issue/{issueIdOrKey}`. `path` may be written or normalized form.
 * `*out` (owned by the caller) receives indices for gjs_catalog_get(). A
 * path that matches nothing returns 0 with `*out_count` 0 and `*out` NULL.
 */
int gjs_catalog_match(size_t **out, size_t *out_count, const gjs_catalog *catalog,
	const char *method, const char *path);

/* Classifies a scope name. Connect scopes match case-insensitively. */
gjs_scope_kind gjs_catalog_scope_kind(const gjs_catalog *catalog, const char *scope);

/* Returns the rank of a Connect scope on the ladder READ(1) < WRITE(2) <
 * DELETE(3) < PROJECT_ADMIN(4) < ADMIN(5), or 0 when it is not on it. */
int gjs_connect_rank(const char *scope);

/*
 * Reports whether `scopes` (count entries) satisfy the operation: every
 * scope of its classic set, or every scope of its granular set, or, for a
 * Connect scope, a rung of the ladder at or above the operation's.
 */
bool gjs_operation_allowed(const gjs_operation *op, const char *const *scopes, size_t count);

/*
 * Reads Atlassian OpenAPI specs and appends the catalog text to `out`:
 * operations sorted by path and method, then every scope name the specs
 * define. Stores no description text.
 */
int gjs_catalog_import(gjs_buf *out, const char *const *spec_paths, size_t count);

#endif
