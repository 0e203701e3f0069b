/*
 * JSON reports of check and diff. Field names are a contract with scripts
 * and the CI templates: add fields freely, never rename one.
 */
#include <cjson/cJSON.h>
#include <stdlib.h>

#include "report.h"

void gjs_report_operation_name(gjs_buf *out, const gjs_operation *op)
{
	gjs_buf_printf(out, "%s %s", op->method, op->path);
}

static cJSON *string_or_null(const char *value)
{
	return value ? cJSON_CreateString(value) : cJSON_CreateNull();
}

static cJSON *call_site_json(const gjs_call_site *site, const gjs_catalog *catalog)
{
	cJSON *object = cJSON_CreateObject();
	gjs_buf name = GJS_BUF_INIT;

	cJSON_AddStringToObject(object, "file", site->file);
	cJSON_AddNumberToObject(object, "line", site->line);
	cJSON_AddItemToObject(object, "method", string_or_null(site->method));
	cJSON_AddStringToObject(object, "path", site->path);
	if (site->op_count) {
		cJSON *all = cJSON_AddArrayToObject(object, "operations");

		gjs_report_operation_name(&name, gjs_catalog_get(catalog, site->required_op));
		cJSON_AddStringToObject(object, "operation", name.ptr);
		for (size_t i = 0; i < site->op_count; i++) {
			gjs_buf_clear(&name);
			gjs_report_operation_name(&name, gjs_catalog_get(catalog, site->ops[i]));
			cJSON_AddItemToArray(all, cJSON_CreateString(name.ptr));
		}
	} else {
		cJSON_AddNullToObject(object, "operation");
	}
	gjs_buf_free(&name);
	return object;
}

static cJSON *strvec_json(const gjs_strvec *vec)
{
	cJSON *array = cJSON_CreateArray();

	for (size_t i = 0; i < vec->count; i++)
		cJSON_AddItemToArray(array, cJSON_CreateString(vec->items[i]));
	return array;
}

static cJSON *missing_json(const gjs_app *app, const gjs_missing *missing, const gjs_catalog *catalog)
{
	cJSON *object = call_site_json(&app->calls[missing->call], catalog);

	cJSON_AddItemToObject(object, "classic_alternative", strvec_json(&missing->classic_alternative));
	cJSON_AddItemToObject(object, "granular_absent", strvec_json(&missing->granular_absent));
	return object;
}

static cJSON *declared_json(const gjs_declared_scope *scope)
{
	cJSON *object = cJSON_CreateObject();

	cJSON_AddStringToObject(object, "scope", scope->scope);
	cJSON_AddNumberToObject(object, "line", scope->line);
	return object;
}

static cJSON *scope_indices_json(const gjs_app *app, const size_t *indices, size_t count)
{
	cJSON *array = cJSON_CreateArray();

	for (size_t i = 0; i < count; i++)
		cJSON_AddItemToArray(array, declared_json(&app->decl->scopes[indices[i]]));
	return array;
}

static cJSON *calls_json(const gjs_call_site *calls, size_t count, const gjs_catalog *catalog)
{
	cJSON *array = cJSON_CreateArray();

	for (size_t i = 0; i < count; i++)
		cJSON_AddItemToArray(array, call_site_json(&calls[i], catalog));
	return array;
}

static cJSON *call_indices_json(const gjs_app *app, const size_t *indices, size_t count,
	const gjs_catalog *catalog)
{
	cJSON *array = cJSON_CreateArray();

	for (size_t i = 0; i < count; i++)
		cJSON_AddItemToArray(array, call_site_json(&app->calls[indices[i]], catalog));
	return array;
}

static cJSON *declaration_json(const gjs_declaration *decl)
{
	cJSON *object = cJSON_CreateObject();

	cJSON_AddStringToObject(object, "path", decl->path);
	cJSON_AddStringToObject(object, "kind", gjs_declaration_kind_name(decl->kind));
	return object;
}

static cJSON *check_app_json(const gjs_app *app, const gjs_catalog *catalog)
{
	cJSON *object = cJSON_CreateObject();
	cJSON *declared = cJSON_CreateArray();
	cJSON *missing = cJSON_CreateArray();

	cJSON_AddItemToObject(object, "declaration", declaration_json(app->decl));
	cJSON_AddItemToObject(object, "error", string_or_null(app->decl->error));
	for (size_t i = 0; i < app->decl->scope_count; i++)
		cJSON_AddItemToArray(declared, declared_json(&app->decl->scopes[i]));
	cJSON_AddItemToObject(object, "declared", declared);
	cJSON_AddItemToObject(object, "call_sites", calls_json(app->calls, app->call_count, catalog));
	for (size_t i = 0; i < app->missing_count; i++)
		cJSON_AddItemToArray(missing, missing_json(app, &app->missing[i], catalog));
	cJSON_AddItemToObject(object, "missing", missing);
	cJSON_AddItemToObject(object, "unjustified",
		scope_indices_json(app, app->unjustified, app->unjustified_count));
	cJSON_AddItemToObject(object, "unknown", scope_indices_json(app, app->unknown, app->unknown_count));
	cJSON_AddItemToObject(object, "not_checked",
		scope_indices_json(app, app->not_checked, app->not_checked_count));
	cJSON_AddItemToObject(object, "unresolved",
		call_indices_json(app, app->unresolved, app->unresolved_count, catalog));
	cJSON_AddItemToObject(object, "apart", calls_json(app->apart, app->apart_count, catalog));
	return object;
}

