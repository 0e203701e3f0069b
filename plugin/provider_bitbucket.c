/*
 * Bitbucket REST calls for the comment bot. Bitbucket Cloud (API 2.0):
 * pull request comments paged by the body's "next" URL, build statuses
 * keyed "jira-scopes". Bitbucket Data Center (REST 1.0): comments found
 * through the pull request activities, paged by isLastPage/nextPageStart,
 * updated with the comment's version (a 409 means someone else changed it),
 * and build statuses through the build-status API.
 */
#include "provider.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

/* Items per page requested from both APIs. A server that serves fewer
 * still pages correctly, because the next-page fields drive the loop. */
#define PAGE_SIZE 100

static char *print_json(cJSON *object)
{
	char *text = cJSON_PrintUnformatted(object);

	cJSON_Delete(object);
	if (!text)
		abort(); /* cJSON fails only when out of memory */
	return text;
}

static const char *json_string(const cJSON *object, const char *name)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, name);

	return cJSON_IsString(item) ? item->valuestring : NULL;
}

/* Bitbucket Cloud */

static void cloud_request_url(gjs_buf *url, const gjs_provider *p)
{
	gjs_buf_printf(url, "%s/repositories/%s/pullrequests/%s", p->pr->api_url, p->pr->repo,
		p->pr->number);
}

static char *cloud_comment_json(const char *body)
{
	cJSON *object = cJSON_CreateObject();
	cJSON *content = cJSON_AddObjectToObject(object, "content");

	cJSON_AddStringToObject(content, "raw", body);
	return print_json(object);
}

/* An app password can read its user; access tokens are refused, so their
 * bot account stays unknown unless --bot-user names it. */
static int cloud_fetch_identity(gjs_provider *p, char **name)
{
	gjs_buf url = GJS_BUF_INIT;
	cJSON *account = NULL;
	const char *uuid;
	int error;

	gjs_buf_printf(&url, "%s/user", p->pr->api_url);
	error = gjs_provider_get_account(p, url.ptr, (void **)&account);
	gjs_buf_free(&url);
	if (error < 0)
		return error;
	uuid = json_string(account, "uuid");
	if (uuid)
		*name = gjs_xstrdup(uuid);
	cJSON_Delete(account);
	return 0;
}

static void collect_cloud_comment(gjs_provider *p, const void *json, void *data)
{
	const cJSON *item = json;
	const cJSON *content = cJSON_GetObjectItemCaseSensitive(item, "content");
	const cJSON *raw = cJSON_GetObjectItemCaseSensitive(content, "raw");
	const cJSON *user = cJSON_GetObjectItemCaseSensitive(item, "user");
	const char *type = json_string(user, "type");
	const char *keys[3] = { json_string(user, "uuid"), json_string(user, "account_id"),
		json_string(user, "nickname") };

	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(item, "deleted")))
		return;
	if (!cJSON_IsString(raw) || !gjs_provider_has_marker(p->pr->kind, raw->valuestring))
		return;
	/* NOTE: the bot users of access tokens are assumed to have the type
	 * "app_user"; people have "user". */
	gjs_provider_consider(p, data, cJSON_GetObjectItemCaseSensitive(item, "id"), 0, keys,
		type && !strcmp(type, "app_user"));
}

static int cloud_find_comments(gjs_provider *p, gjs_comment_list *list)
{
	gjs_buf url = GJS_BUF_INIT;
	int error;

	cloud_request_url(&url, p);
	gjs_buf_printf(&url, "/comments?pagelen=%d", PAGE_SIZE);
	error = gjs_provider_read_pages(p, url.ptr, GJS_PAGES_VALUES_NEXT,
		"list the comments of the pull request", collect_cloud_comment, list);
	gjs_buf_free(&url);
	return error;
}

