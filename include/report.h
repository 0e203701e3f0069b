/*
 * Report writers: text, JSON and Markdown for check and diff. They write
 * into a buffer; the front ends print it or send it.
 */
#ifndef GJS_REPORT_H
#define GJS_REPORT_H

#include <stdbool.h>

#include "analysis.h"
#include "catalog.h"
#include "common.h"
#include "diff.h"

typedef enum {
	GJS_FORMAT_TEXT = 0,
	GJS_FORMAT_JSON,
	GJS_FORMAT_MARKDOWN,
} gjs_format;

/* Parses "text", "json" or "markdown"; returns -1 for anything else. */
int gjs_format_parse(const char *name);

/* Review state of one added scope, filled by a front end that checks trailers. */
typedef struct {
	const char *decl_path;
	const char *scope;
	bool reviewed;
	const char *reviewer; /* when reviewed */
} gjs_report_review;

typedef struct {
	unsigned version;
	bool color;                  /* ANSI colour in text output */
	const char *base_label;      /* "main (1a2b3c4)" */
	const char *head_label;
	const char *link_prefix;     /* Markdown: URL that file paths are appended to, or NULL */
	const char *link_line_format;/* Markdown: line anchor, "#L%u" (GitHub) or "#lines-%u" */
	const char *trailer;         /* the review trailer key to suggest */
	const gjs_report_review *reviews;
	size_t review_count;
	size_t max_chars;            /* cut the report there with a note; 0: no limit */
} gjs_report_options;
#define GJS_REPORT_OPTIONS_VERSION 1
#define GJS_REPORT_OPTIONS_INIT { GJS_REPORT_OPTIONS_VERSION, false, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0 }

int gjs_report_check(gjs_buf *out, gjs_format format, const gjs_analysis *analysis,
	const gjs_catalog *catalog, const gjs_report_options *opts);
int gjs_report_diff(gjs_buf *out, gjs_format format, const gjs_diff *diff,
	const gjs_catalog *catalog, const gjs_report_options *opts);

/* Writes untrusted text as a Markdown inline code span, where Markdown,
 * HTML, mentions and autolinks do nothing; safe inside table cells. */
void gjs_report_markdown_code(gjs_buf *out, const char *text);

/* Formats "METHOD /rest/..." of an operation into `out`. */
void gjs_report_operation_name(gjs_buf *out, const gjs_operation *op);

/* The writers behind gjs_report_check() and gjs_report_diff(), one per format. */
int gjs_report_check_json(gjs_buf *out, const gjs_analysis *analysis, const gjs_catalog *catalog,
	const gjs_report_options *opts);
int gjs_report_diff_json(gjs_buf *out, const gjs_diff *diff, const gjs_catalog *catalog,
	const gjs_report_options *opts);
int gjs_report_check_text(gjs_buf *out, const gjs_analysis *analysis, const gjs_catalog *catalog,
	const gjs_report_options *opts);
int gjs_report_check_markdown(gjs_buf *out, const gjs_analysis *analysis, const gjs_catalog *catalog,
	const gjs_report_options *opts);
int gjs_report_diff_text(gjs_buf *out, const gjs_diff *diff, const gjs_catalog *catalog,
	const gjs_report_options *opts);
int gjs_report_diff_markdown(gjs_buf *out, const gjs_diff *diff, const gjs_catalog *catalog,
	const gjs_report_options *opts);

#endif
