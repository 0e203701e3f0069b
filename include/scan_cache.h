/*
 * The per-run cache of scan results, keyed by blob id and language.
 */
#ifndef GJS_SCAN_CACHE_H
#define GJS_SCAN_CACHE_H

#include <git2.h>

#include "analysis.h"
#include "scanner.h"

/* Returns the cached result (borrowed from the cache), or NULL. */
const gjs_scan_result *gjs_scan_cache_get(const gjs_scan_cache *cache, const git_oid *id,
	gjs_language language);
/* Moves `result` into the cache and returns the cached copy (borrowed). */
const gjs_scan_result *gjs_scan_cache_put(gjs_scan_cache *cache, const git_oid *id,
	gjs_language language, gjs_scan_result *result);

#endif
