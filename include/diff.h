/*
 * Diff of two analyses: scopes added and removed per app, by set and by
 * access, and call sites newly missing or fixed.
 */
#ifndef GJS_DIFF_H
#define GJS_DIFF_H

#include "analysis.h"
#include "catalog.h"
#include "policy.h"

/*
 * A scope that the change adds, or a broad scope that both sides declare
 * but that the change puts to new use: the scopes it adds allow operations
 * together with it that neither allowed before (`previously_declared`).
 * Without the second kind, a broad scope could arrive in one push that
 * allows nothing alone, and gain its operations in a later push that adds
 * only a harmless scope.
 */
typedef struct {
	char *scope;
	unsigned line;             /* line in HEAD's declaration */
	const char *broad_reason;  /* NULL when not broad; static string */
	bool previously_declared;  /* BASE declares it too: a broad scope put to new use */
	bool unknown;              /* Atlassian defines no such scope */
	size_t new_operations;     /* operations HEAD allows, BASE did not, that need this scope */
	size_t *justified_by;      /* indices into head->calls */
	size_t justified_count;
} gjs_added_scope;

typedef struct {
	char *scope;
	unsigned line;           /* line in BASE's declaration */
	size_t *still_needed_by; /* indices into head->calls; empty when head is NULL */
	size_t still_needed_count;
} gjs_removed_scope;

typedef enum {
	GJS_APP_CHANGED = 0,
	GJS_APP_ADDED,   /* only in HEAD */
	GJS_APP_REMOVED, /* only in BASE */
} gjs_app_change;

typedef struct {
	const char *path; /* declaration path, borrowed from an analysis */
	gjs_declaration_kind kind;
	gjs_app_change change;
	const gjs_app *base; /* borrowed; NULL when the app appears */
	const gjs_app *head; /* borrowed; NULL when the app disappears */
	gjs_added_scope *added;
	size_t added_count;
	gjs_removed_scope *removed;
	size_t removed_count;
	size_t *newly_missing; /* indices into head->missing */
	size_t newly_missing_count;
	size_t *fixed; /* indices into base->missing */
	size_t fixed_count;
	size_t new_operations; /* operations HEAD allows that BASE did not, all scopes */
} gjs_diff_app;

typedef struct {
	gjs_diff_app *apps; /* every app of either side, by path */
	size_t app_count;
} gjs_diff;

int gjs_diff_analyses(gjs_diff **out, const gjs_analysis *base, const gjs_analysis *head,
	const gjs_catalog *catalog, const gjs_policy *policy);
void gjs_diff_free(gjs_diff *diff);

/* Reports whether an app's entry has any change worth reporting. */
bool gjs_diff_app_has_changes(const gjs_diff_app *app);
/* Reports whether an added scope needs review: broad and allowing new operations. */
bool gjs_added_needs_review(const gjs_added_scope *added);

#endif