static int cloud_create_comment(gjs_provider *p, const char *body, char **id)
{
	gjs_http_response resp = GJS_HTTP_RESPONSE_INIT;
	gjs_buf url = GJS_BUF_INIT;
	char *json = cloud_comment_json(body);
	cJSON *created = NULL;
	int error;

	cloud_request_url(&url, p);
	gjs_buf_puts(&url, "/comments");
	error = gjs_provider_call(p, &resp, "POST", url.ptr, json,
		"post a comment on the pull request", 0);
	if (error < 0)
		goto done;
	created = cJSON_ParseWithLength(gjs_buf_cstr(&resp.body), resp.body.len);
	*id = gjs_json_id(cJSON_GetObjectItemCaseSensitive(created, "id"));

done:
	cJSON_Delete(created);
	cJSON_free(json);
	gjs_buf_free(&url);
	gjs_http_response_clear(&resp);
	return error;
}

static int cloud_update_comment(gjs_provider *p, const gjs_comment *comment, const char *body)
{
	gjs_http_response resp = GJS_HTTP_RESPONSE_INIT;
	gjs_buf url = GJS_BUF_INIT;
	char *json = cloud_comment_json(body);
	int error;

	cloud_request_url(&url, p);
	gjs_buf_printf(&url, "/comments/%s", comment->id);
	error = gjs_provider_call(p, &resp, "PUT", url.ptr, json,
		"update the comment on the pull request", 0);
	cJSON_free(json);
	gjs_buf_free(&url);
	gjs_http_response_clear(&resp);
	return error;
}

static int cloud_delete_comment(gjs_provider *p, const gjs_comment *comment)
{
	gjs_http_response resp = GJS_HTTP_RESPONSE_INIT;
	gjs_buf url = GJS_BUF_INIT;
	int error;

	cloud_request_url(&url, p);
	gjs_buf_printf(&url, "/comments/%s", comment->id);
	error = gjs_provider_call(p, &resp, "DELETE", url.ptr, NULL,
		"delete a duplicate comment", 0);
	gjs_buf_free(&url);
	gjs_http_response_clear(&resp);
	return error;
}

static char *build_status_json(const gjs_commit_status *status)
{
	cJSON *object = cJSON_CreateObject();

	cJSON_AddStringToObject(object, "key", "jira-scopes");
	cJSON_AddStringToObject(object, "state", status->success ? "SUCCESSFUL" : "FAILED");
	cJSON_AddStringToObject(object, "name", "jira-scopes");
	cJSON_AddStringToObject(object, "description", status->description);
	/* Both Bitbucket APIs require a URL for a build status. */
	cJSON_AddStringToObject(object, "url", status->target_url ? status->target_url : "");
	return print_json(object);
}

static int cloud_set_status(gjs_provider *p, const gjs_commit_status *status)
{
	gjs_http_response resp = GJS_HTTP_RESPONSE_INIT;
	gjs_buf url = GJS_BUF_INIT;
	char *json = build_status_json(status);
	int error;

	gjs_buf_printf(&url, "%s/repositories/%s/commit/%s/statuses/build", p->pr->api_url,
		p->pr->repo, status->sha);
	error = gjs_provider_call(p, &resp, "POST", url.ptr, json, "set the build status", 0);
	cJSON_free(json);
	gjs_buf_free(&url);
	gjs_http_response_clear(&resp);
	return error;
}

const gjs_provider_ops gjs_bitbucket_ops = {
	cloud_fetch_identity,
	cloud_find_comments,
	cloud_create_comment,
	cloud_update_comment,
	cloud_delete_comment,
	cloud_set_status,
	NULL,
};

/* Bitbucket Data Center */

static void server_request_url(gjs_buf *url, const gjs_provider *p)
{
	const char *slash = strchr(p->pr->repo, '/');

	gjs_buf_printf(url, "%s/rest/api/1.0/projects/%.*s/repos/%s/pull-requests/%s",
		p->pr->api_url, (int)(slash - p->pr->repo), p->pr->repo, slash + 1, p->pr->number);
}

/* Reads a whole number that fits a long; anything else gives `fallback`,
 * because converting an out-of-range double is undefined behaviour. */
static long json_long(const cJSON *object, const char *name, long fallback)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, name);
	double value;

	if (!cJSON_IsNumber(item))
		return fallback;
	value = item->valuedouble;
	if (!(value >= -2147483648.0 && value <= 2147483647.0) || value != (double)(long)value)
		return fallback;
	return (long)value;
}

