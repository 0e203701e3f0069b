/*
 * Markdown reports: the body of the pull request comment, and a Markdown
 * form of check. Every piece of text from the repository is escaped, so a
 * file name cannot inject links, HTML or table cells into the comment.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "report.h"

/*
 * Writes untrusted text as an inline code span, where Markdown, HTML,
 * mentions and autolinks have no effect. The fence is one backtick longer
 * than the longest run inside, as CommonMark requires, and '|' is escaped
 * so that the span cannot end a table cell (GitHub reads "\|" as a pipe).
 */
void gjs_report_markdown_code(gjs_buf *out, const char *text)
{
	size_t longest = 0;
	size_t run = 0;

	for (const char *p = text; *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	for (size_t i = 0; i <= longest; i++)
		gjs_buf_putc(out, '`');
	if (text[0] == '`' || (*text && text[strlen(text) - 1] == '`'))
		gjs_buf_putc(out, ' ');
	for (const char *p = text; *p; p++) {
		unsigned char c = (unsigned char)*p;
		size_t bidi = gjs_bidi_control_length(p);

		if (bidi) {
			gjs_buf_putc(out, '?');
			p += bidi - 1;
		} else if (c < 0x20 || c == 0x7f) {
			gjs_buf_putc(out, ' ');
		} else if (c == '|') {
			gjs_buf_puts(out, "\\|");
		} else {
			gjs_buf_putc(out, (char)c);
		}
	}
	if (text[0] == '`' || (*text && text[strlen(text) - 1] == '`'))
		gjs_buf_putc(out, ' ');
	for (size_t i = 0; i <= longest; i++)
		gjs_buf_putc(out, '`');
}

/* Percent-encodes a path for a URL, keeping '/' and unreserved characters. */
static void put_url_path(gjs_buf *out, const char *path)
{
	for (const char *p = path; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    strchr("/-._~", c))
			gjs_buf_putc(out, (char)c);
		else
			gjs_buf_printf(out, "%%%02X", c);
	}
}

static void put_location(gjs_buf *out, const gjs_call_site *site, const gjs_report_options *opts)
{
	gjs_buf location = GJS_BUF_INIT;

	gjs_buf_printf(&location, "%s:%u", site->file, site->line);
	if (!opts->link_prefix) {
		gjs_report_markdown_code(out, location.ptr);
		gjs_buf_free(&location);
		return;
	}
	gjs_buf_putc(out, '[');
	gjs_report_markdown_code(out, location.ptr);
	gjs_buf_printf(out, "](%s", opts->link_prefix);
	put_url_path(out, site->file);
	if (opts->link_line_format) {
		/* The format is the front end's constant, such as "#L%u". */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		gjs_buf_printf(out, opts->link_line_format, site->line);
#pragma GCC diagnostic pop
	}
	gjs_buf_putc(out, ')');
	gjs_buf_free(&location);
}

static void put_operation(gjs_buf *out, const gjs_call_site *site, const gjs_catalog *catalog)
{
	gjs_buf name = GJS_BUF_INIT;

	if (site->op_count)
		gjs_report_operation_name(&name, gjs_catalog_get(catalog, site->required_op));
	else
		gjs_buf_printf(&name, "%s %s", site->method ? site->method : "?", site->path);
	gjs_report_markdown_code(out, name.ptr);
	if (!site->method && site->op_count > 1)
		gjs_buf_printf(out, " (method unknown, %zu operations match)", site->op_count);
	gjs_buf_free(&name);
}

static void put_call_item(gjs_buf *out, const gjs_call_site *site, const gjs_catalog *catalog,
	const gjs_report_options *opts, const char *indent)
{
	gjs_buf_printf(out, "%s- ", indent);
	put_location(out, site, opts);
	gjs_buf_puts(out, ": ");
	put_operation(out, site, catalog);
	gjs_buf_putc(out, '\n');
}

/* Says how many items of a list were left out to fit the comment. */
static void put_more(gjs_buf *out, size_t shown, size_t total, const char *indent)
{
	if (shown < total)
		gjs_buf_printf(out, "%s- and %zu more call site%s\n", indent, total - shown,
			total - shown == 1 ? "" : "s");
}

