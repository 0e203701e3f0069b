/*
 * A small HTTP client on libcurl for the forge APIs: HTTPS with certificate
 * checks, plain http only to loopback, timeouts, and bounded retries on 429
 * and 5xx answers that honour Retry-After and rate-limit headers. The token
 * travels in a request header only; no trace line ever contains it.
 */
#ifndef GJS_HTTP_H
#define GJS_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "common.h"

typedef struct {
	long status;         /* HTTP status code, 0 when no answer came */
	gjs_buf body;
	gjs_strvec headers;  /* "Name: value" lines of the final answer */
	unsigned attempts;   /* requests sent, retries included */
	double refused_wait; /* seconds a retry would have waited beyond the limits, or 0 */
} gjs_http_response;
#define GJS_HTTP_RESPONSE_INIT { 0, GJS_BUF_INIT, GJS_STRVEC_INIT, 0, 0 }

typedef struct {
	unsigned version;
	/* Full header line that carries the credential, "Authorization: Bearer
	 * ..." or "PRIVATE-TOKEN: ...", or NULL. Copied by gjs_http_new. */
	const char *auth_header;
	long connect_timeout_ms; /* 0: 10 s */
	long timeout_ms;         /* whole request, 0: 60 s */
	unsigned max_retries;    /* retries after the first attempt; 0: 3 */
	double max_wait;         /* seconds slept over all retries of a request; 0: 60 */
	double max_single_wait;  /* seconds slept before one retry; 0: 30 */
	/* Seconds that all requests of this handle may take together, waits
	 * included, counted from gjs_http_new; 0: no limit. A request that
	 * would run past it fails with GJS_ETIMEOUT. */
	double budget;
	/* Rejects every method but GET and HEAD with GJS_EINVALID, so that a dry
	 * run can read from the forge and provably change nothing. */
	bool read_only;
	/* Receives one trace line per request and retry (method, URL, status,
	 * wait), or NULL. Lines never contain request headers. */
	void (*trace)(const char *fmt, ...) GJS_PRINTF(1, 2);
} gjs_http_options;
#define GJS_HTTP_OPTIONS_VERSION 1
#define GJS_HTTP_OPTIONS_INIT { GJS_HTTP_OPTIONS_VERSION, NULL, 0, 0, 0, 0, 0, 0, false, NULL }

typedef struct gjs_http gjs_http;

int gjs_http_new(gjs_http **out, const gjs_http_options *opts);
void gjs_http_free(gjs_http *http);

/*
 * Checks that `url` may be contacted: https anywhere, http only on a
 * loopback host (127.0.0.0/8, ::1, localhost), and no user name or password
 * in it. Fails with GJS_EINVALID and a message naming the URL otherwise (or
 * only its host, when the URL contains credentials).
 */
int gjs_http_check_url(const char *url);
/* Checks a base URL that paths are appended to: as gjs_http_check_url(),
 * and with no query or fragment, which would end up inside every URL and
 * every trace line (a GitLab private_token, say). */
int gjs_http_check_base_url(const char *url);

/*
 * Sends one request and fills `resp` with the final answer, whatever its
 * status: callers decide what a 404 means. `body` may be NULL; when set it
 * is sent as application/json. Retries 429 answers and rate-limit 403s
 * (X-RateLimit-Remaining: 0 or Retry-After) up to the option limits. A 5xx
 * answer, a timeout or a broken connection is retried only for GET, HEAD,
 * PUT, PATCH and DELETE: the server may have acted on a POST already.
 * Fails with GJS_ENETWORK when no answer came at all, and GJS_ETIMEOUT when
 * a request or the handle's budget timed out.
 */
int gjs_http_request(gjs_http *http, gjs_http_response *resp, const char *method,
	const char *url, const char *body);

/* Returns the value of the first header `name` (any case), or NULL. Borrowed
 * from `resp`. */
const char *gjs_http_header(const gjs_http_response *resp, const char *name);

/* Parses a header that holds a non-negative decimal number (Retry-After
 * in seconds, rate-limit counts and resets); -1 when absent or malformed. */
double gjs_http_header_number(const gjs_http_response *resp, const char *name);

/* Returns the target of the rel="next" entry of a Link header (RFC 8288),
 * or NULL. The caller frees it. */
char *gjs_http_next_link(const gjs_http_response *resp);

/*
 * Parses the wait that a 429/5xx answer asks for, in seconds: Retry-After
 * (delta seconds), or X-RateLimit-Reset / RateLimit-Reset (an epoch time
 * when the remaining quota is 0, or GitLab's epoch). `now` is the current
 * epoch time. Returns -1 when the answer names no wait.
 */
double gjs_http_retry_wait(const gjs_http_response *resp, double now);

/*
 * Copies `text` (a server's message, a header, a URL) with every form of the
 * handle's credential replaced by "[redacted]": the token, "Bearer TOKEN",
 * a Basic value, its decoded "user:password" pair and the password. The
 * caller frees the result.
 */
char *gjs_http_redact(const gjs_http *http, const char *text);

/* Returns the seconds left of the handle's budget, or -1 without a budget. */
double gjs_http_budget_left(const gjs_http *http);

/* Encodes `s` for a URL path segment or query value (RFC 3986 unreserved
 * characters kept). The caller frees the result. */
char *gjs_http_escape(const char *s);

void gjs_http_response_clear(gjs_http_response *resp);

#endif
