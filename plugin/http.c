/*
 * HTTP client for the forge APIs, on libcurl. It enforces the transport
 * rules (certificate checks, plain http only to loopback, no redirects, no
 * proxy for loopback), bounds every request in time, and retries answers
 * that ask for it. It knows nothing of GitHub, GitLab or Bitbucket: the
 * provider code builds URLs and reads bodies.
 */
#include "http.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#ifndef GJS_VERSION
#define GJS_VERSION "dev"
#endif

/* Bodies larger than this are cut off with an error: no forge API answer
 * that the bot reads comes close. */
#define MAX_BODY_BYTES (32u * 1024 * 1024)
/* All header lines of one answer together; forges send a few KB. */
#define MAX_HEADER_BYTES (256u * 1024)
/* Credentials shorter than this are not redacted: replacing every "ab" in a
 * message would garble it and hide nothing. */
#define MIN_SECRET_LENGTH 4

struct gjs_http {
	CURL *curl;
	char *auth_header;
	gjs_strvec secrets; /* forms of the credential to redact, longest first */
	gjs_http_options opts;
	double deadline;    /* monotonic seconds; 0: no budget */
};

/* What the curl callbacks of one attempt fill in. */
struct transfer {
	gjs_http_response *resp;
	size_t header_bytes;
	bool body_too_large;
	bool headers_too_large;
	bool budget_capped; /* the attempt's timeout was cut to the budget's rest */
};

static double monotonic_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int decode_base64(const char *in, gjs_buf *out)
{
	static const char table[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned value = 0;
	int bits = 0;

	for (const char *p = in; *p && *p != '='; p++) {
		const char *at = strchr(table, *p);

		if (!at)
			return -1;
		value = (value << 6) | (unsigned)(at - table);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			gjs_buf_putc(out, (char)((value >> bits) & 0xff));
		}
	}
	return 0;
}

static void add_secret(gjs_strvec *secrets, const char *value, size_t len)
{
	if (len >= MIN_SECRET_LENGTH)
		gjs_strvec_pushn(secrets, value, len);
}

static int longer_first(const void *a, const void *b)
{
	size_t left = strlen(*(char *const *)a);
	size_t right = strlen(*(char *const *)b);

	if (left == right)
		return 0;
	return left < right ? 1 : -1;
}

/* Lists the forms in which a server might echo the credential back. */
static void collect_secrets(gjs_strvec *secrets, const char *auth_header)
{
	const char *value = strchr(auth_header, ':');

	if (!value)
		return;
	value++;
	while (*value == ' ')
		value++;
	add_secret(secrets, value, strlen(value));
	if (!strncasecmp(value, "Bearer ", 7)) {
		add_secret(secrets, value + 7, strlen(value + 7));
	} else if (!strncasecmp(value, "Basic ", 6)) {
		gjs_buf pair = GJS_BUF_INIT;
		const char *colon;

		add_secret(secrets, value + 6, strlen(value + 6));
		if (decode_base64(value + 6, &pair) == 0 && pair.len &&
		    (colon = memchr(pair.ptr, ':', pair.len)) != NULL) {
			add_secret(secrets, pair.ptr, pair.len);
			add_secret(secrets, colon + 1, pair.len - (size_t)(colon + 1 - pair.ptr));
		}
		if (pair.ptr)
			memset(pair.ptr, 0, pair.len);
		gjs_buf_free(&pair);
	}
	if (secrets->count > 1)
		qsort(secrets->items, secrets->count, sizeof(*secrets->items), longer_first);
}

char *gjs_http_redact(const gjs_http *http, const char *text)
{
	gjs_buf out = GJS_BUF_INIT;
	const char *p = text;

	gjs_buf_puts(&out, "");
	while (*p) {
		bool hit = false;

		for (size_t i = 0; http && i < http->secrets.count; i++) {
			size_t len = strlen(http->secrets.items[i]);

			if (!strncmp(p, http->secrets.items[i], len)) {
				gjs_buf_puts(&out, "[redacted]");
				p += len;
				hit = true;
				break;
			}
		}
		if (!hit)
			gjs_buf_putc(&out, *p++);
	}
	return gjs_buf_detach(&out);
}

