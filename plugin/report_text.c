/*
 * Plain-text reports of check and diff, for a terminal or a log. Colour is
 * the caller's choice (opts->color); text from the repository is sanitized
 * so that it cannot drive the terminal.
 */
#include <stdlib.h>
#include <string.h>

#include "report.h"

#define RED "\033[31m"
#define GREEN "\033[32m"
#define YELLOW "\033[33m"
#define BOLD "\033[1m"
#define RESET "\033[m"

int gjs_format_parse(const char *name)
{
	if (!strcmp(name, "text"))
		return GJS_FORMAT_TEXT;
	if (!strcmp(name, "json"))
		return GJS_FORMAT_JSON;
	if (!strcmp(name, "markdown"))
		return GJS_FORMAT_MARKDOWN;
	return -1;
}

static void put_clean(gjs_buf *out, const char *text)
{
	char *clean = gjs_sanitize(text);

	gjs_buf_puts(out, clean);
	free(clean);
}

static void paint(gjs_buf *out, const gjs_report_options *opts, const char *color, const char *text)
{
	if (opts->color)
		gjs_buf_puts(out, color);
	put_clean(out, text);
	if (opts->color)
		gjs_buf_puts(out, RESET);
}

static void put_call(gjs_buf *out, const gjs_call_site *site, const gjs_catalog *catalog,
	const char *indent)
{
	gjs_buf_puts(out, indent);
	put_clean(out, site->file);
	gjs_buf_printf(out, ":%u  ", site->line);
	if (site->op_count) {
		gjs_report_operation_name(out, gjs_catalog_get(catalog, site->required_op));
		if (!site->method && site->op_count > 1)
			gjs_buf_printf(out, " (method unknown: %zu operations match)", site->op_count);
	} else {
		gjs_buf_puts(out, site->method ? site->method : "?");
		gjs_buf_putc(out, ' ');
		put_clean(out, site->path);
	}
	gjs_buf_putc(out, '\n');
}

static void put_scope_list(gjs_buf *out, const gjs_strvec *scopes)
{
	for (size_t i = 0; i < scopes->count; i++) {
		if (i)
			gjs_buf_puts(out, i + 1 == scopes->count ? " and " : ", ");
		put_clean(out, scopes->items[i]);
	}
}

/* Says what to declare for a missing call site. */
static void put_missing_advice(gjs_buf *out, const gjs_missing *missing, const char *indent)
{
	gjs_buf_puts(out, indent);
	if (missing->classic_alternative.count) {
		gjs_buf_puts(out, "declare ");
		put_scope_list(out, &missing->classic_alternative);
		if (missing->granular_absent.count) {
			gjs_buf_puts(out, ", or the granular ");
			put_scope_list(out, &missing->granular_absent);
		}
	} else if (missing->granular_absent.count) {
		gjs_buf_puts(out, "declare the granular ");
		put_scope_list(out, &missing->granular_absent);
		gjs_buf_puts(out, " (no classic scope allows this operation)");
	} else {
		gjs_buf_puts(out, "no OAuth scope allows this operation; a Connect app needs a higher "
				  "Connect scope");
	}
	gjs_buf_putc(out, '\n');
}

static void put_scope_refs(gjs_buf *out, const gjs_app *app, const size_t *indices, size_t count,
	const char *indent, const char *suffix)
{
	for (size_t i = 0; i < count; i++) {
		const gjs_declared_scope *scope = &app->decl->scopes[indices[i]];

		gjs_buf_puts(out, indent);
		put_clean(out, scope->scope);
		gjs_buf_puts(out, " (");
		put_clean(out, app->decl->path);
		gjs_buf_printf(out, ":%u)%s\n", scope->line, suffix);
	}
}

static void put_app_header(gjs_buf *out, const gjs_report_options *opts, const gjs_declaration *decl)
{
	gjs_buf_puts(out, "app ");
	paint(out, opts, BOLD, decl->path);
	gjs_buf_printf(out, " (%s)\n", gjs_declaration_kind_name(decl->kind));
	if (decl->error) {
		gjs_buf_puts(out, "  ");
		paint(out, opts, RED, "error: ");
		put_clean(out, decl->error);
		gjs_buf_putc(out, '\n');
	}
}

