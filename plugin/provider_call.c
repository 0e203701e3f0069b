/*
 * What the provider_*.c files share for talking to a forge: one request
 * with its failure turned into a message that names the token, permission,
 * rate limit or URL to check; reading every page of a listing in the three
 * paging styles; and deciding which marker comments are the bot's own.
 * Every piece of server text in a message is redacted, cut and sanitized
 * here, so the callers print it as it comes.
 */
#include "provider.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Bytes of a server's message kept in an error. */
#define MAX_SERVER_TEXT 300

void gjs_comments_free(gjs_comment *comments, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(comments[i].id);
	free(comments);
}

/* Orders ids (digits only) by numeric value. */
static int compare_ids(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la != lb)
		return la < lb ? -1 : 1;
	return strcmp(a, b);
}

void gjs_comments_add(gjs_comment **list, size_t *count, const char *id, long version)
{
	size_t at = *count;

	for (size_t i = 0; i < *count; i++) {
		int order = compare_ids(id, (*list)[i].id);

		if (order == 0) {
			/* Listed twice (Bitbucket activities): the higher version is current. */
			if (version > (*list)[i].version)
				(*list)[i].version = version;
			return;
		}
		if (order < 0 && at == *count)
			at = i;
	}
	*list = gjs_xrealloc(*list, (*count + 1) * sizeof(**list));
	memmove(*list + at + 1, *list + at, (*count - at) * sizeof(**list));
	(*list)[at].id = gjs_xstrdup(id);
	(*list)[at].version = version;
	(*count)++;
}

void gjs_provider_set_bot_user(gjs_provider *provider, const char *name)
{
	free(provider->identity);
	provider->identity = gjs_xstrdup(name);
	provider->identity_looked_up = true;
}

bool gjs_provider_may_delete(const gjs_provider *provider)
{
	return provider->identity != NULL;
}

const char *gjs_provider_identity(const gjs_provider *provider)
{
	return provider->identity_text ? provider->identity_text : "(not looked up)";
}

void gjs_provider_consider(gjs_provider *p, gjs_comment_list *list, const void *id_item,
	long version, const char *const author_keys[3], bool bot_like)
{
	bool adopt = false;
	char *id;

	if (p->identity) {
		for (size_t i = 0; i < 3; i++)
			if (author_keys[i] && !strcmp(author_keys[i], p->identity))
				adopt = true;
	} else {
		adopt = bot_like;
	}
	if (!adopt)
		return;
	id = gjs_json_id(id_item);
	if (id)
		gjs_comments_add(&list->items, &list->count, id, version);
	free(id);
}

int gjs_provider_find_comments(gjs_provider *provider, gjs_comment **out, size_t *count)
{
	gjs_comment_list list = { NULL, 0 };
	gjs_buf text = GJS_BUF_INIT;
	int error;

	*out = NULL;
	*count = 0;
	if (!provider->identity_looked_up) {
		error = provider->ops->fetch_identity(provider, &provider->identity);
		if (error < 0)
			return error;
		provider->identity_looked_up = true;
	}
	if (provider->identity)
		gjs_buf_printf(&text, "the account '%s'", provider->identity);
	else
		gjs_buf_puts(&text, "bot accounts (the token's account is unknown)");
	free(provider->identity_text);
	provider->identity_text = gjs_buf_detach(&text);

	error = provider->ops->find_comments(provider, &list);
	if (error < 0) {
		gjs_comments_free(list.items, list.count);
		return error;
	}
	*out = list.items;
	*count = list.count;
	return 0;
}

/* Cuts `text` to at most `max` bytes without splitting a UTF-8 character. */
static size_t utf8_cut(const char *text, size_t max)
{
	size_t len = strnlen(text, max + 1);

	if (len <= max)
		return len;
	len = max;
	while (len > 0 && ((unsigned char)text[len] & 0xc0) == 0x80)
		len--;
	return len;
}