double gjs_http_budget_left(const gjs_http *http)
{
	double left;

	if (!http->deadline)
		return -1;
	left = http->deadline - monotonic_now();
	return left > 0 ? left : 0;
}

int gjs_http_new(gjs_http **out, const gjs_http_options *opts)
{
	gjs_http *http;

	*out = NULL;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		gjs_error_set("could not initialise libcurl");
		return GJS_ERROR;
	}

	http = gjs_xcalloc(1, sizeof(*http));
	http->curl = curl_easy_init();
	if (!http->curl) {
		free(http);
		curl_global_cleanup();
		gjs_error_set("could not create a libcurl handle");
		return GJS_ERROR;
	}
	if (opts)
		http->opts = *opts;
	http->auth_header = opts && opts->auth_header ? gjs_xstrdup(opts->auth_header) : NULL;
	http->opts.auth_header = NULL;
	if (!http->opts.connect_timeout_ms)
		http->opts.connect_timeout_ms = 10000;
	if (!http->opts.timeout_ms)
		http->opts.timeout_ms = 60000;
	if (!http->opts.max_retries)
		http->opts.max_retries = 3;
	if (http->opts.max_wait <= 0)
		http->opts.max_wait = 60;
	if (http->opts.max_single_wait <= 0)
		http->opts.max_single_wait = 30;
	if (http->auth_header)
		collect_secrets(&http->secrets, http->auth_header);
	http->deadline = http->opts.budget > 0 ? monotonic_now() + http->opts.budget : 0;

	*out = http;
	return 0;
}

void gjs_http_free(gjs_http *http)
{
	if (!http)
		return;
	curl_easy_cleanup(http->curl);
	if (http->auth_header) {
		/* The token should not outlive its use in freed heap memory. */
		memset(http->auth_header, 0, strlen(http->auth_header));
		free(http->auth_header);
	}
	for (size_t i = 0; i < http->secrets.count; i++)
		memset(http->secrets.items[i], 0, strlen(http->secrets.items[i]));
	gjs_strvec_clear(&http->secrets);
	free(http);
	curl_global_cleanup();
}

void gjs_http_response_clear(gjs_http_response *resp)
{
	if (!resp)
		return;
	gjs_buf_free(&resp->body);
	gjs_strvec_clear(&resp->headers);
	resp->status = 0;
	resp->attempts = 0;
	resp->refused_wait = 0;
}

static bool is_loopback_host(const char *host)
{
	char *end;
	long first;

	if (!strcasecmp(host, "localhost") || !strcmp(host, "::1") || !strcmp(host, "[::1]"))
		return true;

	/* 127.0.0.0/8 in dotted form: curl has already normalised the host. */
	if (strncmp(host, "127.", 4))
		return false;
	first = 0;
	for (const char *p = host; *p; p++)
		if (!isdigit((unsigned char)*p) && *p != '.')
			return false;
	errno = 0;
	first = strtol(host, &end, 10);
	return !errno && first == 127 && *end == '.';
}

/*
 * Reports whether `url` is on loopback and uses https. A URL with a user
 * name or password is rejected, because curl would send them and every
 * trace line and error message that shows the URL would show them too. The
 * error message names only the host.
 */
static int classify_url(const char *url, bool *loopback, bool *https)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *user = NULL, *password = NULL;
	int error = GJS_EINVALID;

	if (!u) {
		gjs_error_set("could not parse URL '%s'", url);
		return GJS_ERROR;
	}
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		gjs_error_set("invalid URL '%s'", url);
		goto done;
	}

	if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PASSWORD, &password, 0) == CURLUE_OK) {
		gjs_error_set("the URL of '%s' contains a user name or password: remove it and "
			"pass the credential in its environment variable", host);
		goto done;
	}

	*https = !strcasecmp(scheme, "https");
	*loopback = is_loopback_host(host);
	if (!*https && strcasecmp(scheme, "http")) {
		gjs_error_set("unsupported URL scheme '%s' in '%s': use https", scheme, url);
		goto done;
	}
	error = 0;

