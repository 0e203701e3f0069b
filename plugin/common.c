/*
 * Shared plumbing: the last-error slot, allocation helpers, growable
 * buffers and string vectors, and small text helpers used by every module.
 */
#include "common.h"

#include <ctype.h>
#include <fnmatch.h>
#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char last_error[1024];

void gjs_error_set(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
}

void gjs_error_set_git(const char *what)
{
	const git_error *err = git_error_last();

	gjs_error_set("%s: %s", what, err && err->message ? err->message : "unknown libgit2 error");
}

const char *gjs_error_last(void)
{
	return last_error[0] ? last_error : "unknown error";
}

void gjs_error_clear(void)
{
	last_error[0] = '\0';
}

static void out_of_memory(size_t size)
{
	fprintf(stderr, "fatal: out of memory allocating %zu bytes\n", size);
	abort();
}

void *gjs_xmalloc(size_t size)
{
	void *ptr = malloc(size ? size : 1);

	if (!ptr)
		out_of_memory(size);
	return ptr;
}

void *gjs_xcalloc(size_t count, size_t size)
{
	void *ptr = calloc(count ? count : 1, size ? size : 1);

	if (!ptr)
		out_of_memory(count * size);
	return ptr;
}

void *gjs_xrealloc(void *ptr, size_t size)
{
	void *grown = realloc(ptr, size ? size : 1);

	if (!grown)
		out_of_memory(size);
	return grown;
}

char *gjs_xstrdup(const char *s)
{
	return gjs_xstrndup(s, strlen(s));
}

char *gjs_xstrndup(const char *s, size_t len)
{
	char *copy = gjs_xmalloc(len + 1);

	memcpy(copy, s, len);
	copy[len] = '\0';
	return copy;
}

void gjs_grow(void **items, size_t *alloc, size_t need, size_t size)
{
	size_t grown;

	if (need <= *alloc)
		return;
	grown = *alloc ? *alloc : 8;
	while (grown < need)
		grown = grown / 2 * 3 + 8;
	*items = gjs_xrealloc(*items, grown * size);
	*alloc = grown;
}

void gjs_buf_put(gjs_buf *buf, const char *data, size_t len)
{
	GJS_GROW(buf->ptr, buf->alloc, buf->len + len + 1);
	memcpy(buf->ptr + buf->len, data, len);
	buf->len += len;
	buf->ptr[buf->len] = '\0';
}

void gjs_buf_puts(gjs_buf *buf, const char *s)
{
	gjs_buf_put(buf, s, strlen(s));
}

void gjs_buf_putc(gjs_buf *buf, char c)
{
	gjs_buf_put(buf, &c, 1);
}

void gjs_buf_vprintf(gjs_buf *buf, const char *fmt, va_list ap)
{
	va_list copy;
	int needed;

	va_copy(copy, ap);
	needed = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (needed < 0)
		return;
	GJS_GROW(buf->ptr, buf->alloc, buf->len + (size_t)needed + 1);
	vsnprintf(buf->ptr + buf->len, (size_t)needed + 1, fmt, ap);
	buf->len += (size_t)needed;
}

void gjs_buf_printf(gjs_buf *buf, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	gjs_buf_vprintf(buf, fmt, ap);
	va_end(ap);
}

const char *gjs_buf_cstr(const gjs_buf *buf)
{
	return buf->ptr ? buf->ptr : "";
}

char *gjs_buf_detach(gjs_buf *buf)
{
	char *data = buf->ptr ? buf->ptr : gjs_xstrdup("");

	buf->ptr = NULL;
	buf->len = buf->alloc = 0;
	return data;
}

void gjs_buf_clear(gjs_buf *buf)
{
	buf->len = 0;
	if (buf->ptr)
		buf->ptr[0] = '\0';
}

void gjs_buf_free(gjs_buf *buf)
{
	if (!buf)
		return;
	free(buf->ptr);
	buf->ptr = NULL;
	buf->len = buf->alloc = 0;
}

void gjs_strvec_pushn(gjs_strvec *vec, const char *s, size_t len)
{
	GJS_GROW(vec->items, vec->alloc, vec->count + 1);
	vec->items[vec->count++] = gjs_xstrndup(s, len);
}

void gjs_strvec_push(gjs_strvec *vec, const char *s)
{
	gjs_strvec_pushn(vec, s, strlen(s));
}

bool gjs_strvec_contains(const gjs_strvec *vec, const char *s)
{
	for (size_t i = 0; i < vec->count; i++)
		if (!strcmp(vec->items[i], s))
			return true;
	return false;
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void gjs_strvec_sort_unique(gjs_strvec *vec)
{
	size_t kept = 0;

	if (!vec->count)
		return;
	qsort(vec->items, vec->count, sizeof(*vec->items), compare_strings);
	for (size_t i = 0; i < vec->count; i++) {
		if (kept && !strcmp(vec->items[kept - 1], vec->items[i])) {
			free(vec->items[i]);
			continue;
		}
		vec->items[kept++] = vec->items[i];
	}
	vec->count = kept;
}

void gjs_strvec_clear(gjs_strvec *vec)
{
	if (!vec)
		return;
	for (size_t i = 0; i < vec->count; i++)
		free(vec->items[i]);
	free(vec->items);
	vec->items = NULL;
	vec->count = vec->alloc = 0;
}

size_t gjs_bidi_control_length(const char *text)
{
	const unsigned char *p = (const unsigned char *)text;

	if (p[0] != 0xe2)
		return 0;
	if (p[1] == 0x80 && (p[2] == 0x8e || p[2] == 0x8f || (p[2] >= 0xaa && p[2] <= 0xae)))
		return 3;
	if (p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9)
		return 3;
	return 0;
}

/* Returns the length of a UTF-8 sequence at `p` that a terminal would act
 * on: a C1 control (U+0080 to U+009F, such as CSI) or a bidirectional
 * control; 0 for other text. */
static size_t terminal_control_length(const char *p)
{
	if ((unsigned char)p[0] == 0xc2 && (unsigned char)p[1] >= 0x80 && (unsigned char)p[1] <= 0x9f)
		return 2;
	return gjs_bidi_control_length(p);
}

char *gjs_sanitize(const char *s)
{
	gjs_buf clean = GJS_BUF_INIT;

	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;
		size_t control = terminal_control_length(p);

		if (control) {
			gjs_buf_putc(&clean, '?');
			p += control - 1;
		} else if ((c < 0x20 && c != '\t') || c == 0x7f) {
			gjs_buf_putc(&clean, '?');
		} else {
			gjs_buf_putc(&clean, (char)c);
		}
	}
	return gjs_buf_detach(&clean);
}

bool gjs_glob_match(const char *pattern, const char *path)
{
	size_t len = strlen(pattern);

	if (len && pattern[len - 1] == '/') {
		/* A folder pattern: "vendor/" matches vendor/x and a/vendor/x. */
		const char *hit = path;

		if (!fnmatch(pattern, "", 0))
			return true;
		while (hit) {
			if (!strncmp(hit, pattern, len) ||
			    (strchr(pattern, '*') && !fnmatch(pattern, hit, FNM_LEADING_DIR)))
				return true;
			hit = strchr(hit, '/');
			if (hit)
				hit++;
		}
		return false;
	}
	if (!strchr(pattern, '/')) {
		/* A pattern without a slash matches the base name, as in .gitignore. */
		const char *base = strrchr(path, '/');

		return !fnmatch(pattern, base ? base + 1 : path, 0) || !fnmatch(pattern, path, 0);
	}
	return !fnmatch(pattern, path, 0);
}