static void put_scopes_md(gjs_buf *out, const gjs_strvec *scopes)
{
	for (size_t i = 0; i < scopes->count; i++) {
		if (i)
			gjs_buf_puts(out, ", ");
		gjs_report_markdown_code(out, scopes->items[i]);
	}
}

static void put_missing_md(gjs_buf *out, const gjs_app *app, const gjs_missing *missing,
	const gjs_catalog *catalog, const gjs_report_options *opts)
{
	put_call_item(out, &app->calls[missing->call], catalog, opts, "");
	gjs_buf_puts(out, "  needs ");
	if (missing->classic_alternative.count) {
		put_scopes_md(out, &missing->classic_alternative);
		if (missing->granular_absent.count) {
			gjs_buf_puts(out, ", or the granular ");
			put_scopes_md(out, &missing->granular_absent);
		}
	} else if (missing->granular_absent.count) {
		gjs_buf_puts(out, "the granular ");
		put_scopes_md(out, &missing->granular_absent);
	} else {
		gjs_buf_puts(out, "a higher Connect scope");
	}
	gjs_buf_putc(out, '\n');
}

static const gjs_report_review *find_review(const gjs_report_options *opts, const char *path,
	const char *scope)
{
	for (size_t i = 0; i < opts->review_count; i++)
		if (!strcmp(opts->reviews[i].decl_path, path) && !strcmp(opts->reviews[i].scope, scope))
			return &opts->reviews[i];
	return NULL;
}

static const char *app_error(const gjs_diff_app *entry)
{
	if (entry->head && entry->head->decl->error)
		return entry->head->decl->error;
	if (entry->base && entry->base->decl->error)
		return entry->base->decl->error;
	return NULL;
}

/* Writes the table of added scopes; returns whether one still needs review. */
static bool put_added_table(gjs_buf *out, const gjs_diff_app *entry, const gjs_report_options *opts)
{
	bool needs_review = false;

	gjs_buf_puts(out, "| Added scope | Broad | New operations | Review |\n|---|---|---|---|\n");
	for (size_t i = 0; i < entry->added_count; i++) {
		const gjs_added_scope *added = &entry->added[i];
		const gjs_report_review *review = find_review(opts, entry->path, added->scope);

		gjs_buf_puts(out, "| ");
		gjs_report_markdown_code(out, added->scope);
		if (added->previously_declared)
			gjs_buf_puts(out, " (declared before, put to new use)");
		if (added->unknown)
			gjs_buf_puts(out, " (unknown scope: check the spelling)");
		gjs_buf_printf(out, " | %s | %zu | ", added->broad_reason ? "**yes**" : "no",
			added->new_operations);
		if (!gjs_added_needs_review(added)) {
			gjs_buf_puts(out, "not needed");
		} else if (review && review->reviewed) {
			gjs_buf_puts(out, "reviewed by ");
			gjs_report_markdown_code(out, review->reviewer ? review->reviewer : "a reviewer");
		} else {
			gjs_buf_puts(out, "**needed**");
			needs_review = true;
		}
		gjs_buf_puts(out, " |\n");
	}
	gjs_buf_putc(out, '\n');
	return needs_review;
}

/*
 * Writes one app's changes. Lists of call sites show at most `call_limit`
 * entries each, so that a long report can be shortened without losing any
 * app or scope.
 */
