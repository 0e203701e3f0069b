/*
 * Shared plumbing for every module: error codes, the last-error slot,
 * allocation helpers that abort on exhaustion, growable strings and
 * string vectors.
 */
#ifndef GJS_COMMON_H
#define GJS_COMMON_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#define GJS_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))

/* Error codes: 0 is success, every failure is negative. */
enum {
	GJS_OK = 0,
	GJS_ERROR = -1,     /* generic failure, detail in gjs_error_last() */
	GJS_ENOTFOUND = -3, /* a revision, object, file or key does not exist */
	GJS_EINVALID = -4,  /* malformed input (YAML, JSON, config, spec) */
	GJS_ETIMEOUT = -6,  /* a time budget was spent */
	GJS_ENETWORK = -7,  /* an HTTP request failed */
};

/*
 * Records the detail of the most recent failure. Only front ends print it.
 * The slot is per thread; the program is single-threaded.
 */
void gjs_error_set(const char *fmt, ...) GJS_PRINTF(1, 2);
/* Copies libgit2's last error into the slot, prefixed by `what`. */
void gjs_error_set_git(const char *what);
const char *gjs_error_last(void);
void gjs_error_clear(void);

/*
 * Allocation helpers. Running out of memory aborts the process, as git
 * does: no caller could do anything useful with a half-built analysis.
 */
void *gjs_xmalloc(size_t size);
void *gjs_xcalloc(size_t count, size_t size);
void *gjs_xrealloc(void *ptr, size_t size);
char *gjs_xstrdup(const char *s);
char *gjs_xstrndup(const char *s, size_t len);
/* Grows `*items` (of `*alloc` elements of `size` bytes) to hold `need`. */
void gjs_grow(void **items, size_t *alloc, size_t need, size_t size);
#define GJS_GROW(array, alloc, need) \
	gjs_grow((void **)&(array), &(alloc), (need), sizeof(*(array)))

/* A growable NUL-terminated byte string. GJS_BUF_INIT is an empty buffer. */
typedef struct {
	char *ptr;
	size_t len;
	size_t alloc;
} gjs_buf;
#define GJS_BUF_INIT { NULL, 0, 0 }

void gjs_buf_put(gjs_buf *buf, const char *data, size_t len);
void gjs_buf_puts(gjs_buf *buf, const char *s);
void gjs_buf_putc(gjs_buf *buf, char c);
void gjs_buf_printf(gjs_buf *buf, const char *fmt, ...) GJS_PRINTF(2, 3);
void gjs_buf_vprintf(gjs_buf *buf, const char *fmt, va_list ap);
/* Returns the contents, never NULL: "" for an empty buffer. */
const char *gjs_buf_cstr(const gjs_buf *buf);
/* Hands the contents to the caller and resets the buffer. */
char *gjs_buf_detach(gjs_buf *buf);
void gjs_buf_clear(gjs_buf *buf);
void gjs_buf_free(gjs_buf *buf);

/* A growable array of owned strings. */
typedef struct {
	char **items;
	size_t count;
	size_t alloc;
} gjs_strvec;
#define GJS_STRVEC_INIT { NULL, 0, 0 }

void gjs_strvec_push(gjs_strvec *vec, const char *s);
void gjs_strvec_pushn(gjs_strvec *vec, const char *s, size_t len);
bool gjs_strvec_contains(const gjs_strvec *vec, const char *s);
/* Sorts with strcmp and removes duplicates. */
void gjs_strvec_sort_unique(gjs_strvec *vec);
void gjs_strvec_clear(gjs_strvec *vec);

/* Returns the length of a Unicode bidirectional control character (LRM,
 * RLM, U+202A to U+202E, U+2066 to U+2069) at the start of a NUL-terminated
 * `text`, or 0. Such characters make text show in another order. */
size_t gjs_bidi_control_length(const char *text);

/* Replaces control characters (but tab), C1 controls and Unicode
 * bidirectional controls with '?' so that text from files, commits or HTTP
 * responses cannot drive a terminal or reorder a line. Returns a new string. */
char *gjs_sanitize(const char *s);

/*
 * Matches a path against a config glob. '*' crosses '/', a pattern ending in
 * '/' matches that folder at any depth, and a pattern without '/' matches
 * the base name, as in .gitignore.
 */
bool gjs_glob_match(const char *pattern, const char *path);

#endif
