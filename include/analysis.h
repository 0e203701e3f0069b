/*
 * Analysis of one revision: the apps (declarations and the files they own),
 * their call sites matched against the catalog, and the findings.
 */
#ifndef GJS_ANALYSIS_H
#define GJS_ANALYSIS_H

#include <git2.h>
#include <stdbool.h>
#include <stddef.h>

#include "catalog.h"
#include "common.h"
#include "declaration.h"
#include "scanner.h"

/* A call site and the operations it matches. */
typedef struct {
	char *file;
	unsigned line;
	char *method; /* NULL when unknown */
	char *path;   /* as written */
	gjs_call_via via;
	size_t *ops;  /* matched catalog operations; none: unresolved */
	size_t op_count;
	/* The operation whose requirement the call needs: the matched one, or
	 * the least privileged of several when the method is unknown. Valid
	 * only when op_count > 0. */
	size_t required_op;
} gjs_call_site;

/* A call site whose requirement no declared set satisfies. */
typedef struct {
	size_t call;                   /* index into gjs_app.calls */
	gjs_strvec classic_alternative; /* the operation's classic set; empty: none exists */
	gjs_strvec granular_absent;     /* granular scopes of the operation not declared */
} gjs_missing;

typedef struct {
	gjs_declaration *decl;
	gjs_call_site *calls; /* calls that use the app's scopes */
	size_t call_count;
	gjs_call_site *apart; /* calls with their own credentials: listed apart */
	size_t apart_count;
	gjs_missing *missing;
	size_t missing_count;
	size_t *unjustified; /* indices into decl->scopes */
	size_t unjustified_count;
	size_t *unknown; /* indices into decl->scopes */
	size_t unknown_count;
	size_t *not_checked; /* platform scopes: indices into decl->scopes */
	size_t not_checked_count;
	size_t *unresolved; /* indices into calls */
	size_t unresolved_count;
} gjs_app;

typedef struct {
	gjs_app *apps; /* sorted by declaration path */
	size_t app_count;
	gjs_call_site *orphans; /* call sites outside every app */
	size_t orphan_count;
	size_t skipped_blobs; /* source files not scanned: binary, oversized, or skipped by a glob */
} gjs_analysis;

/* Scan results cached by blob id for one run; shared by several analyses. */
typedef struct gjs_scan_cache gjs_scan_cache;
gjs_scan_cache *gjs_scan_cache_new(void);
void gjs_scan_cache_free(gjs_scan_cache *cache);

typedef struct {
	unsigned version;
	const gjs_catalog *catalog; /* required */
	gjs_scan_cache *cache;      /* optional */
	size_t max_blob_size;       /* bytes; 0 means the default, 1 MiB */
	const gjs_strvec *skip;     /* path globs not scanned; NULL: the default list */
	const gjs_strvec *scan;     /* path globs scanned despite `skip` */
	double deadline;            /* gjs_now() value to give up at, 0 for none */
	/* Tree analyses only: folders to read ("" is the whole tree), or NULL
	 * for all. Apps whose declaration lies in one of them are complete,
	 * because a file belongs to the app of its nearest declaration. */
	const gjs_strvec *folders;
} gjs_analysis_options;
#define GJS_ANALYSIS_OPTIONS_VERSION 1
#define GJS_ANALYSIS_OPTIONS_INIT { GJS_ANALYSIS_OPTIONS_VERSION, NULL, NULL, 0, NULL, NULL, 0, NULL }

/* Seconds on a monotonic clock. */
double gjs_now(void);

/* Default globs of vendored or built paths that are not scanned. */
extern const char *const gjs_default_skip[];

/*
 * Analyses a tree. Fails with GJS_EINVALID for a declaration that is a
 * symlink or a submodule; a malformed declaration is not a failure of the
 * call (its app carries decl->error).
 */
int gjs_analyze_tree(gjs_analysis **out, git_repository *repo, const git_tree *tree,
	const gjs_analysis_options *opts);
/* Analyses the working tree of a non-bare repository (tracked and untracked,
 * not ignored files). */
int gjs_analyze_workdir(gjs_analysis **out, git_repository *repo, const gjs_analysis_options *opts);
/* Builds an analysis from files already in memory: used by both of the above
 * and by unit tests. Paths are repository-relative. */
typedef struct {
	const char *path;
	const char *data;
	size_t len;
	const git_oid *id; /* blob id for the cache, or NULL */
} gjs_source_file;
int gjs_analyze_files(gjs_analysis **out, const gjs_source_file *files, size_t count,
	const gjs_analysis_options *opts);
void gjs_analysis_free(gjs_analysis *analysis);

/* Returns the app whose declaration has `path`, or NULL. */
const gjs_app *gjs_analysis_find_app(const gjs_analysis *analysis, const char *decl_path);

/* Reports whether a declared scope set (strings) allows an operation. */
bool gjs_app_allows(const gjs_app *app, const gjs_operation *op);

/* Counts app errors (malformed declarations). */
size_t gjs_analysis_error_count(const gjs_analysis *analysis);

#endif
