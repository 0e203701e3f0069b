/*
 * Diff of two analyses. Declared scopes are compared as sets, so reordering
 * or reformatting a declaration is no change, and access is compared by
 * operation: a scope counts as adding access when HEAD's declaration allows
 * a catalog operation that BASE's did not, and would not without that scope.
 */
#include "diff.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Scope names of a declaration as an array of borrowed strings. */
typedef struct {
	const char **items;
	size_t count;
} scope_list;

static scope_list scopes_of(const gjs_app *app, const char *without)
{
	scope_list list = { NULL, 0 };

	if (!app || app->decl->error)
		return list;
	list.items = gjs_xcalloc(app->decl->scope_count + 1, sizeof(*list.items));
	for (size_t i = 0; i < app->decl->scope_count; i++) {
		const char *scope = app->decl->scopes[i].scope;

		if (without && !strcmp(scope, without))
			continue;
		list.items[list.count++] = scope;
	}
	return list;
}

static bool list_contains(const scope_list *list, const char *scope)
{
	for (size_t i = 0; i < list->count; i++)
		if (!strcmp(list->items[i], scope))
			return true;
	return false;
}

static bool allows(const gjs_operation *op, const scope_list *list)
{
	return gjs_operation_allowed(op, list->items, list->count);
}

/*
 * Reports whether an operation's requirement names `scope` in one of its
 * sets. For a Connect scope, whether it is the lowest rung that `declared`
 * has at or above the operation's rung, so that ADMIN does not claim a call
 * that READ already allows.
 */
static bool requirement_uses(const gjs_operation *op, const char *scope, const scope_list *declared)
{
	int rank = gjs_connect_rank(scope);
	int needed;

	for (size_t i = 0; i < op->classic_count; i++)
		if (!strcmp(op->classic[i], scope))
			return true;
	for (size_t i = 0; i < op->granular_count; i++)
		if (!strcmp(op->granular[i], scope))
			return true;
	if (!rank)
		return op->connect[0] && !strcasecmp(op->connect, scope);

	needed = gjs_connect_rank(op->connect);
	if (!strcasecmp(op->connect, "NONE"))
		needed = 1;
	if (!needed || needed > rank)
		return false;
	for (size_t i = 0; i < declared->count; i++) {
		int other = gjs_connect_rank(declared->items[i]);

		if (other && other >= needed && other < rank)
			return false;
	}
	return true;
}

static void push_index(size_t **items, size_t *count, size_t value)
{
	*items = gjs_xrealloc(*items, (*count + 1) * sizeof(**items));
	(*items)[(*count)++] = value;
}

/* Counts the operations HEAD allows, BASE did not, and HEAD would not
 * without `scope`. */
static size_t count_new_operations(const gjs_catalog *catalog, const gjs_app *app, const char *scope,
	const scope_list *base, const scope_list *head)
{
	scope_list without = scopes_of(app, scope);
	size_t op_count = gjs_catalog_count(catalog);
	size_t count = 0;

	for (size_t o = 0; o < op_count; o++) {
		const gjs_operation *op = gjs_catalog_get(catalog, o);

		if (allows(op, head) && !allows(op, base) && !allows(op, &without))
			count++;
	}
	free(without.items);
	return count;
}

static gjs_added_scope *append_added(gjs_diff_app *entry, const gjs_declared_scope *declared)
{
	gjs_added_scope *added;

	entry->added = gjs_xrealloc(entry->added, (entry->added_count + 1) * sizeof(*entry->added));
	added = &entry->added[entry->added_count++];
	memset(added, 0, sizeof(*added));
	added->scope = gjs_xstrdup(declared->scope);
	added->line = declared->line;
	return added;
}