static bool looks_like_html(const gjs_http_response *resp)
{
	const char *type = gjs_http_header(resp, "Content-Type");
	const char *body = gjs_buf_cstr(&resp->body);

	if (type && strcasestr(type, "text/html"))
		return true;
	body += strspn(body, " \t\r\n");
	return *body == '<';
}

/* Describes an HTML page by its title, if it has one. */
static void describe_html(gjs_buf *out, const gjs_http_response *resp)
{
	const char *body = gjs_buf_cstr(&resp->body);
	const char *title = strcasestr(body, "<title>");
	const char *end = title ? strcasestr(title, "</title>") : NULL;

	gjs_buf_puts(out, "an HTML page");
	if (title && end) {
		title += 7;
		title += strspn(title, " \t\r\n");
		gjs_buf_printf(out, " titled '%.*s'", (int)utf8_cut(title,
			(size_t)(end - title) < 100 ? (size_t)(end - title) : 100), title);
	}
}

static const char *json_string(const cJSON *object, const char *name)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, name);

	return cJSON_IsString(item) ? item->valuestring : NULL;
}

/* Makes server text fit for a message: credential redacted, cut, control
 * characters replaced. The caller frees the result. */
static char *server_text(const gjs_provider *p, const char *text)
{
	char *redacted = gjs_http_redact(p->http, text);
	size_t len = utf8_cut(redacted, MAX_SERVER_TEXT);
	char *cut, *safe;

	if (redacted[len]) {
		cut = gjs_xstrndup(redacted, len + 3);
		memcpy(cut + len, "...", 4);
	} else {
		cut = gjs_xstrdup(redacted);
	}
	safe = gjs_sanitize(cut);
	free(cut);
	free(redacted);
	return safe;
}

/* Extracts the server's own words from an error body, for the message. */
static char *server_message(const gjs_provider *p, const gjs_http_response *resp)
{
	cJSON *json = cJSON_ParseWithLength(gjs_buf_cstr(&resp->body), resp->body.len);
	const cJSON *item, *first;
	const char *text = NULL;
	gjs_buf html = GJS_BUF_INIT;
	char *message;

	if (json) {
		item = cJSON_GetObjectItemCaseSensitive(json, "message");
		if (cJSON_IsString(item))
			text = item->valuestring;
		item = cJSON_GetObjectItemCaseSensitive(json, "error");
		if (!text && cJSON_IsString(item))
			text = item->valuestring;
		if (!text && cJSON_IsObject(item))
			text = json_string(item, "message");
		item = cJSON_GetObjectItemCaseSensitive(json, "errors");
		first = cJSON_IsArray(item) ? cJSON_GetArrayItem(item, 0) : NULL;
		if (!text && cJSON_IsObject(first))
			text = json_string(first, "message");
	} else if (resp->body.len && looks_like_html(resp)) {
		/* A proxy's error page: its title says enough, its markup nothing. */
		describe_html(&html, resp);
		text = html.ptr;
	} else if (resp->body.len) {
		text = gjs_buf_cstr(&resp->body);
	}
	message = text ? server_text(p, text) : NULL;
	cJSON_Delete(json);
	gjs_buf_free(&html);
	return message;
}

static const char *permission_hint(gjs_provider_kind kind)
{
	switch (kind) {
	case GJS_PROVIDER_GITHUB:
		return "a workflow token needs 'permissions: pull-requests: write' and "
			"'statuses: write'; a personal access token needs the repo scope or the "
			"pull requests and commit statuses write permissions";
	case GJS_PROVIDER_GITLAB:
		return "the token needs the 'api' scope and at least the Developer role in the "
			"project";
	case GJS_PROVIDER_BITBUCKET:
		return "the credentials need the pullrequest:write and repository:write scopes";
	case GJS_PROVIDER_BITBUCKET_SERVER:
		return "the HTTP access token needs repository write permission";
	case GJS_PROVIDER_NONE:
		break;
	}
	return "check the token's permissions";
}

/*
 * Explains a used-up rate limit (GitHub: 403 or 429 with
 * X-RateLimit-Remaining: 0, X-RateLimit-Reset in epoch seconds) with the
 * time it resets. Returns false when the answer is no rate limit.
 */
