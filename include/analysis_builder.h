/*
 * Assembly of an analysis from files fed one at a time. The tree walk, the
 * working-tree walk and unit tests feed it; it owns app assignment, catalog
 * matching and findings.
 */
#ifndef GJS_ANALYSIS_BUILDER_H
#define GJS_ANALYSIS_BUILDER_H

#include "analysis.h"

typedef struct gjs_analysis_builder gjs_analysis_builder;

gjs_analysis_builder *gjs_analysis_builder_new(const gjs_analysis_options *opts);
void gjs_analysis_builder_free(gjs_analysis_builder *builder);

/*
 * Tells whether a path is a source file to scan: a known language, not under
 * a skipped glob (unless a scan glob names it). Sets `*language`, and counts
 * a source file that a glob skips.
 */
bool gjs_analysis_builder_wants(gjs_analysis_builder *builder, const char *path,
	gjs_language *language);
/* The size limit in bytes above which a file is skipped. */
size_t gjs_analysis_builder_max_size(const gjs_analysis_builder *builder);
/* Counts a file that was skipped for its size or content. */
void gjs_analysis_builder_skip(gjs_analysis_builder *builder);

int gjs_analysis_builder_add_declaration(gjs_analysis_builder *builder, const char *path,
	const char *data, size_t len);
/* Scans a file (or takes its result from the cache when `id` is given). */
int gjs_analysis_builder_add_source(gjs_analysis_builder *builder, const char *path,
	gjs_language language, const char *data, size_t len, const git_oid *id);
/* Adds a file whose scan result is already cached; false when it is not. */
bool gjs_analysis_builder_add_cached(gjs_analysis_builder *builder, const char *path,
	gjs_language language, const git_oid *id);
/* Finishes the analysis and frees the builder. */
int gjs_analysis_builder_finish(gjs_analysis_builder *builder, gjs_analysis **out);

/* Reports whether the data looks binary: a NUL byte in its first 8000 bytes, as git decides. */
bool gjs_looks_binary(const char *data, size_t len);

#endif