/*
 * Bitbucket Data Center has no REST call that names the token's user, but
 * it sends the user name in the X-AUSERNAME header of every authenticated
 * answer. Project and repository tokens act as a service user.
 */
static int server_fetch_identity(gjs_provider *p, char **name)
{
	gjs_http_response resp = GJS_HTTP_RESPONSE_INIT;
	gjs_buf url = GJS_BUF_INIT;
	const char *user;
	int error;

	server_request_url(&url, p);
	error = gjs_provider_call(p, &resp, "GET", url.ptr, NULL, "read the pull request", 0);
	user = error < 0 ? NULL : gjs_http_header(&resp, "X-AUSERNAME");
	if (user && *user)
		*name = gjs_xstrdup(user);
	gjs_buf_free(&url);
	gjs_http_response_clear(&resp);
	return error;
}

struct activities {
	gjs_comment_list *list;
	gjs_strvec deleted;
};

/* Activities list the request's events, newest first. A comment shows up
 * once per event that touched it; a DELETED event means it is gone. */
static void collect_activity(gjs_provider *p, const void *json, void *data)
{
	const cJSON *item = json;
	struct activities *seen = data;
	const cJSON *what = cJSON_GetObjectItemCaseSensitive(item, "action");
	const cJSON *change = cJSON_GetObjectItemCaseSensitive(item, "commentAction");
	const cJSON *comment = cJSON_GetObjectItemCaseSensitive(item, "comment");
	const cJSON *text = cJSON_GetObjectItemCaseSensitive(comment, "text");
	const cJSON *author = cJSON_GetObjectItemCaseSensitive(comment, "author");
	const char *type = json_string(author, "type");
	const char *keys[3] = { json_string(author, "name"), json_string(author, "slug"), NULL };
	char *id;

	if (!cJSON_IsString(what) || strcmp(what->valuestring, "COMMENTED"))
		return;
	if (cJSON_IsString(change) && !strcmp(change->valuestring, "DELETED")) {
		id = gjs_json_id(cJSON_GetObjectItemCaseSensitive(comment, "id"));
		if (id)
			gjs_strvec_push(&seen->deleted, id);
		free(id);
		return;
	}
	if (!cJSON_IsString(text) || !gjs_provider_has_marker(p->pr->kind, text->valuestring))
		return;
	gjs_provider_consider(p, seen->list, cJSON_GetObjectItemCaseSensitive(comment, "id"),
		json_long(comment, "version", 0), keys, type && !strcmp(type, "SERVICE"));
}

static int server_find_comments(gjs_provider *p, gjs_comment_list *list)
{
	struct activities seen = { list, GJS_STRVEC_INIT };
	gjs_buf url = GJS_BUF_INIT;
	int error;

	server_request_url(&url, p);
	gjs_buf_printf(&url, "/activities?limit=%d&start=0", PAGE_SIZE);
	error = gjs_provider_read_pages(p, url.ptr, GJS_PAGES_VALUES_START,
		"list the activities of the pull request", collect_activity, &seen);

	/* Drop comments that a later activity deleted. */
	for (size_t i = 0; !error && i < list->count;) {
		if (!gjs_strvec_contains(&seen.deleted, list->items[i].id)) {
			i++;
			continue;
		}
		free(list->items[i].id);
		memmove(list->items + i, list->items + i + 1,
			(list->count - i - 1) * sizeof(*list->items));
		list->count--;
	}
	gjs_strvec_clear(&seen.deleted);
	gjs_buf_free(&url);
	return error;
}

static int server_create_comment(gjs_provider *p, const char *body, char **id)
{
	gjs_http_response resp = GJS_HTTP_RESPONSE_INIT;
	gjs_buf url = GJS_BUF_INIT;
	cJSON *object = cJSON_CreateObject();
	cJSON *created = NULL;
	char *json;
	int error;

	cJSON_AddStringToObject(object, "text", body);
	json = print_json(object);
	server_request_url(&url, p);
	gjs_buf_puts(&url, "/comments");
	error = gjs_provider_call(p, &resp, "POST", url.ptr, json,
		"post a comment on the pull request", 0);
	if (error < 0)
		goto done;
	created = cJSON_ParseWithLength(gjs_buf_cstr(&resp.body), resp.body.len);
	*id = gjs_json_id(cJSON_GetObjectItemCaseSensitive(created, "id"));

done:
	cJSON_Delete(created);
	cJSON_free(json);
	gjs_buf_free(&url);
	gjs_http_response_clear(&resp);
	return error;
}

