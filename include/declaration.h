/*
 * Declarations: where an app lists its scopes. A Forge manifest.yml, a
 * Connect atlassian-connect.json, or the project file .jira-scopes.
 */
#ifndef GJS_DECLARATION_H
#define GJS_DECLARATION_H

#include <stdbool.h>
#include <stddef.h>

#include "common.h"

typedef enum {
	GJS_DECL_FORGE = 0,   /* manifest.yml */
	GJS_DECL_CONNECT,     /* atlassian-connect.json */
	GJS_DECL_SCOPES_FILE, /* .jira-scopes */
} gjs_declaration_kind;

typedef struct {
	char *scope;   /* as declared; Connect scopes upper-cased */
	unsigned line; /* 1-based line in the declaration file, 0 when unknown */
} gjs_declared_scope;

typedef struct {
	gjs_declaration_kind kind;
	char *path; /* repository-relative path of the file */
	char *dir;  /* its folder: "" at the top, else "apps/jira" without a final '/' */
	gjs_declared_scope *scopes;
	size_t scope_count;
	size_t scope_alloc;
	bool has_scope_list;  /* .jira-scopes: the file declares scopes (scopes.scope keys) */
	gjs_strvec include;   /* .jira-scopes: globs of files that belong to the app */
	gjs_strvec exclude;   /* .jira-scopes: globs of files that do not */
	char *error;          /* NULL, or "path:line: what is wrong and how to fix it" */
} gjs_declaration;

/* Returns the kind for a file's base name; -1 when it is no declaration. */
int gjs_declaration_kind_for_path(const char *path);
/* "forge", "connect" or "scopes-file". */
const char *gjs_declaration_kind_name(gjs_declaration_kind kind);

/*
 * Parses a declaration's text. A syntax error is no failure of the call:
 * the declaration comes back with `error` set, so the caller reports it and
 * goes on with the other apps. Returns a negative code only on internal
 * failure.
 */
int gjs_declaration_parse(gjs_declaration **out, gjs_declaration_kind kind, const char *path,
	const char *data, size_t len);
void gjs_declaration_free(gjs_declaration *decl);

/* Finds a declared scope (Connect scopes case-insensitively); NULL if absent. */
const gjs_declared_scope *gjs_declaration_find(const gjs_declaration *decl, const char *scope);

#endif