static int print_json(gjs_buf *out, cJSON *root)
{
	char *text = cJSON_Print(root);

	cJSON_Delete(root);
	if (!text) {
		gjs_error_set("cannot format the JSON report: out of memory");
		return GJS_ERROR;
	}
	gjs_buf_puts(out, text);
	gjs_buf_putc(out, '\n');
	free(text);
	return 0;
}

int gjs_report_check_json(gjs_buf *out, const gjs_analysis *analysis, const gjs_catalog *catalog,
	const gjs_report_options *opts)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *apps = cJSON_CreateArray();

	if (opts->head_label)
		cJSON_AddStringToObject(root, "revision", opts->head_label);
	for (size_t i = 0; i < analysis->app_count; i++)
		cJSON_AddItemToArray(apps, check_app_json(&analysis->apps[i], catalog));
	cJSON_AddItemToObject(root, "apps", apps);
	cJSON_AddItemToObject(root, "outside_apps",
		calls_json(analysis->orphans, analysis->orphan_count, catalog));
	cJSON_AddNumberToObject(root, "skipped_files", (double)analysis->skipped_blobs);
	return print_json(out, root);
}

static const char *change_name(gjs_app_change change)
{
	switch (change) {
	case GJS_APP_ADDED:
		return "added";
	case GJS_APP_REMOVED:
		return "removed";
	default:
		return "changed";
	}
}

static cJSON *diff_app_json(const gjs_diff_app *entry, const gjs_catalog *catalog)
{
	cJSON *object = cJSON_CreateObject();
	cJSON *declaration = cJSON_CreateObject();
	cJSON *added = cJSON_CreateArray();
	cJSON *newly_used = cJSON_CreateArray(); /* broad scopes on both sides put to new use */
	cJSON *removed = cJSON_CreateArray();
	cJSON *newly_missing = cJSON_CreateArray();
	cJSON *fixed = cJSON_CreateArray();
	const char *error = entry->head && entry->head->decl->error ? entry->head->decl->error
			  : entry->base && entry->base->decl->error ? entry->base->decl->error
								     : NULL;

	cJSON_AddStringToObject(declaration, "path", entry->path);
	cJSON_AddStringToObject(declaration, "kind", gjs_declaration_kind_name(entry->kind));
	cJSON_AddItemToObject(object, "declaration", declaration);
	cJSON_AddStringToObject(object, "change", change_name(entry->change));
	cJSON_AddItemToObject(object, "error", string_or_null(error));
	cJSON_AddNumberToObject(object, "new_operations", (double)entry->new_operations);

	for (size_t i = 0; i < entry->added_count; i++) {
		const gjs_added_scope *scope = &entry->added[i];
		cJSON *item = cJSON_CreateObject();

		cJSON_AddStringToObject(item, "scope", scope->scope);
		cJSON_AddBoolToObject(item, "broad", scope->broad_reason != NULL);
		cJSON_AddItemToObject(item, "broad_reason", string_or_null(scope->broad_reason));
		cJSON_AddBoolToObject(item, "needs_review", gjs_added_needs_review(scope));
		cJSON_AddBoolToObject(item, "unknown", scope->unknown);
		cJSON_AddNumberToObject(item, "line", scope->line);
		cJSON_AddNumberToObject(item, "new_operations", (double)scope->new_operations);
		cJSON_AddItemToObject(item, "justified_by",
			call_indices_json(entry->head, scope->justified_by, scope->justified_count, catalog));
		cJSON_AddItemToArray(scope->previously_declared ? newly_used : added, item);
	}
	cJSON_AddItemToObject(object, "added", added);
	cJSON_AddItemToObject(object, "broad_newly_used", newly_used);

	for (size_t i = 0; i < entry->removed_count; i++) {
		const gjs_removed_scope *scope = &entry->removed[i];
		cJSON *item = cJSON_CreateObject();

		cJSON_AddStringToObject(item, "scope", scope->scope);
		cJSON_AddNumberToObject(item, "line", scope->line);
		if (entry->head)
			cJSON_AddItemToObject(item, "still_needed_by",
				call_indices_json(entry->head, scope->still_needed_by,
					scope->still_needed_count, catalog));
		else
			cJSON_AddItemToObject(item, "still_needed_by", cJSON_CreateArray());
		cJSON_AddItemToArray(removed, item);
	}
	cJSON_AddItemToObject(object, "removed", removed);

	for (size_t i = 0; i < entry->newly_missing_count; i++)
		cJSON_AddItemToArray(newly_missing,
			missing_json(entry->head, &entry->head->missing[entry->newly_missing[i]], catalog));
	cJSON_AddItemToObject(object, "newly_missing", newly_missing);
	for (size_t i = 0; i < entry->fixed_count; i++)
		cJSON_AddItemToArray(fixed,
			missing_json(entry->base, &entry->base->missing[entry->fixed[i]], catalog));
	cJSON_AddItemToObject(object, "fixed", fixed);
	return object;
}

int gjs_report_diff_json(gjs_buf *out, const gjs_diff *diff, const gjs_catalog *catalog,
	const gjs_report_options *opts)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *apps = cJSON_CreateArray();

	if (opts->base_label)
		cJSON_AddStringToObject(root, "base", opts->base_label);
	if (opts->head_label)
		cJSON_AddStringToObject(root, "head", opts->head_label);
	for (size_t i = 0; i < diff->app_count; i++)
		cJSON_AddItemToArray(apps, diff_app_json(&diff->apps[i], catalog));
	cJSON_AddItemToObject(root, "apps", apps);
	return print_json(out, root);
}
