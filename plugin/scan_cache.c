/*
 * Scan results cached by blob id, so that a diff or a history walk reads and
 * scans each blob once per run. An open-addressing hash table keyed by the
 * object id and the language the blob was scanned as (one blob can appear
 * under two file names with different extensions).
 */
#include "scan_cache.h"

#include <stdlib.h>
#include <string.h>

struct cache_entry {
	git_oid id;
	gjs_language language;
	bool used;
	gjs_scan_result result;
};

struct gjs_scan_cache {
	struct cache_entry *entries;
	size_t capacity; /* a power of two */
	size_t count;
};

gjs_scan_cache *gjs_scan_cache_new(void)
{
	gjs_scan_cache *cache = gjs_xcalloc(1, sizeof(*cache));

	cache->capacity = 1024;
	cache->entries = gjs_xcalloc(cache->capacity, sizeof(*cache->entries));
	return cache;
}

void gjs_scan_cache_free(gjs_scan_cache *cache)
{
	if (!cache)
		return;
	for (size_t i = 0; i < cache->capacity; i++)
		if (cache->entries[i].used)
			gjs_scan_result_free(&cache->entries[i].result);
	free(cache->entries);
	free(cache);
}

static size_t slot_of(const gjs_scan_cache *cache, const git_oid *id, gjs_language language)
{
	size_t hash;

	/* Object ids are already uniformly distributed. */
	memcpy(&hash, id->id, sizeof(hash));
	hash ^= (size_t)language * 0x9e3779b97f4a7c15ull;
	return hash & (cache->capacity - 1);
}

static struct cache_entry *probe(const gjs_scan_cache *cache, const git_oid *id,
	gjs_language language)
{
	size_t slot = slot_of(cache, id, language);

	for (;;) {
		struct cache_entry *entry = &cache->entries[slot];

		if (!entry->used ||
		    (entry->language == language && git_oid_equal(&entry->id, id)))
			return entry;
		slot = (slot + 1) & (cache->capacity - 1);
	}
}

const gjs_scan_result *gjs_scan_cache_get(const gjs_scan_cache *cache, const git_oid *id,
	gjs_language language)
{
	struct cache_entry *entry = probe(cache, id, language);

	return entry->used ? &entry->result : NULL;
}

static void grow(gjs_scan_cache *cache)
{
	struct cache_entry *old = cache->entries;
	size_t old_capacity = cache->capacity;

	cache->capacity *= 2;
	cache->entries = gjs_xcalloc(cache->capacity, sizeof(*cache->entries));
	for (size_t i = 0; i < old_capacity; i++) {
		if (!old[i].used)
			continue;
		*probe(cache, &old[i].id, old[i].language) = old[i];
	}
	free(old);
}

const gjs_scan_result *gjs_scan_cache_put(gjs_scan_cache *cache, const git_oid *id,
	gjs_language language, gjs_scan_result *result)
{
	struct cache_entry *entry;

	/* Keep the load factor under one half so that probes stay short. */
	if ((cache->count + 1) * 2 > cache->capacity)
		grow(cache);
	entry = probe(cache, id, language);
	if (entry->used) {
		gjs_scan_result_free(result);
		return &entry->result;
	}
	entry->used = true;
	git_oid_cpy(&entry->id, id);
	entry->language = language;
	entry->result = *result;
	memset(result, 0, sizeof(*result));
	cache->count++;
	return &entry->result;
}