static bool diff_app_markdown(gjs_buf *out, const gjs_diff_app *entry, const gjs_catalog *catalog,
	const gjs_report_options *opts, size_t call_limit)
{
	const char *error = app_error(entry);
	bool needs_review = false;

	gjs_buf_puts(out, "#### ");
	gjs_report_markdown_code(out, entry->path);
	gjs_buf_printf(out, " (%s)", gjs_declaration_kind_name(entry->kind));
	if (entry->change == GJS_APP_ADDED)
		gjs_buf_puts(out, ", new app");
	else if (entry->change == GJS_APP_REMOVED)
		gjs_buf_puts(out, ", app removed");
	gjs_buf_puts(out, "\n\n");
	if (error) {
		gjs_buf_puts(out, "**Error:** ");
		gjs_report_markdown_code(out, error);
		gjs_buf_puts(out, "\n\n");
		return false;
	}

	if (entry->added_count) {
		needs_review = put_added_table(out, entry, opts);
		for (size_t i = 0; i < entry->added_count; i++) {
			const gjs_added_scope *added = &entry->added[i];
			size_t shown = added->justified_count < call_limit ? added->justified_count : call_limit;

			gjs_buf_puts(out, "Call sites that need ");
			gjs_report_markdown_code(out, added->scope);
			gjs_buf_puts(out, added->justified_count ? ":\n" : ": none\n");
			for (size_t j = 0; j < shown; j++)
				put_call_item(out, &entry->head->calls[added->justified_by[j]], catalog, opts, "");
			put_more(out, shown, added->justified_count, "");
			gjs_buf_putc(out, '\n');
		}
	}

	if (entry->removed_count) {
		gjs_buf_puts(out, "Removed scopes:\n");
		for (size_t i = 0; i < entry->removed_count; i++) {
			const gjs_removed_scope *removed = &entry->removed[i];
			size_t total = removed->still_needed_count;
			size_t shown = total < call_limit ? total : call_limit;

			gjs_buf_puts(out, "- ");
			gjs_report_markdown_code(out, removed->scope);
			gjs_buf_puts(out, total ? ", **still needed by:**\n" : "\n");
			for (size_t j = 0; j < shown; j++)
				put_call_item(out, &entry->head->calls[removed->still_needed_by[j]], catalog,
					opts, "  ");
			put_more(out, shown, total, "  ");
		}
		gjs_buf_putc(out, '\n');
	}

	if (entry->newly_missing_count) {
		size_t total = entry->newly_missing_count;
		size_t shown = total < call_limit ? total : call_limit;

		gjs_buf_puts(out, "**Newly missing scopes** (these calls will fail with 401 or 403):\n");
		for (size_t i = 0; i < shown; i++)
			put_missing_md(out, entry->head, &entry->head->missing[entry->newly_missing[i]],
				catalog, opts);
		put_more(out, shown, total, "");
		gjs_buf_putc(out, '\n');
	}
	if (entry->fixed_count)
		gjs_buf_printf(out, "Fixed: %zu call site%s that lacked a scope now %s covered.\n\n",
			entry->fixed_count, entry->fixed_count == 1 ? "" : "s",
			entry->fixed_count == 1 ? "is" : "are");
	return needs_review;
}

/* Writes the whole diff report with call-site lists cut to `call_limit`;
 * returns whether a broad scope still needs review. */
static bool diff_markdown_body(gjs_buf *out, const gjs_diff *diff, const gjs_catalog *catalog,
	const gjs_report_options *opts, size_t call_limit)
{
	bool any = false;
	bool needs_review = false;

	gjs_buf_puts(out, "### Jira scope changes\n\n");
	if (opts->base_label && opts->head_label) {
		gjs_buf_puts(out, "From ");
		gjs_report_markdown_code(out, opts->base_label);
		gjs_buf_puts(out, " to ");
		gjs_report_markdown_code(out, opts->head_label);
		gjs_buf_puts(out, ".\n\n");
	}
	for (size_t i = 0; i < diff->app_count; i++) {
		if (!gjs_diff_app_has_changes(&diff->apps[i]))
			continue;
		needs_review |= diff_app_markdown(out, &diff->apps[i], catalog, opts, call_limit);
		any = true;
	}
	if (!any)
		gjs_buf_puts(out, "No scope changes.\n");
	return needs_review;
}

/*
 * Cuts the report that starts at `start` at a line boundary so that, with a
 * note and then `tail`, it fits `max_chars`. The tail (the review request)
 * is what a reader must not lose, so it is never cut.
 */
static void cut_to_limit(gjs_buf *out, size_t start, size_t max_chars, const char *tail)
{
	static const char note[] =
		"\n*This report was cut to fit the comment size limit. Run "
		"`git jira-scopes diff` locally for the full report.*\n\n";
	size_t tail_len = strlen(tail);
	size_t cut;

	if (!max_chars || out->len - start + tail_len <= max_chars ||
	    max_chars <= sizeof(note) + tail_len) {
		gjs_buf_puts(out, tail);
		return;
	}
	cut = start + (max_chars - sizeof(note) - tail_len);
	while (cut > start && out->ptr[cut] != '\n')
		cut--;
	out->len = cut;
	out->ptr[cut] = '\0';
	gjs_buf_puts(out, "\n");
	gjs_buf_puts(out, note);
	gjs_buf_puts(out, tail);
}