static bool explain_rate_limit(gjs_buf *detail, const gjs_provider *p,
	const gjs_http_response *resp)
{
	double reset = gjs_http_header_number(resp, "X-RateLimit-Reset");
	time_t when;
	struct tm tm;
	char stamp[32];

	if ((resp->status != 403 && resp->status != 429) ||
	    gjs_http_header_number(resp, "X-RateLimit-Remaining") != 0)
		return false;
	gjs_buf_printf(detail, ": the API rate limit of %s is used up", p->token_source);
	when = (time_t)reset;
	if (reset >= 1000000000.0 && gmtime_r(&when, &tm) &&
	    strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S UTC", &tm))
		gjs_buf_printf(detail, "; it resets at %s", stamp);
	gjs_buf_puts(detail, "; run the job again after that");
	return true;
}

static void explain_status(gjs_buf *detail, const gjs_provider *p,
	const gjs_http_response *resp)
{
	const char *location;

	if (explain_rate_limit(detail, p, resp))
		return;
	if (resp->status >= 300 && resp->status < 400) {
		location = gjs_http_header(resp, "Location");
		if (location) {
			char *safe = server_text(p, location);

			gjs_buf_printf(detail, " with a redirect to '%s'", safe);
			free(safe);
		}
		gjs_buf_puts(detail, ": redirects are not followed; check --api-url");
	} else if (resp->status == 401) {
		gjs_buf_printf(detail, ": %s was rejected; it is invalid, expired or revoked, "
			"or it was created for another server", p->token_source);
	} else if (resp->status == 403 && !gjs_http_header(resp, "Retry-After")) {
		gjs_buf_printf(detail, ": %s lacks a permission; %s", p->token_source,
			permission_hint(p->pr->kind));
	} else if (resp->status == 404) {
		gjs_buf_printf(detail, ": check the repository '%s' and request %s, and that %s "
			"can read the repository (private repositories answer 404 to tokens that "
			"cannot see them)", p->pr->repo, p->pr->number, p->token_source);
	} else if (resp->status == 429 || resp->status >= 500 || resp->status == 403) {
		gjs_buf_printf(detail, " after %u attempt%s", resp->attempts,
			resp->attempts == 1 ? "" : "s");
		if (resp->refused_wait > 0)
			gjs_buf_printf(detail, "; the server asked to wait %.0f s, longer than the "
				"bot waits", resp->refused_wait);
		gjs_buf_puts(detail, "; try again later");
	}
}

int gjs_provider_call(gjs_provider *p, gjs_http_response *resp, const char *method,
	const char *url, const char *body, const char *action, long ok_status)
{
	const char *title = gjs_provider_title(p->pr->kind);
	char *said = NULL;
	gjs_buf detail = GJS_BUF_INIT;
	int error;

	error = gjs_http_request(p->http, resp, method, url, body);
	if (error < 0) {
		gjs_buf_printf(&detail, "%s", gjs_error_last());
		gjs_error_set("could not %s: %s", action, gjs_buf_cstr(&detail));
		goto done;
	}
	if ((resp->status >= 200 && resp->status < 300) || (ok_status && resp->status == ok_status))
		goto done;

	said = server_message(p, resp);
	gjs_buf_printf(&detail, "%s answered %ld%s%s%s", title, resp->status,
		said ? " (" : "", said ? said : "", said ? ")" : "");
	explain_status(&detail, p, resp);
	gjs_error_set("could not %s: %s", action, gjs_buf_cstr(&detail));
	error = resp->status == 401 || resp->status == 404 ||
		(resp->status == 403 && gjs_http_header_number(resp, "X-RateLimit-Remaining") != 0) ||
		(resp->status >= 300 && resp->status < 400) ? GJS_EINVALID : GJS_ENETWORK;

done:
	free(said);
	gjs_buf_free(&detail);
	return error;
}

void *gjs_provider_parse_object(gjs_provider *p, const gjs_http_response *resp,
	const char *url, const char *action)
{
	cJSON *json = cJSON_ParseWithLength(gjs_buf_cstr(&resp->body), resp->body.len);
	gjs_buf what = GJS_BUF_INIT;
	char *safe_url;

	if (cJSON_IsObject(json))
		return json;
	cJSON_Delete(json);
	safe_url = gjs_http_redact(p->http, url);
	if (looks_like_html(resp)) {
		describe_html(&what, resp);
		gjs_error_set("could not %s: %s answered %s with %s, not JSON: check --api-url, "
			"and any proxy between here and the server", action,
			gjs_provider_title(p->pr->kind), safe_url, what.ptr);
	} else {
		gjs_error_set("could not %s: %s answered %s with something other than a JSON "
			"object", action, gjs_provider_title(p->pr->kind), safe_url);
	}
	free(safe_url);
	gjs_buf_free(&what);
	return NULL;
}

int gjs_provider_get_account(gjs_provider *p, const char *url, void **account)
{
	static const char action[] = "find the account of the token";
	gjs_http_response resp = GJS_HTTP_RESPONSE_INIT;
	bool refused_ok;
	int error;

	*account = NULL;
	error = gjs_provider_call(p, &resp, "GET", url, NULL, action, 0);
	/* Bitbucket Cloud answers access tokens with 401 here, although the
	 * token works everywhere else. */
	refused_ok = resp.status == 400 || resp.status == 403 || resp.status == 404 ||
		(resp.status == 401 && p->pr->kind == GJS_PROVIDER_BITBUCKET);
	if (error < 0 && refused_ok && gjs_http_header_number(&resp, "X-RateLimit-Remaining") != 0) {
		gjs_error_clear();
		error = 0;
		goto done;
	}
	if (error < 0)
		goto done;
	*account = gjs_provider_parse_object(p, &resp, url, action);
	if (!*account)
		error = GJS_EINVALID;

done:
	gjs_http_response_clear(&resp);
	return error;
}

/* Returns the length of "scheme://host[:port]" at the start of `url`. */
static size_t origin_length(const char *url)
{
	const char *host = strstr(url, "://");

	if (!host)
		return 0;
	host += 3;
	return (size_t)(host - url) + strcspn(host, "/?#");
}

int gjs_provider_check_next(gjs_provider *p, const char *url)
{
	size_t len = origin_length(p->pr->api_url);
	char *safe;

	if (len && origin_length(url) == len && !strncasecmp(url, p->pr->api_url, len))
		return 0;
	safe = server_text(p, url);
	gjs_error_set("%s sent a next-page link to another server ('%s'); not following it",
		gjs_provider_title(p->pr->kind), safe);
	free(safe);
	return GJS_EINVALID;
}

/* Builds the URL of a page from `url` with its `param` set to `value`
 * (GitLab's X-Next-Page, Bitbucket Data Center's nextPageStart). */
static char *with_query_value(const char *url, const char *param, const char *value)
{
	gjs_buf out = GJS_BUF_INIT;
	const char *query = strchr(url, '?');
	size_t param_len = strlen(param);
	const char *p;

	if (!query) {
		gjs_buf_printf(&out, "%s?%s=%s", url, param, value);
		return gjs_buf_detach(&out);
	}
	gjs_buf_put(&out, url, (size_t)(query - url));
	gjs_buf_putc(&out, '?');
	p = query + 1;
	while (*p) {
		size_t len = strcspn(p, "&");

		if (strncmp(p, param, param_len) || p[param_len] != '=') {
			gjs_buf_put(&out, p, len);
			gjs_buf_putc(&out, '&');
		}
		p += len;
		if (*p == '&')
			p++;
	}
	gjs_buf_printf(&out, "%s=%s", param, value);
	return gjs_buf_detach(&out);
}

/* Finds the URL of the page after `page`, read from `url`; NULL at the end. */
static int next_url(char **out, gjs_pages_style style, const char *url,
	const gjs_http_response *resp, const cJSON *page, const char *action)
{
	const cJSON *item;
	const char *value;
	char *start;

	*out = NULL;
	switch (style) {
	case GJS_PAGES_ARRAY:
		*out = gjs_http_next_link(resp);
		value = gjs_http_header(resp, "X-Next-Page");
		if (!*out && value && gjs_id_ok(value))
			*out = with_query_value(url, "page", value);
		break;
	case GJS_PAGES_VALUES_NEXT:
		item = cJSON_GetObjectItemCaseSensitive(page, "next");
		if (cJSON_IsString(item))
			*out = gjs_xstrdup(item->valuestring);
		break;
	case GJS_PAGES_VALUES_START:
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(page, "isLastPage")))
			break;
		item = cJSON_GetObjectItemCaseSensitive(page, "nextPageStart");
		if (!item)
			break;
		start = gjs_json_id(item);
		if (!start) {
			gjs_error_set("could not %s: nextPageStart is not a whole number", action);
			return GJS_EINVALID;
		}
		*out = with_query_value(url, "start", start);
		free(start);
		break;
	}
	return 0;
}