done:
	curl_free(scheme);
	curl_free(host);
	if (user)
		memset(user, 0, strlen(user));
	if (password)
		memset(password, 0, strlen(password));
	curl_free(user);
	curl_free(password);
	curl_url_cleanup(u);
	return error;
}

int gjs_http_check_url(const char *url)
{
	bool loopback = false, https = false;
	int error = classify_url(url, &loopback, &https);

	if (error < 0)
		return error;
	if (!https && !loopback) {
		gjs_error_set("refusing plain http to '%s': use https "
			"(plain http is allowed only to 127.0.0.1, ::1 or localhost)", url);
		return GJS_EINVALID;
	}
	return 0;
}

int gjs_http_check_base_url(const char *url)
{
	int error = gjs_http_check_url(url);
	size_t plain = strcspn(url, "?#");

	if (error < 0)
		return error;
	if (url[plain]) {
		/* The message shows only the part before the query, which may contain a token. */
		gjs_error_set("the base URL '%.*s' has a query or fragment: give it without "
			"'?' or '#'", (int)plain, url);
		return GJS_EINVALID;
	}
	return 0;
}

static size_t on_body(char *data, size_t size, size_t count, void *payload)
{
	struct transfer *transfer = payload;
	gjs_buf *body = &transfer->resp->body;
	size_t len = size * count;

	if (body->len + len > MAX_BODY_BYTES) {
		transfer->body_too_large = true;
		return 0; /* makes curl fail with CURLE_WRITE_ERROR */
	}
	gjs_buf_put(body, data, len);
	return len;
}

static size_t on_header(char *data, size_t size, size_t count, void *payload)
{
	struct transfer *transfer = payload;
	gjs_strvec *headers = &transfer->resp->headers;
	size_t len = size * count;
	size_t keep = len;

	/* A new status line starts a new answer (after 100 Continue). */
	if (len >= 5 && !strncmp(data, "HTTP/", 5)) {
		gjs_strvec_clear(headers);
		transfer->header_bytes = 0;
		return len;
	}
	transfer->header_bytes += len;
	if (transfer->header_bytes > MAX_HEADER_BYTES) {
		transfer->headers_too_large = true;
		return 0;
	}
	while (keep && (data[keep - 1] == '\r' || data[keep - 1] == '\n'))
		keep--;
	if (keep)
		gjs_strvec_pushn(headers, data, keep);
	return len;
}

const char *gjs_http_header(const gjs_http_response *resp, const char *name)
{
	size_t name_len = strlen(name);

	for (size_t i = 0; i < resp->headers.count; i++) {
		const char *line = resp->headers.items[i];

		if (strncasecmp(line, name, name_len) || line[name_len] != ':')
			continue;
		line += name_len + 1;
		while (*line == ' ' || *line == '\t')
			line++;
		return line;
	}
	return NULL;
}

/* Reports whether a space-separated list of relation types names "next". */
static bool rel_has_next(const char *value, size_t len)
{
	size_t at = 0;

	while (at < len) {
		size_t token;

		while (at < len && value[at] == ' ')
			at++;
		token = at;
		while (at < len && value[at] != ' ')
			at++;
		if (at - token == 4 && !strncasecmp(value + token, "next", 4))
			return true;
	}
	return false;
}

/*
 * Finds rel="next" in one Link header value (RFC 8288): entries
 * "<URL>; name=value; ..." separated by commas, each value a token or a
 * quoted string. Only a parameter named exactly "rel" counts.
 */