static void check_app_text(gjs_buf *out, const gjs_app *app, const gjs_catalog *catalog,
	const gjs_report_options *opts)
{
	bool unknown_method = false;

	put_app_header(out, opts, app->decl);
	if (app->decl->error)
		return;

	gjs_buf_puts(out, "  declared:");
	if (!app->decl->scope_count)
		gjs_buf_puts(out, " (none)");
	for (size_t i = 0; i < app->decl->scope_count; i++) {
		gjs_buf_puts(out, i ? ", " : " ");
		put_clean(out, app->decl->scopes[i].scope);
	}
	gjs_buf_putc(out, '\n');

	gjs_buf_printf(out, "  call sites: %zu\n", app->call_count);
	for (size_t i = 0; i < app->call_count; i++)
		if (app->calls[i].op_count && app->calls[i].method)
			put_call(out, &app->calls[i], catalog, "    ");
	for (size_t i = 0; i < app->call_count; i++)
		if (app->calls[i].op_count && !app->calls[i].method)
			unknown_method = true;
	if (unknown_method) {
		gjs_buf_puts(out, "  method unknown (counted as the least privileged operation):\n");
		for (size_t i = 0; i < app->call_count; i++)
			if (app->calls[i].op_count && !app->calls[i].method)
				put_call(out, &app->calls[i], catalog, "    ");
	}

	if (app->missing_count) {
		paint(out, opts, RED, "  missing:");
		gjs_buf_putc(out, '\n');
		for (size_t i = 0; i < app->missing_count; i++) {
			put_call(out, &app->calls[app->missing[i].call], catalog, "    ");
			put_missing_advice(out, &app->missing[i], "      ");
		}
	}
	if (app->unjustified_count) {
		paint(out, opts, YELLOW, "  unjustified (no call site needs them):");
		gjs_buf_putc(out, '\n');
		put_scope_refs(out, app, app->unjustified, app->unjustified_count, "    ", "");
	}
	if (app->unknown_count) {
		paint(out, opts, RED, "  unknown (Atlassian defines no such scope; check the spelling):");
		gjs_buf_putc(out, '\n');
		put_scope_refs(out, app, app->unknown, app->unknown_count, "    ", "");
	}
	if (app->not_checked_count) {
		gjs_buf_puts(out, "  not checked against calls (no REST operation needs them):\n");
		put_scope_refs(out, app, app->not_checked, app->not_checked_count, "    ", "");
	}
	if (app->unresolved_count) {
		gjs_buf_puts(out, "  unresolved (no catalog operation matches):\n");
		for (size_t i = 0; i < app->unresolved_count; i++)
			put_call(out, &app->calls[app->unresolved[i]], catalog, "    ");
	}
	if (app->apart_count) {
		gjs_buf_puts(out, "  own credentials (these calls do not use the declared scopes):\n");
		for (size_t i = 0; i < app->apart_count; i++)
			put_call(out, &app->apart[i], catalog, "    ");
	}
	if (!app->missing_count && !app->unjustified_count && !app->unknown_count)
		gjs_buf_puts(out, "  ok: every call site is covered and every scope is used\n");
}

int gjs_report_check_text(gjs_buf *out, const gjs_analysis *analysis, const gjs_catalog *catalog,
	const gjs_report_options *opts)
{
	if (!analysis->app_count)
		gjs_buf_puts(out, "no app declarations found (manifest.yml, atlassian-connect.json or "
				  ".jira-scopes)\n");
	for (size_t i = 0; i < analysis->app_count; i++) {
		if (i)
			gjs_buf_putc(out, '\n');
		check_app_text(out, &analysis->apps[i], catalog, opts);
	}
	if (analysis->orphan_count) {
		gjs_buf_puts(out, "\noutside every app (no declaration covers these files):\n");
		for (size_t i = 0; i < analysis->orphan_count; i++)
			put_call(out, &analysis->orphans[i], catalog, "  ");
	}
	if (analysis->skipped_blobs)
		gjs_buf_printf(out, "\n%zu source file%s not scanned: binary, larger than "
				    "jira-scopes.maxFileSize, or under a skipped path (jira-scopes.skip)\n",
			analysis->skipped_blobs, analysis->skipped_blobs == 1 ? "" : "s");
	return 0;
}

static void diff_added_entry_text(gjs_buf *out, const gjs_diff_app *entry,
	const gjs_added_scope *added, const gjs_catalog *catalog, const gjs_report_options *opts)
{
	gjs_buf_puts(out, "    ");
	paint(out, opts, GREEN, "+ ");
	paint(out, opts, added->broad_reason ? BOLD : GREEN, added->scope);
	gjs_buf_puts(out, " (");
	put_clean(out, entry->path);
	gjs_buf_printf(out, ":%u), newly allows %zu operation%s\n", added->line, added->new_operations,
		added->new_operations == 1 ? "" : "s");
	if (added->unknown) {
		gjs_buf_puts(out, "        ");
		paint(out, opts, RED, "unknown: ");
		gjs_buf_puts(out, "Atlassian defines no such scope; check the spelling\n");
	}
	if (added->broad_reason) {
		gjs_buf_puts(out, "        ");
		paint(out, opts, YELLOW, "broad: ");
		gjs_buf_puts(out, added->broad_reason);
		if (!added->new_operations)
			gjs_buf_puts(out, " (allows nothing new: no review needed)");
		else if (opts->trailer)
			gjs_buf_printf(out, "; needs a '%s: Name <email>' trailer from a reviewer",
				opts->trailer);
		gjs_buf_putc(out, '\n');
	}
	if (!added->justified_count)
		gjs_buf_puts(out, "        justified by: no call site\n");
	for (size_t j = 0; j < added->justified_count; j++)
		put_call(out, &entry->head->calls[added->justified_by[j]], catalog, "        justified by ");
}