/*
 * Writes the diff as Markdown. When opts->max_chars is set and the report
 * is longer, the call-site lists are shortened first (to 20, 5, then no
 * entries each), so every app and scope stays; only when that is not
 * enough is the text cut, and the review request is kept after the cut.
 */
int gjs_report_diff_markdown(gjs_buf *out, const gjs_diff *diff, const gjs_catalog *catalog,
	const gjs_report_options *opts)
{
	static const size_t call_limits[] = { SIZE_MAX, 20, 5, 0 };
	size_t count = sizeof(call_limits) / sizeof(*call_limits);
	gjs_buf body = GJS_BUF_INIT;
	gjs_buf tail = GJS_BUF_INIT;
	bool needs_review = false;

	for (size_t i = 0; i < count; i++) {
		gjs_buf_clear(&body);
		needs_review = diff_markdown_body(&body, diff, catalog, opts, call_limits[i]);
		gjs_buf_clear(&tail);
		if (needs_review)
			gjs_buf_printf(&tail, "**Review needed:** a broad scope is added. A reviewer allowed "
					      "by the policy, who did not author the change, adds this trailer "
					      "to a commit of the request:\n\n```\n%s: Name <email>\n```\n",
				opts->trailer ? opts->trailer : "Scopes-Reviewed-by");
		if (!opts->max_chars || body.len + tail.len <= opts->max_chars)
			break;
	}
	if (opts->max_chars && body.len + tail.len > opts->max_chars) {
		size_t start = out->len;

		gjs_buf_put(out, gjs_buf_cstr(&body), body.len);
		cut_to_limit(out, start, opts->max_chars, gjs_buf_cstr(&tail));
	} else {
		gjs_buf_put(out, gjs_buf_cstr(&body), body.len);
		gjs_buf_put(out, gjs_buf_cstr(&tail), tail.len);
	}
	gjs_buf_free(&body);
	gjs_buf_free(&tail);
	return 0;
}

int gjs_report_check_markdown(gjs_buf *out, const gjs_analysis *analysis, const gjs_catalog *catalog,
	const gjs_report_options *opts)
{
	size_t start = out->len;

	gjs_buf_puts(out, "### Jira scopes\n\n");
	for (size_t a = 0; a < analysis->app_count; a++) {
		const gjs_app *app = &analysis->apps[a];

		gjs_buf_puts(out, "#### ");
		gjs_report_markdown_code(out, app->decl->path);
		gjs_buf_printf(out, " (%s)\n\n", gjs_declaration_kind_name(app->decl->kind));
		if (app->decl->error) {
			gjs_buf_puts(out, "**Error:** ");
			gjs_report_markdown_code(out, app->decl->error);
			gjs_buf_puts(out, "\n\n");
			continue;
		}
		gjs_buf_printf(out, "%zu declared scopes, %zu call sites.\n\n", app->decl->scope_count,
			app->call_count);
		if (app->missing_count) {
			gjs_buf_puts(out, "**Missing:**\n");
			for (size_t i = 0; i < app->missing_count; i++)
				put_missing_md(out, app, &app->missing[i], catalog, opts);
			gjs_buf_putc(out, '\n');
		}
		if (app->unjustified_count) {
			gjs_buf_puts(out, "**Unjustified:**");
			for (size_t i = 0; i < app->unjustified_count; i++) {
				gjs_buf_puts(out, i ? ", " : " ");
				gjs_report_markdown_code(out, app->decl->scopes[app->unjustified[i]].scope);
			}
			gjs_buf_puts(out, "\n\n");
		}
		if (app->unknown_count) {
			gjs_buf_puts(out, "**Unknown:**");
			for (size_t i = 0; i < app->unknown_count; i++) {
				gjs_buf_puts(out, i ? ", " : " ");
				gjs_report_markdown_code(out, app->decl->scopes[app->unknown[i]].scope);
			}
			gjs_buf_puts(out, "\n\n");
		}
		if (app->unresolved_count) {
			gjs_buf_puts(out, "Unresolved:\n");
			for (size_t i = 0; i < app->unresolved_count; i++)
				put_call_item(out, &app->calls[app->unresolved[i]], catalog, opts, "");
			gjs_buf_putc(out, '\n');
		}
	}
	cut_to_limit(out, start, opts->max_chars, "");
	return 0;
}