static void compute_added(gjs_diff_app *entry, const gjs_catalog *catalog, const gjs_policy *policy,
	const scope_list *base, const scope_list *head)
{
	const gjs_app *app = entry->head;

	for (size_t s = 0; s < app->decl->scope_count; s++) {
		const gjs_declared_scope *declared = &app->decl->scopes[s];
		const char *broad_reason = policy ? gjs_policy_broad_reason(policy, declared->scope) : NULL;
		bool in_base = list_contains(base, declared->scope);
		bool unknown;
		size_t new_operations;
		gjs_added_scope *added;

		/* A scope on both sides matters only when it is broad and put to new use. */
		if (in_base && !broad_reason)
			continue;
		/* A name Atlassian does not define allows nothing, so counting its
		 * operations, a pass over the catalog per scope, is skipped. */
		unknown = gjs_catalog_scope_kind(catalog, declared->scope) == GJS_SCOPE_UNKNOWN;
		new_operations = unknown ? 0 :
			count_new_operations(catalog, app, declared->scope, base, head);
		if (in_base && !new_operations)
			continue;

		added = append_added(entry, declared);
		added->broad_reason = broad_reason;
		added->previously_declared = in_base;
		added->unknown = unknown;
		added->new_operations = new_operations;
		for (size_t c = 0; c < app->call_count; c++) {
			const gjs_call_site *site = &app->calls[c];

			if (site->op_count &&
			    requirement_uses(gjs_catalog_get(catalog, site->required_op), declared->scope, head))
				push_index(&added->justified_by, &added->justified_count, c);
		}
	}
}

static void compute_removed(gjs_diff_app *entry, const gjs_catalog *catalog, const scope_list *base,
	const scope_list *head)
{
	const gjs_app *app = entry->base;

	for (size_t s = 0; s < app->decl->scope_count; s++) {
		const gjs_declared_scope *declared = &app->decl->scopes[s];
		gjs_removed_scope *removed;

		if (list_contains(head, declared->scope))
			continue;
		entry->removed = gjs_xrealloc(entry->removed,
			(entry->removed_count + 1) * sizeof(*entry->removed));
		removed = &entry->removed[entry->removed_count++];
		memset(removed, 0, sizeof(*removed));
		removed->scope = gjs_xstrdup(declared->scope);
		removed->line = declared->line;
		if (!entry->head)
			continue;

		/* A call still needs the scope when HEAD no longer allows its
		 * operation and the operation's requirement names the scope. */
		for (size_t m = 0; m < entry->head->missing_count; m++) {
			size_t c = entry->head->missing[m].call;
			const gjs_call_site *site = &entry->head->calls[c];

			if (requirement_uses(gjs_catalog_get(catalog, site->required_op), declared->scope, base))
				push_index(&removed->still_needed_by, &removed->still_needed_count, c);
		}
	}
}

/* Two missing call sites are the same when file, method, path and operation
 * agree: lines move with unrelated edits. */
static bool same_missing(const gjs_app *left, const gjs_missing *a, const gjs_app *right,
	const gjs_missing *b)
{
	const gjs_call_site *x = &left->calls[a->call];
	const gjs_call_site *y = &right->calls[b->call];

	if (strcmp(x->file, y->file) || strcmp(x->path, y->path) || x->required_op != y->required_op)
		return false;
	if (!x->method || !y->method)
		return x->method == y->method;
	return !strcmp(x->method, y->method);
}

/* Lists entries of `from`'s missing list that `other` lacks, matching each
 * entry of `other` at most once so that duplicates count. */
static void missing_difference(size_t **out, size_t *out_count, const gjs_app *from,
	const gjs_app *other)
{
	size_t other_count = other ? other->missing_count : 0;
	bool *matched_other = gjs_xcalloc(other_count ? other_count : 1, sizeof(*matched_other));

	for (size_t i = 0; from && i < from->missing_count; i++) {
		bool matched = false;

		for (size_t j = 0; other && j < other->missing_count && !matched; j++) {
			if (matched_other[j] || !same_missing(from, &from->missing[i], other, &other->missing[j]))
				continue;
			matched_other[j] = true;
			matched = true;
		}
		if (!matched)
			push_index(out, out_count, i);
	}
	free(matched_other);
}