/* Lists the added scopes, then the broad scopes that the change puts to new use. */
static void diff_added_text(gjs_buf *out, const gjs_diff_app *entry, const gjs_catalog *catalog,
	const gjs_report_options *opts)
{
	bool heading = false;

	for (size_t i = 0; i < entry->added_count; i++) {
		if (entry->added[i].previously_declared)
			continue;
		if (!heading)
			gjs_buf_puts(out, "  added:\n");
		heading = true;
		diff_added_entry_text(out, entry, &entry->added[i], catalog, opts);
	}
	heading = false;
	for (size_t i = 0; i < entry->added_count; i++) {
		if (!entry->added[i].previously_declared)
			continue;
		if (!heading)
			gjs_buf_puts(out, "  broad scopes put to new use (declared before, newly allowing "
					  "operations with the scopes this change adds):\n");
		heading = true;
		diff_added_entry_text(out, entry, &entry->added[i], catalog, opts);
	}
}

static void diff_app_text(gjs_buf *out, const gjs_diff_app *entry, const gjs_catalog *catalog,
	const gjs_report_options *opts)
{
	const gjs_declaration *decl = entry->head ? entry->head->decl : entry->base->decl;
	const char *error = entry->head && entry->head->decl->error ? entry->head->decl->error
			  : entry->base && entry->base->decl->error ? entry->base->decl->error
								     : NULL;

	gjs_buf_puts(out, "app ");
	paint(out, opts, BOLD, entry->path);
	gjs_buf_printf(out, " (%s)", gjs_declaration_kind_name(decl->kind));
	if (entry->change == GJS_APP_ADDED)
		gjs_buf_puts(out, ": new app");
	else if (entry->change == GJS_APP_REMOVED)
		gjs_buf_puts(out, ": app removed");
	gjs_buf_putc(out, '\n');
	if (error) {
		gjs_buf_puts(out, "  ");
		paint(out, opts, RED, "error: ");
		put_clean(out, error);
		gjs_buf_putc(out, '\n');
		return;
	}
	diff_added_text(out, entry, catalog, opts);
	if (entry->removed_count) {
		gjs_buf_puts(out, "  removed:\n");
		for (size_t i = 0; i < entry->removed_count; i++) {
			const gjs_removed_scope *removed = &entry->removed[i];

			gjs_buf_puts(out, "    ");
			paint(out, opts, RED, "- ");
			paint(out, opts, RED, removed->scope);
			gjs_buf_putc(out, '\n');
			for (size_t j = 0; j < removed->still_needed_count; j++)
				put_call(out, &entry->head->calls[removed->still_needed_by[j]], catalog,
					"        still needed by ");
		}
	}
	if (entry->newly_missing_count) {
		paint(out, opts, RED, "  newly missing:");
		gjs_buf_putc(out, '\n');
		for (size_t i = 0; i < entry->newly_missing_count; i++) {
			const gjs_missing *missing = &entry->head->missing[entry->newly_missing[i]];

			put_call(out, &entry->head->calls[missing->call], catalog, "    ");
			put_missing_advice(out, missing, "      ");
		}
	}
	if (entry->fixed_count) {
		gjs_buf_puts(out, "  fixed:\n");
		for (size_t i = 0; i < entry->fixed_count; i++) {
			const gjs_missing *missing = &entry->base->missing[entry->fixed[i]];

			put_call(out, &entry->base->calls[missing->call], catalog, "    ");
		}
	}
	if (entry->change == GJS_APP_CHANGED && entry->added_count && !entry->new_operations)
		gjs_buf_puts(out, "  access: unchanged (the new scopes allow no operation the old ones did not)\n");
}

int gjs_report_diff_text(gjs_buf *out, const gjs_diff *diff, const gjs_catalog *catalog,
	const gjs_report_options *opts)
{
	bool any = false;

	if (opts->base_label && opts->head_label)
		gjs_buf_printf(out, "scope changes from %s to %s\n\n", opts->base_label, opts->head_label);
	for (size_t i = 0; i < diff->app_count; i++) {
		if (!gjs_diff_app_has_changes(&diff->apps[i]))
			continue;
		if (any)
			gjs_buf_putc(out, '\n');
		diff_app_text(out, &diff->apps[i], catalog, opts);
		any = true;
	}
	if (!any)
		gjs_buf_puts(out, "no scope changes\n");
	return 0;
}

int gjs_report_check(gjs_buf *out, gjs_format format, const gjs_analysis *analysis,
	const gjs_catalog *catalog, const gjs_report_options *opts)
{
	switch (format) {
	case GJS_FORMAT_JSON:
		return gjs_report_check_json(out, analysis, catalog, opts);
	case GJS_FORMAT_MARKDOWN:
		return gjs_report_check_markdown(out, analysis, catalog, opts);
	default:
		return gjs_report_check_text(out, analysis, catalog, opts);
	}
}

int gjs_report_diff(gjs_buf *out, gjs_format format, const gjs_diff *diff,
	const gjs_catalog *catalog, const gjs_report_options *opts)
{
	switch (format) {
	case GJS_FORMAT_JSON:
		return gjs_report_diff_json(out, diff, catalog, opts);
	case GJS_FORMAT_MARKDOWN:
		return gjs_report_diff_markdown(out, diff, catalog, opts);
	default:
		return gjs_report_diff_text(out, diff, catalog, opts);
	}
}
