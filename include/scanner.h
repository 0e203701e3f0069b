/*
 * The scanner: finds Jira REST calls in one source file's text.
 */
#ifndef GJS_SCANNER_H
#define GJS_SCANNER_H

#include <stdbool.h>
#include <stddef.h>

/* How a call reaches Jira, which decides whether it uses the app's scopes. */
typedef enum {
	GJS_VIA_UNKNOWN = 0,       /* a path with no recognised client around it */
	GJS_VIA_PRODUCT_FETCH,     /* @forge/api or @forge/bridge requestJira and wrappers */
	GJS_VIA_CONNECT,           /* AP.request, the Connect client, or the app's JWT */
	GJS_VIA_OWN_CREDENTIALS,   /* Basic auth, an API token or another bearer token */
	GJS_VIA_HTTP,              /* a plain HTTP client call with no credentials seen */
} gjs_call_via;

/* One call site found in a file. Strings are owned by the list. */
typedef struct {
	unsigned line;   /* 1-based line of the path's first character */
	char *method;    /* "GET", "POST", ... or NULL when it cannot be told */
	char *path;      /* the path as written, interpolations kept ("/rest/api/3/issue/${key}") */
	gjs_call_via via;
} gjs_scan_hit;

typedef struct {
	gjs_scan_hit *hits;
	size_t count;
	size_t alloc;
} gjs_scan_result;

typedef enum {
	GJS_LANG_NONE = 0, /* not a source file the scanner reads */
	GJS_LANG_JS,       /* .js .jsx .mjs .cjs .ts .tsx .mts .cts */
	GJS_LANG_PYTHON,
	GJS_LANG_JAVA,     /* .java */
	GJS_LANG_KOTLIN,   /* .kt .kts */
	GJS_LANG_GO,
	GJS_LANG_CSHARP,
	GJS_LANG_RUBY,
	GJS_LANG_PHP,
	GJS_LANG_SHELL,    /* .sh .bash .zsh */
} gjs_language;

/* Tells the language from a file name (path or base name). */
gjs_language gjs_scan_language(const char *path);

/*
 * Scans `len` bytes of source in `language` and appends one hit per Jira
 * REST path (/rest/api/2|3/, /rest/agile/1.0/, /rest/servicedeskapi/) to
 * `out`. Handles string literals, template literals, f-strings, format
 * strings, concatenation with base-URL constants, calls split over lines and
 * absolute site or gateway URLs. Returns 0, or a negative error.
 */
int gjs_scan_source(gjs_scan_result *out, gjs_language language, const char *data, size_t len);

void gjs_scan_result_free(gjs_scan_result *result);

#endif