static char *next_in_link_value(const char *value)
{
	const char *p = value;

	for (;;) {
		const char *url, *url_end;
		bool next = false;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p != '<')
			return NULL;
		url = p + 1;
		url_end = strchr(url, '>');
		if (!url_end)
			return NULL;
		p = url_end + 1;

		/* Parameters up to the comma that ends the entry. */
		while (*p && *p != ',') {
			const char *name, *val;
			size_t name_len, val_len;

			while (*p == ' ' || *p == '\t' || *p == ';')
				p++;
			if (!*p || *p == ',')
				break;
			name = p;
			while (*p && *p != '=' && *p != ';' && *p != ',' && *p != ' ')
				p++;
			name_len = (size_t)(p - name);
			while (*p == ' ')
				p++;
			val = p;
			val_len = 0;
			if (*p == '=') {
				p++;
				while (*p == ' ')
					p++;
				if (*p == '"') {
					val = ++p;
					while (*p && *p != '"') {
						if (*p == '\\' && p[1])
							p++;
						p++;
					}
					val_len = (size_t)(p - val);
					if (*p == '"')
						p++;
				} else {
					val = p;
					while (*p && *p != ';' && *p != ',')
						p++;
					val_len = (size_t)(p - val);
					while (val_len && val[val_len - 1] == ' ')
						val_len--;
				}
			}
			if (name_len == 3 && !strncasecmp(name, "rel", 3) &&
			    rel_has_next(val, val_len))
				next = true;
			while (*p && *p != ';' && *p != ',')
				p++;
		}
		if (next)
			return gjs_xstrndup(url, (size_t)(url_end - url));
	}
}

char *gjs_http_next_link(const gjs_http_response *resp)
{
	for (size_t i = 0; i < resp->headers.count; i++) {
		const char *line = resp->headers.items[i];
		char *next;

		if (strncasecmp(line, "Link:", 5))
			continue;
		next = next_in_link_value(line + 5);
		if (next)
			return next;
	}
	return NULL;
}

double gjs_http_header_number(const gjs_http_response *resp, const char *name)
{
	const char *value = gjs_http_header(resp, name);
	char *end;
	double number;

	if (!value || !*value)
		return -1;
	errno = 0;
	number = strtod(value, &end);
	while (*end == ' ')
		end++;
	if (errno || *end || number < 0)
		return -1;
	return number;
}

/* A reset value above this is an epoch time; below, a count of seconds
 * (the IETF RateLimit header draft sends seconds, GitLab sends epochs). */
#define EPOCH_THRESHOLD 1000000000.0

double gjs_http_retry_wait(const gjs_http_response *resp, double now)
{
	const char *retry_after = gjs_http_header(resp, "Retry-After");
	double seconds, reset;

	if (retry_after) {
		seconds = gjs_http_header_number(resp, "Retry-After");
		if (seconds >= 0)
			return seconds;
		/* Retry-After may also be an HTTP date. */
		reset = (double)curl_getdate(retry_after, NULL);
		if (reset > 0)
			return reset > now ? reset - now : 0;
	}

	if (gjs_http_header_number(resp, "X-RateLimit-Remaining") == 0) {
		reset = gjs_http_header_number(resp, "X-RateLimit-Reset");
		if (reset >= EPOCH_THRESHOLD)
			return reset > now ? reset - now : 0;
		if (reset >= 0)
			return reset;
	}

	/* GitLab: RateLimit-Reset counts when the quota is spent or on a 429. */
	if (resp->status == 429 || gjs_http_header_number(resp, "RateLimit-Remaining") == 0) {
		reset = gjs_http_header_number(resp, "RateLimit-Reset");
		if (reset >= EPOCH_THRESHOLD)
			return reset > now ? reset - now : 0;
		if (reset >= 0)
			return reset;
	}
	return -1;
}

/*
 * Reports whether sending the request twice has the effect of sending it
 * once. PATCH counts, because every PATCH the providers send replaces a
 * whole comment body; a POST creates a comment or a status each time.
 */
static bool is_idempotent(const char *method)
{
	return !strcmp(method, "GET") || !strcmp(method, "PUT") || !strcmp(method, "DELETE") ||
		!strcmp(method, "HEAD") || !strcmp(method, "PATCH");
}

/* Reports whether an answer asks to be retried. A 429 or rate-limit 403
 * means the server did not act; a 5xx may come after it did. */