static void diff_app(gjs_diff_app *entry, const gjs_catalog *catalog, const gjs_policy *policy)
{
	scope_list base = scopes_of(entry->base, NULL);
	scope_list head = scopes_of(entry->head, NULL);
	size_t op_count = gjs_catalog_count(catalog);

	if (entry->head && !entry->head->decl->error)
		compute_added(entry, catalog, policy, &base, &head);
	if (entry->base && !entry->base->decl->error && !(entry->head && entry->head->decl->error))
		compute_removed(entry, catalog, &base, &head);

	for (size_t o = 0; o < op_count; o++) {
		const gjs_operation *op = gjs_catalog_get(catalog, o);

		if (allows(op, &head) && !allows(op, &base))
			entry->new_operations++;
	}
	missing_difference(&entry->newly_missing, &entry->newly_missing_count, entry->head, entry->base);
	missing_difference(&entry->fixed, &entry->fixed_count, entry->base, entry->head);

	free(base.items);
	free(head.items);
}

static gjs_diff_app *append_app(gjs_diff *diff, const gjs_app *base, const gjs_app *head)
{
	gjs_diff_app *entry;
	const gjs_app *either = head ? head : base;

	diff->apps = gjs_xrealloc(diff->apps, (diff->app_count + 1) * sizeof(*diff->apps));
	entry = &diff->apps[diff->app_count++];
	memset(entry, 0, sizeof(*entry));
	entry->path = either->decl->path;
	entry->kind = either->decl->kind;
	entry->base = base;
	entry->head = head;
	if (!base)
		entry->change = GJS_APP_ADDED;
	else if (!head)
		entry->change = GJS_APP_REMOVED;
	else
		entry->change = GJS_APP_CHANGED;
	return entry;
}

int gjs_diff_analyses(gjs_diff **out, const gjs_analysis *base, const gjs_analysis *head,
	const gjs_catalog *catalog, const gjs_policy *policy)
{
	gjs_diff *diff = gjs_xcalloc(1, sizeof(*diff));
	size_t b = 0;
	size_t h = 0;

	/* Both app lists are sorted by declaration path: merge them. */
	while (b < base->app_count || h < head->app_count) {
		const gjs_app *left = b < base->app_count ? &base->apps[b] : NULL;
		const gjs_app *right = h < head->app_count ? &head->apps[h] : NULL;
		int order;

		if (!left)
			order = 1;
		else if (!right)
			order = -1;
		else
			order = strcmp(left->decl->path, right->decl->path);

		if (order == 0) {
			diff_app(append_app(diff, left, right), catalog, policy);
			b++;
			h++;
		} else if (order < 0) {
			diff_app(append_app(diff, left, NULL), catalog, policy);
			b++;
		} else {
			diff_app(append_app(diff, NULL, right), catalog, policy);
			h++;
		}
	}
	*out = diff;
	return 0;
}

void gjs_diff_free(gjs_diff *diff)
{
	if (!diff)
		return;
	for (size_t i = 0; i < diff->app_count; i++) {
		gjs_diff_app *app = &diff->apps[i];

		for (size_t a = 0; a < app->added_count; a++) {
			free(app->added[a].scope);
			free(app->added[a].justified_by);
		}
		free(app->added);
		for (size_t r = 0; r < app->removed_count; r++) {
			free(app->removed[r].scope);
			free(app->removed[r].still_needed_by);
		}
		free(app->removed);
		free(app->newly_missing);
		free(app->fixed);
	}
	free(diff->apps);
	free(diff);
}

bool gjs_diff_app_has_changes(const gjs_diff_app *app)
{
	return app->change != GJS_APP_CHANGED || app->added_count || app->removed_count ||
	       app->newly_missing_count || app->fixed_count ||
	       (app->head && app->head->decl->error) || (app->base && app->base->decl->error);
}

bool gjs_added_needs_review(const gjs_added_scope *added)
{
	return added->broad_reason && added->new_operations > 0;
}
