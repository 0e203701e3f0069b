/*
 * Analysis of one revision: assigns scanned call sites to apps, matches
 * them against the catalog and computes the findings (missing,
 * unjustified, unknown, not checked, unresolved). Walking a tree or the
 * working tree is left to sources.c, which feeds the builder below.
 */
#include "analysis_builder.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "scan_cache.h"

const char *const gjs_default_skip[] = {
	"node_modules/", "vendor/", "dist/", "build/", "*.min.js", NULL,
};

#define DEFAULT_MAX_BLOB_SIZE (1024 * 1024)

struct gjs_analysis_builder {
	gjs_analysis_options opts;
	gjs_scan_cache *own_cache;
	gjs_declaration **decls;
	size_t decl_count;
	size_t decl_alloc;
	gjs_call_site *calls; /* every call site found, assigned to apps at finish */
	size_t call_count;
	size_t call_alloc;
	size_t skipped;
};

double gjs_now(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

bool gjs_looks_binary(const char *data, size_t len)
{
	return memchr(data, '\0', len < 8000 ? len : 8000) != NULL;
}

gjs_analysis_builder *gjs_analysis_builder_new(const gjs_analysis_options *opts)
{
	gjs_analysis_builder *builder = gjs_xcalloc(1, sizeof(*builder));

	builder->opts = *opts;
	if (!builder->opts.max_blob_size)
		builder->opts.max_blob_size = DEFAULT_MAX_BLOB_SIZE;
	if (!builder->opts.cache)
		builder->opts.cache = builder->own_cache = gjs_scan_cache_new();
	return builder;
}

static void call_site_clear(gjs_call_site *site)
{
	free(site->file);
	free(site->method);
	free(site->path);
	free(site->ops);
}

void gjs_analysis_builder_free(gjs_analysis_builder *builder)
{
	if (!builder)
		return;
	for (size_t i = 0; i < builder->decl_count; i++)
		gjs_declaration_free(builder->decls[i]);
	free(builder->decls);
	for (size_t i = 0; i < builder->call_count; i++)
		call_site_clear(&builder->calls[i]);
	free(builder->calls);
	gjs_scan_cache_free(builder->own_cache);
	free(builder);
}

static bool matches_any(const gjs_strvec *globs, const char *path)
{
	for (size_t i = 0; globs && i < globs->count; i++)
		if (gjs_glob_match(globs->items[i], path))
			return true;
	return false;
}

bool gjs_analysis_builder_wants(gjs_analysis_builder *builder, const char *path,
	gjs_language *language)
{
	bool skipped = false;

	*language = gjs_scan_language(path);
	if (*language == GJS_LANG_NONE)
		return false;
	if (builder->opts.skip && builder->opts.skip->count) {
		skipped = matches_any(builder->opts.skip, path);
	} else {
		for (size_t i = 0; gjs_default_skip[i]; i++)
			if (gjs_glob_match(gjs_default_skip[i], path))
				skipped = true;
	}
	if (skipped && matches_any(builder->opts.scan, path))
		skipped = false;
	if (skipped)
		builder->skipped++;
	return !skipped;
}

size_t gjs_analysis_builder_max_size(const gjs_analysis_builder *builder)
{
	return builder->opts.max_blob_size;
}

void gjs_analysis_builder_skip(gjs_analysis_builder *builder)
{
	builder->skipped++;
}

int gjs_analysis_builder_add_declaration(gjs_analysis_builder *builder, const char *path,
	const char *data, size_t len)
{
	gjs_declaration *decl = NULL;
	int kind = gjs_declaration_kind_for_path(path);
	int error;

	if (kind < 0)
		return 0;
	error = gjs_declaration_parse(&decl, (gjs_declaration_kind)kind, path, data, len);
	if (error < 0)
		return error;
	GJS_GROW(builder->decls, builder->decl_alloc, builder->decl_count + 1);
	builder->decls[builder->decl_count++] = decl;
	return 0;
}

static void add_hits(gjs_analysis_builder *builder, const char *path, const gjs_scan_result *result)
{
	for (size_t i = 0; i < result->count; i++) {
		const gjs_scan_hit *hit = &result->hits[i];
		gjs_call_site *site;

		GJS_GROW(builder->calls, builder->call_alloc, builder->call_count + 1);
		site = &builder->calls[builder->call_count++];
		memset(site, 0, sizeof(*site));
		site->file = gjs_xstrdup(path);
		site->line = hit->line;
		site->method = hit->method ? gjs_xstrdup(hit->method) : NULL;
		site->path = gjs_xstrdup(hit->path);
		site->via = hit->via;
	}
}

bool gjs_analysis_builder_add_cached(gjs_analysis_builder *builder, const char *path,
	gjs_language language, const git_oid *id)
{
	const gjs_scan_result *cached = gjs_scan_cache_get(builder->opts.cache, id, language);

	if (!cached)
		return false;
	add_hits(builder, path, cached);
	return true;
}

int gjs_analysis_builder_add_source(gjs_analysis_builder *builder, const char *path,
	gjs_language language, const char *data, size_t len, const git_oid *id)
{
	gjs_scan_result result = { 0 };
	const gjs_scan_result *stored = &result;
	int error;

	if (id && gjs_analysis_builder_add_cached(builder, path, language, id))
		return 0;
	if (len > builder->opts.max_blob_size || gjs_looks_binary(data, len)) {
		builder->skipped++;
		return 0;
	}
	error = gjs_scan_source(&result, language, data, len);
	if (error < 0) {
		gjs_scan_result_free(&result);
		return error;
	}
	if (id)
		stored = gjs_scan_cache_put(builder->opts.cache, id, language, &result);
	add_hits(builder, path, stored);
	gjs_scan_result_free(&result);
	return 0;
}

/* Reports whether `path` lies under the folder `dir` ("" is the top). */
static bool is_under(const char *dir, const char *path)
{
	size_t len = strlen(dir);

	if (!len)
		return true;
	return !strncmp(path, dir, len) && path[len] == '/';
}

/* Returns the path relative to `dir`, for the globs of a .jira-scopes file. */
static const char *relative_to(const char *dir, const char *path)
{
	size_t len = strlen(dir);

	return len ? path + len + 1 : path;
}

/*
 * Reports whether an app claims a file: the file lies under its folder and
 * passes the include and exclude globs of its .jira-scopes file, if any.
 */
static bool app_claims(const gjs_declaration *decl, const char *path)
{
	const char *relative;

	if (!is_under(decl->dir, path))
		return false;
	relative = relative_to(decl->dir, path);
	if (decl->include.count && !matches_any(&decl->include, relative))
		return false;
	return !matches_any(&decl->exclude, relative);
}

/* Picks the app of a file: the claiming app with the deepest folder. */
static gjs_app *find_owner(gjs_analysis *analysis, const char *path)
{
	gjs_app *owner = NULL;
	size_t owner_depth = 0;

	for (size_t i = 0; i < analysis->app_count; i++) {
		gjs_app *app = &analysis->apps[i];
		size_t depth = strlen(app->decl->dir) + 1;

		if (!app_claims(app->decl, path))
			continue;
		if (!owner || depth > owner_depth) {
			owner = app;
			owner_depth = depth;
		}
	}
	return owner;
}

/* Reports whether an array that only ever grows by one from empty needs
 * more room for element `count`: its room doubles at each power of two. */
static bool needs_room(size_t count)
{
	return (count & (count - 1)) == 0;
}

static void push_call(gjs_call_site **items, size_t *count, gjs_call_site *site)
{
	if (needs_room(*count))
		*items = gjs_xrealloc(*items, (*count ? *count * 2 : 1) * sizeof(**items));
	(*items)[(*count)++] = *site;
	memset(site, 0, sizeof(*site));
}

static void push_index(size_t **items, size_t *count, size_t value)
{
	if (needs_room(*count))
		*items = gjs_xrealloc(*items, (*count ? *count * 2 : 1) * sizeof(**items));
	(*items)[(*count)++] = value;
}

/* Privilege of one scope name, for picking the least privileged operation. */
static int scope_weight(const char *scope)
{
	if (!strncmp(scope, "read:", 5))
		return 1;
	if (!strncmp(scope, "write:", 6))
		return 2;
	if (!strncmp(scope, "delete:", 7))
		return 3;
	if (!strncmp(scope, "manage:", 7))
		return 4;
	return 2;
}

static int method_weight(const char *method)
{
	static const char *const order[] = { "GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE" };

	for (size_t i = 0; i < sizeof(order) / sizeof(*order); i++)
		if (!strcmp(method, order[i]))
			return (int)i;
	return 7;
}

/* Scores an operation's requirement: its strongest scope, then its size. */
static int requirement_weight(const gjs_operation *op)
{
	const char **set = op->classic_count ? op->classic : op->granular;
	size_t count = op->classic_count ? op->classic_count : op->granular_count;
	int strongest = 0;

	for (size_t i = 0; i < count; i++) {
		int weight = scope_weight(set[i]);

		if (weight > strongest)
			strongest = weight;
	}
	return strongest * 1000 + (int)count * 10 + method_weight(op->method);
}

static int resolve_call(gjs_call_site *site, const gjs_catalog *catalog)
{
	int error = gjs_catalog_match(&site->ops, &site->op_count, catalog, site->method, site->path);
	int best = 0;

	if (error == GJS_ENOTFOUND) {
		site->op_count = 0;
		return 0;
	}
	if (error < 0)
		return error;
	for (size_t i = 0; i < site->op_count; i++) {
		int weight = requirement_weight(gjs_catalog_get(catalog, site->ops[i]));

		if (i == 0 || weight < best) {
			best = weight;
			site->required_op = site->ops[i];
		}
	}
	return 0;
}

bool gjs_app_allows(const gjs_app *app, const gjs_operation *op)
{
	const char *stack_scopes[64] = { NULL };
	const char **scopes = stack_scopes;
	size_t count = app->decl->scope_count;
	bool allowed;

	if (count > sizeof(stack_scopes) / sizeof(*stack_scopes))
		scopes = gjs_xmalloc(count * sizeof(*scopes));
	for (size_t i = 0; i < count; i++)
		scopes[i] = app->decl->scopes[i].scope;
	allowed = gjs_operation_allowed(op, scopes, count);
	if (scopes != stack_scopes)
		free(scopes);
	return allowed;
}

static bool declared(const gjs_app *app, const char *scope)
{
	return gjs_declaration_find(app->decl, scope) != NULL;
}

static bool set_contains(const char **set, size_t count, const char *scope)
{
	for (size_t i = 0; i < count; i++)
		if (!strcmp(set[i], scope))
			return true;
	return false;
}

/*
 * Reports whether a declared Connect scope is what some call needs: the
 * lowest declared rung at or above the call's rung. ACT_AS_USER and
 * ACCESS_EMAIL_ADDRESSES are off the ladder and justified only by an
 * operation that names them.
 */
static bool connect_scope_used(const gjs_app *app, const gjs_catalog *catalog, const char *scope)
{
	int rank = gjs_connect_rank(scope);

	for (size_t c = 0; c < app->call_count; c++) {
		const gjs_operation *op;
		int needed;
		bool lower_covers = false;

		if (!app->calls[c].op_count)
			continue;
		op = gjs_catalog_get(catalog, app->calls[c].required_op);
		if (!rank) {
			if (!strcasecmp(op->connect, scope))
				return true;
			continue;
		}
		needed = gjs_connect_rank(op->connect);
		if (!strcasecmp(op->connect, "NONE"))
			needed = 1;
		if (!needed || needed > rank)
			continue;
		for (size_t d = 0; d < app->decl->scope_count; d++) {
			int other = gjs_connect_rank(app->decl->scopes[d].scope);

			if (other && other >= needed && other < rank)
				lower_covers = true;
		}
		if (!lower_covers)
			return true;
	}
	return false;
}

static bool rest_scope_used(const gjs_app *app, const gjs_catalog *catalog, const char *scope)
{
	for (size_t c = 0; c < app->call_count; c++) {
		const gjs_operation *op;

		if (!app->calls[c].op_count)
			continue;
		op = gjs_catalog_get(catalog, app->calls[c].required_op);
		if (set_contains(op->classic, op->classic_count, scope) ||
		    set_contains(op->granular, op->granular_count, scope))
			return true;
	}
	return false;
}

static void compute_findings(gjs_app *app, const gjs_catalog *catalog)
{
	for (size_t c = 0; c < app->call_count; c++) {
		const gjs_call_site *site = &app->calls[c];
		const gjs_operation *op;
		gjs_missing *missing;

		if (!site->op_count) {
			push_index(&app->unresolved, &app->unresolved_count, c);
			continue;
		}
		op = gjs_catalog_get(catalog, site->required_op);
		if (gjs_app_allows(app, op))
			continue;
		app->missing = gjs_xrealloc(app->missing, (app->missing_count + 1) * sizeof(*app->missing));
		missing = &app->missing[app->missing_count++];
		memset(missing, 0, sizeof(*missing));
		missing->call = c;
		for (size_t i = 0; i < op->classic_count; i++)
			gjs_strvec_push(&missing->classic_alternative, op->classic[i]);
		for (size_t i = 0; i < op->granular_count; i++)
			if (!declared(app, op->granular[i]))
				gjs_strvec_push(&missing->granular_absent, op->granular[i]);
	}

	for (size_t s = 0; s < app->decl->scope_count; s++) {
		const char *scope = app->decl->scopes[s].scope;
		bool used;

		switch (gjs_catalog_scope_kind(catalog, scope)) {
		case GJS_SCOPE_UNKNOWN:
			push_index(&app->unknown, &app->unknown_count, s);
			continue;
		case GJS_SCOPE_PLATFORM:
			push_index(&app->not_checked, &app->not_checked_count, s);
			continue;
		case GJS_SCOPE_CONNECT:
			used = connect_scope_used(app, catalog, scope);
			break;
		default:
			used = rest_scope_used(app, catalog, scope);
			break;
		}
		if (!used)
			push_index(&app->unjustified, &app->unjustified_count, s);
	}
}

static int compare_apps(const void *a, const void *b)
{
	return strcmp(((const gjs_app *)a)->decl->path, ((const gjs_app *)b)->decl->path);
}

static int compare_calls(const void *a, const void *b)
{
	const gjs_call_site *left = a;
	const gjs_call_site *right = b;
	int order = strcmp(left->file, right->file);

	if (order)
		return order;
	if (left->line != right->line)
		return left->line < right->line ? -1 : 1;
	return strcmp(left->path, right->path);
}

/*
 * Builds the app list. A .jira-scopes file without a scope list that sits
 * beside a manifest only adds file globs to that manifest's app, so it does
 * not become an app of its own.
 */
static void build_apps(gjs_analysis *analysis, gjs_analysis_builder *builder)
{
	analysis->apps = gjs_xcalloc(builder->decl_count ? builder->decl_count : 1,
		sizeof(*analysis->apps));
	for (size_t i = 0; i < builder->decl_count; i++) {
		gjs_declaration *decl = builder->decls[i];
		bool merged = false;

		if (decl->kind == GJS_DECL_SCOPES_FILE && !decl->has_scope_list && !decl->error) {
			for (size_t j = 0; j < builder->decl_count; j++) {
				gjs_declaration *other = builder->decls[j];

				if (other->kind == GJS_DECL_SCOPES_FILE || strcmp(other->dir, decl->dir))
					continue;
				for (size_t g = 0; g < decl->include.count; g++)
					gjs_strvec_push(&other->include, decl->include.items[g]);
				for (size_t g = 0; g < decl->exclude.count; g++)
					gjs_strvec_push(&other->exclude, decl->exclude.items[g]);
				merged = true;
			}
		}
		if (merged) {
			gjs_declaration_free(decl);
			continue;
		}
		analysis->apps[analysis->app_count++].decl = decl;
	}
	free(builder->decls);
	builder->decls = NULL;
	builder->decl_count = 0;
	if (analysis->app_count)
		qsort(analysis->apps, analysis->app_count, sizeof(*analysis->apps), compare_apps);
}

int gjs_analysis_builder_finish(gjs_analysis_builder *builder, gjs_analysis **out)
{
	gjs_analysis *analysis = gjs_xcalloc(1, sizeof(*analysis));
	const gjs_catalog *catalog = builder->opts.catalog;
	int error = 0;

	build_apps(analysis, builder);
	analysis->skipped_blobs = builder->skipped;

	if (builder->call_count)
		qsort(builder->calls, builder->call_count, sizeof(*builder->calls), compare_calls);
	for (size_t i = 0; i < builder->call_count; i++) {
		gjs_call_site *site = &builder->calls[i];
		gjs_app *app;

		error = resolve_call(site, catalog);
		if (error < 0)
			goto done;
		app = find_owner(analysis, site->file);
		if (!app)
			push_call(&analysis->orphans, &analysis->orphan_count, site);
		else if (site->via == GJS_VIA_OWN_CREDENTIALS && app->decl->kind != GJS_DECL_SCOPES_FILE)
			push_call(&app->apart, &app->apart_count, site);
		else
			push_call(&app->calls, &app->call_count, site);
	}

	for (size_t i = 0; i < analysis->app_count; i++)
		if (!analysis->apps[i].decl->error)
			compute_findings(&analysis->apps[i], catalog);

done:
	gjs_analysis_builder_free(builder);
	if (error < 0) {
		gjs_analysis_free(analysis);
		return error;
	}
	*out = analysis;
	return 0;
}

static void free_calls(gjs_call_site *calls, size_t count)
{
	for (size_t i = 0; i < count; i++)
		call_site_clear(&calls[i]);
	free(calls);
}

void gjs_analysis_free(gjs_analysis *analysis)
{
	if (!analysis)
		return;
	for (size_t i = 0; i < analysis->app_count; i++) {
		gjs_app *app = &analysis->apps[i];

		gjs_declaration_free(app->decl);
		free_calls(app->calls, app->call_count);
		free_calls(app->apart, app->apart_count);
		for (size_t m = 0; m < app->missing_count; m++) {
			gjs_strvec_clear(&app->missing[m].classic_alternative);
			gjs_strvec_clear(&app->missing[m].granular_absent);
		}
		free(app->missing);
		free(app->unjustified);
		free(app->unknown);
		free(app->not_checked);
		free(app->unresolved);
	}
	free(analysis->apps);
	free_calls(analysis->orphans, analysis->orphan_count);
	free(analysis);
}

const gjs_app *gjs_analysis_find_app(const gjs_analysis *analysis, const char *decl_path)
{
	for (size_t i = 0; i < analysis->app_count; i++)
		if (!strcmp(analysis->apps[i].decl->path, decl_path))
			return &analysis->apps[i];
	return NULL;
}

size_t gjs_analysis_error_count(const gjs_analysis *analysis)
{
	size_t count = 0;

	for (size_t i = 0; i < analysis->app_count; i++)
		if (analysis->apps[i].decl->error)
			count++;
	return count;
}

int gjs_analyze_files(gjs_analysis **out, const gjs_source_file *files, size_t count,
	const gjs_analysis_options *opts)
{
	gjs_analysis_builder *builder = gjs_analysis_builder_new(opts);
	int error = 0;

	for (size_t i = 0; i < count; i++) {
		gjs_language language;

		if (gjs_declaration_kind_for_path(files[i].path) >= 0)
			error = gjs_analysis_builder_add_declaration(builder, files[i].path,
				files[i].data, files[i].len);
		else if (gjs_analysis_builder_wants(builder, files[i].path, &language))
			error = gjs_analysis_builder_add_source(builder, files[i].path, language,
				files[i].data, files[i].len, files[i].id);
		if (error < 0) {
			gjs_analysis_builder_free(builder);
			return error;
		}
	}
	return gjs_analysis_builder_finish(builder, out);
}