/* Reads the current version of a comment. */
static int server_comment_version(gjs_provider *p, const char *id, long *version)
{
	static const char action[] = "read the comment's current version";
	gjs_http_response resp = GJS_HTTP_RESPONSE_INIT;
	gjs_buf url = GJS_BUF_INIT;
	cJSON *comment = NULL;
	int error;

	server_request_url(&url, p);
	gjs_buf_printf(&url, "/comments/%s", id);
	error = gjs_provider_call(p, &resp, "GET", url.ptr, NULL, action, 0);
	if (error < 0)
		goto done;
	comment = gjs_provider_parse_object(p, &resp, url.ptr, action);
	if (!comment || json_long(comment, "version", -1) < 0) {
		if (comment)
			gjs_error_set("could not %s: the answer has no version", action);
		error = GJS_EINVALID;
		goto done;
	}
	*version = json_long(comment, "version", 0);

done:
	cJSON_Delete(comment);
	gjs_buf_free(&url);
	gjs_http_response_clear(&resp);
	return error;
}

static int server_update_comment(gjs_provider *p, const gjs_comment *comment, const char *body)
{
	static const char action[] = "update the comment on the pull request";
	gjs_http_response resp = GJS_HTTP_RESPONSE_INIT;
	gjs_buf url = GJS_BUF_INIT;
	long version = comment->version;
	char *json = NULL;
	int error = 0;

	server_request_url(&url, p);
	gjs_buf_printf(&url, "/comments/%s", comment->id);

	/*
	 * The version is an optimistic lock. A 409 means the comment changed
	 * since it was listed: read the fresh version and try once more.
	 */
	for (int attempt = 0; attempt < 2; attempt++) {
		cJSON *object = cJSON_CreateObject();

		cJSON_AddStringToObject(object, "text", body);
		cJSON_AddNumberToObject(object, "version", (double)version);
		cJSON_free(json);
		json = print_json(object);

		error = gjs_provider_call(p, &resp, "PUT", url.ptr, json, action, attempt ? 0 : 409);
		if (error < 0 || resp.status != 409)
			break;
		error = server_comment_version(p, comment->id, &version);
		if (error < 0)
			break;
	}
	if (error < 0 && resp.status == 409)
		gjs_error_set("could not %s: the comment changed twice while the bot updated it; "
			"run the job again", action);

	cJSON_free(json);
	gjs_buf_free(&url);
	gjs_http_response_clear(&resp);
	return error;
}

static int server_delete_comment(gjs_provider *p, const gjs_comment *comment)
{
	gjs_http_response resp = GJS_HTTP_RESPONSE_INIT;
	gjs_buf url = GJS_BUF_INIT;
	int error;

	server_request_url(&url, p);
	gjs_buf_printf(&url, "/comments/%s?version=%ld", comment->id, comment->version);
	error = gjs_provider_call(p, &resp, "DELETE", url.ptr, NULL,
		"delete a duplicate comment", 0);
	gjs_buf_free(&url);
	gjs_http_response_clear(&resp);
	return error;
}

static int server_set_status(gjs_provider *p, const gjs_commit_status *status)
{
	gjs_http_response resp = GJS_HTTP_RESPONSE_INIT;
	gjs_buf url = GJS_BUF_INIT;
	char *json = build_status_json(status);
	int error;

	gjs_buf_printf(&url, "%s/rest/build-status/1.0/commits/%s", p->pr->api_url, status->sha);
	error = gjs_provider_call(p, &resp, "POST", url.ptr, json, "set the build status", 0);
	cJSON_free(json);
	gjs_buf_free(&url);
	gjs_http_response_clear(&resp);
	return error;
}

const gjs_provider_ops gjs_bitbucket_server_ops = {
	server_fetch_identity,
	server_find_comments,
	server_create_comment,
	server_update_comment,
	server_delete_comment,
	server_set_status,
	NULL,
};