static bool should_retry_status(const gjs_http_response *resp, const char *method)
{
	if (resp->status == 429)
		return true;
	if (resp->status >= 500 && resp->status <= 599)
		return is_idempotent(method);
	/* GitHub answers rate limits with 403 and one of these headers. */
	if (resp->status == 403 &&
	    (gjs_http_header_number(resp, "X-RateLimit-Remaining") == 0 ||
	     gjs_http_header(resp, "Retry-After")))
		return true;
	return false;
}

static bool should_retry_transport(CURLcode code, const char *method)
{
	/* Nothing reached the server: safe for every method. */
	if (code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_HOST)
		return true;
	/* The server may have acted on it: only for idempotent methods. */
	if (code == CURLE_OPERATION_TIMEDOUT || code == CURLE_RECV_ERROR ||
	    code == CURLE_GOT_NOTHING || code == CURLE_SEND_ERROR || code == CURLE_PARTIAL_FILE)
		return is_idempotent(method);
	return false;
}

static void sleep_seconds(double seconds)
{
	struct timespec ts;

	if (seconds <= 0)
		return;
	ts.tv_sec = (time_t)seconds;
	ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Sends one attempt. Returns the curl code; `errbuf` holds curl's detail. */
static CURLcode send_once(gjs_http *http, struct transfer *transfer, const char *method,
	const char *url, const char *body, bool loopback, char *errbuf)
{
	gjs_http_response *resp = transfer->resp;
	struct curl_slist *headers = NULL;
	long timeout_ms = http->opts.timeout_ms;
	CURLcode code;
	CURL *curl = http->curl;

	if (http->deadline) {
		double left_ms = gjs_http_budget_left(http) * 1000;

		transfer->budget_capped = left_ms < (double)timeout_ms;
		if (transfer->budget_capped)
			timeout_ms = left_ms < 1 ? 1 : (long)left_ms;
	}
	transfer->header_bytes = 0;
	transfer->body_too_large = false;
	transfer->headers_too_large = false;
	gjs_buf_clear(&resp->body);
	gjs_strvec_clear(&resp->headers);
	resp->status = 0;
	errbuf[0] = '\0';

	curl_easy_reset(curl);
	headers = curl_slist_append(headers, "Accept: application/json");
	if (body)
		headers = curl_slist_append(headers, "Content-Type: application/json");
	if (http->auth_header)
		headers = curl_slist_append(headers, http->auth_header);
	/* An empty Expect keeps curl from waiting for 100 Continue on big bodies. */
	headers = curl_slist_append(headers, "Expect:");

	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "git-jira-scopes/" GJS_VERSION);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, http->opts.connect_timeout_ms);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, transfer);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, transfer);
	curl_easy_setopt(curl, CURLOPT_VERBOSE, 0L);
	/* A proxy from the environment must not see loopback traffic. */
	if (loopback)
		curl_easy_setopt(curl, CURLOPT_PROXY, "");

	if (!strcmp(method, "GET")) {
		curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
	} else {
		curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body ? body : "");
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
			(curl_off_t)(body ? strlen(body) : 0));
	}

	code = curl_easy_perform(curl);
	if (code == CURLE_OK)
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &resp->status);
	resp->attempts++;

	curl_slist_free_all(headers);
	/* Headers were copied by curl_easy_setopt; the list is gone now. */
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, NULL);
	return code;
}

/* Records why an attempt got no answer, in the words a user can act on. */
static int transport_error(const gjs_http *http, const struct transfer *transfer,
	CURLcode code, const char *method, const char *url, const char *errbuf)
{
	const char *detail = errbuf[0] ? errbuf : curl_easy_strerror(code);

	if (transfer->body_too_large) {
		gjs_error_set("%s %s failed: the answer exceeded the limit of %u MiB", method, url,
			MAX_BODY_BYTES / (1024 * 1024));
		return GJS_ENETWORK;
	}
	if (transfer->headers_too_large) {
		gjs_error_set("%s %s failed: the headers of the answer exceeded the limit of %u KiB",
			method, url, MAX_HEADER_BYTES / 1024);
		return GJS_ENETWORK;
	}
	if (code == CURLE_OUT_OF_MEMORY) {
		/* curl reports a header line over its 100 KB limit this way. */
		gjs_error_set("%s %s failed: a header of the answer was too large (%s)", method,
			url, detail);
		return GJS_ENETWORK;
	}
	if (code == CURLE_OPERATION_TIMEDOUT && transfer->budget_capped) {
		gjs_error_set("%s %s stopped: the time budget of %.0f s for all requests ran out",
			method, url, http->opts.budget);
		return GJS_ETIMEOUT;
	}
	gjs_error_set("%s %s failed: %s", method, url, detail);
	return code == CURLE_OPERATION_TIMEDOUT ? GJS_ETIMEOUT : GJS_ENETWORK;
}