int gjs_provider_read_pages(gjs_provider *p, const char *first_url, gjs_pages_style style,
	const char *action, gjs_provider_each_fn each, void *data)
{
	gjs_http_response resp = GJS_HTTP_RESPONSE_INIT;
	gjs_strvec seen = GJS_STRVEC_INIT;
	char *url = gjs_xstrdup(first_url);
	cJSON *page = NULL;
	const cJSON *list, *item;
	int error = 0;

	for (unsigned pages = 0; url; pages++) {
		char *next = NULL;

		if (pages >= GJS_PROVIDER_MAX_PAGES) {
			gjs_error_set("could not %s: stopped after %u pages", action,
				GJS_PROVIDER_MAX_PAGES);
			error = GJS_EINVALID;
			goto done;
		}
		if (gjs_strvec_contains(&seen, url)) {
			char *safe = server_text(p, url);

			gjs_error_set("could not %s: %s sent a next-page link back to a page "
				"already read ('%s'); stopping", action,
				gjs_provider_title(p->pr->kind), safe);
			free(safe);
			error = GJS_EINVALID;
			goto done;
		}
		gjs_strvec_push(&seen, url);

		error = gjs_provider_call(p, &resp, "GET", url, NULL, action, 0);
		if (error < 0)
			goto done;
		if (style == GJS_PAGES_ARRAY) {
			page = cJSON_ParseWithLength(gjs_buf_cstr(&resp.body), resp.body.len);
			list = page;
			if (!cJSON_IsArray(page)) {
				cJSON_Delete(page);
				page = gjs_provider_parse_object(p, &resp, url, action);
				if (page)
					gjs_error_set("could not %s: %s answered %s with something other "
						"than a JSON array", action,
						gjs_provider_title(p->pr->kind), url);
				error = GJS_EINVALID;
				goto done;
			}
		} else {
			page = gjs_provider_parse_object(p, &resp, url, action);
			if (!page) {
				error = GJS_EINVALID;
				goto done;
			}
			/* A page without its list is an error, not an empty page:
			 * reading it as empty would post a second comment. */
			list = cJSON_GetObjectItemCaseSensitive(page, "values");
			if (!cJSON_IsArray(list)) {
				gjs_error_set("could not %s: %s answered %s without a \"values\" list",
					action, gjs_provider_title(p->pr->kind), url);
				error = GJS_EINVALID;
				goto done;
			}
		}
		cJSON_ArrayForEach(item, list)
			each(p, item, data);

		error = next_url(&next, style, url, &resp, page, action);
		cJSON_Delete(page);
		page = NULL;
		free(url);
		url = next;
		if (error < 0)
			goto done;
		if (url) {
			error = gjs_provider_check_next(p, url);
			if (error < 0)
				goto done;
		}
	}

done:
	cJSON_Delete(page);
	free(url);
	gjs_strvec_clear(&seen);
	gjs_http_response_clear(&resp);
	return error;
}