int gjs_http_request(gjs_http *http, gjs_http_response *resp, const char *method,
	const char *url, const char *body)
{
	char errbuf[CURL_ERROR_SIZE];
	struct transfer transfer;
	bool loopback = false, https = false;
	double waited = 0;
	unsigned attempt;
	int error;

	gjs_http_response_clear(resp);
	if (http->opts.read_only && strcmp(method, "GET") && strcmp(method, "HEAD")) {
		gjs_error_set("not sending %s %s: this run is read-only", method, url);
		return GJS_EINVALID;
	}
	error = gjs_http_check_url(url);
	if (error < 0)
		return error;
	error = classify_url(url, &loopback, &https);
	if (error < 0)
		return error;
	memset(&transfer, 0, sizeof(transfer));
	transfer.resp = resp;

	for (attempt = 0;; attempt++) {
		CURLcode code;
		double wait, left;

		/* Less than 10 ms left is too little for any request. */
		if (http->deadline && gjs_http_budget_left(http) < 0.01) {
			gjs_error_set("%s %s stopped: the time budget of %.0f s for all requests "
				"ran out", method, url, http->opts.budget);
			return GJS_ETIMEOUT;
		}
		code = send_once(http, &transfer, method, url, body, loopback, errbuf);
		if (code != CURLE_OK) {
			if (http->opts.trace)
				http->opts.trace("http: %s %s: %s", method, url,
					errbuf[0] ? errbuf : curl_easy_strerror(code));
			if (attempt >= http->opts.max_retries || !should_retry_transport(code, method))
				return transport_error(http, &transfer, code, method, url, errbuf);
			wait = (double)(1u << attempt);
		} else {
			if (http->opts.trace)
				http->opts.trace("http: %s %s -> %ld", method, url, resp->status);
			if (!should_retry_status(resp, method) || attempt >= http->opts.max_retries)
				return 0;
			wait = gjs_http_retry_wait(resp, (double)time(NULL));
			if (wait < 0)
				wait = (double)(1u << attempt); /* 1, 2, 4 s */
		}

		/*
		 * A wait longer than the limits would hold a CI job for minutes:
		 * hand the last answer back instead, and let the caller report it.
		 */
		left = http->deadline ? gjs_http_budget_left(http) : -1;
		if (wait > http->opts.max_single_wait || waited + wait > http->opts.max_wait ||
		    (left >= 0 && wait >= left)) {
			if (http->opts.trace)
				http->opts.trace("http: not retrying %s %s: the server asks for a "
					"wait of %.0f s", method, url, wait);
			if (code != CURLE_OK)
				return transport_error(http, &transfer, code, method, url, errbuf);
			resp->refused_wait = wait;
			return 0;
		}
		if (http->opts.trace)
			http->opts.trace("http: retrying %s %s in %.0f s (attempt %u of %u)", method,
				url, wait, attempt + 2, http->opts.max_retries + 1);
		sleep_seconds(wait);
		waited += wait;
	}
}

char *gjs_http_escape(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	gjs_buf out = GJS_BUF_INIT;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (isalnum(*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~') {
			gjs_buf_putc(&out, (char)*p);
		} else {
			gjs_buf_putc(&out, '%');
			gjs_buf_putc(&out, hex[*p >> 4]);
			gjs_buf_putc(&out, hex[*p & 15]);
		}
	}
	return gjs_buf_detach(&out);
}
