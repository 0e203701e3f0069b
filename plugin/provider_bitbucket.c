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

struct comment_list {
	gjs_comment *items;
	size_t count;
};

static char *print_json(cJSON *object)
{
	char *text = cJSON_PrintUnformatted(object);

	cJSON_Delete(object);
	if (!text)
		abort(); /* cJSON fails only when out of memory */
	return text;
}

static cJSON *parse_object(const gjs_http_response *resp, const char *action)
{
	cJSON *json = cJSON_ParseWithLength(gjs_buf_cstr(&resp->body), resp->body.len);

	if (!cJSON_IsObject(json)) {
		cJSON_Delete(json);
		gjs_error_set("could not %s: the answer is not a JSON object", action);
		return NULL;
	}
	return json;
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

static int cloud_find_comments(gjs_provider *p, gjs_comment **out, size_t *count)
{
	static const char action[] = "list the comments of the pull request";
	gjs_http_response resp = GJS_HTTP_RESPONSE_INIT;
	struct comment_list list = { NULL, 0 };
	gjs_buf first = GJS_BUF_INIT;
	cJSON *page = NULL;
	char *url;
	int error = 0;

	cloud_request_url(&first, p);
	gjs_buf_printf(&first, "/comments?pagelen=%d", PAGE_SIZE);
	url = gjs_buf_detach(&first);

	for (unsigned pages = 0; url; pages++) {
		const cJSON *values, *item, *next;

		if (pages >= GJS_PROVIDER_MAX_PAGES) {
			gjs_error_set("could not %s: more than %u pages", action,
				GJS_PROVIDER_MAX_PAGES);
			error = GJS_EINVALID;
			goto done;
		}
		error = gjs_provider_call(p, &resp, "GET", url, NULL, action, 0);
		if (error < 0)
			goto done;
		page = parse_object(&resp, action);
		if (!page) {
			error = GJS_EINVALID;
			goto done;
		}

		values = cJSON_GetObjectItemCaseSensitive(page, "values");
		cJSON_ArrayForEach(item, values) {
			const cJSON *content = cJSON_GetObjectItemCaseSensitive(item, "content");
			const cJSON *raw = cJSON_GetObjectItemCaseSensitive(content, "raw");
			char *id;

			if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(item, "deleted")))
				continue;
			if (!cJSON_IsString(raw) || !gjs_provider_has_marker(p->pr->kind, raw->valuestring))
				continue;
			id = gjs_json_id(cJSON_GetObjectItemCaseSensitive(item, "id"));
			if (id)
				gjs_comments_add(&list.items, &list.count, id, 0);
			free(id);
		}

		next = cJSON_GetObjectItemCaseSensitive(page, "next");
		free(url);
		url = cJSON_IsString(next) ? gjs_xstrdup(next->valuestring) : NULL;
		cJSON_Delete(page);
		page = NULL;
		if (url) {
			error = gjs_provider_check_next(p, url);
			if (error < 0)
				goto done;
		}
	}

done:
	cJSON_Delete(page);
	free(url);
	gjs_http_response_clear(&resp);
	if (error < 0) {
		gjs_comments_free(list.items, list.count);
		return error;
	}
	*out = list.items;
	*count = list.count;
	return 0;
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

static long json_long(const cJSON *object, const char *name, long fallback)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, name);

	return cJSON_IsNumber(item) ? (long)item->valuedouble : fallback;
}

/*
 * Activities list the request's events, newest first. A comment shows up
 * once per event that touched it; a DELETED event means it is gone.
 */
static int server_find_comments(gjs_provider *p, gjs_comment **out, size_t *count)
{
	static const char action[] = "list the activities of the pull request";
	gjs_http_response resp = GJS_HTTP_RESPONSE_INIT;
	struct comment_list list = { NULL, 0 };
	gjs_strvec deleted = GJS_STRVEC_INIT;
	gjs_buf url = GJS_BUF_INIT;
	cJSON *page = NULL;
	long start = 0;
	int error = 0;

	for (unsigned pages = 0;; pages++) {
		const cJSON *values, *item;

		if (pages >= GJS_PROVIDER_MAX_PAGES) {
			gjs_error_set("could not %s: more than %u pages", action,
				GJS_PROVIDER_MAX_PAGES);
			error = GJS_EINVALID;
			goto done;
		}
		gjs_buf_clear(&url);
		server_request_url(&url, p);
		gjs_buf_printf(&url, "/activities?start=%ld&limit=%d", start, PAGE_SIZE);
		error = gjs_provider_call(p, &resp, "GET", url.ptr, NULL, action, 0);
		if (error < 0)
			goto done;
		page = parse_object(&resp, action);
		if (!page) {
			error = GJS_EINVALID;
			goto done;
		}

		values = cJSON_GetObjectItemCaseSensitive(page, "values");
		cJSON_ArrayForEach(item, values) {
			const cJSON *what = cJSON_GetObjectItemCaseSensitive(item, "action");
			const cJSON *change = cJSON_GetObjectItemCaseSensitive(item, "commentAction");
			const cJSON *comment = cJSON_GetObjectItemCaseSensitive(item, "comment");
			const cJSON *text = cJSON_GetObjectItemCaseSensitive(comment, "text");
			char *id;

			if (!cJSON_IsString(what) || strcmp(what->valuestring, "COMMENTED"))
				continue;
			id = gjs_json_id(cJSON_GetObjectItemCaseSensitive(comment, "id"));
			if (!id)
				continue;
			if (cJSON_IsString(change) && !strcmp(change->valuestring, "DELETED"))
				gjs_strvec_push(&deleted, id);
			else if (cJSON_IsString(text) &&
				 gjs_provider_has_marker(p->pr->kind, text->valuestring))
				gjs_comments_add(&list.items, &list.count, id,
					json_long(comment, "version", 0));
			free(id);
		}

		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(page, "isLastPage")) ||
		    !cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(page, "nextPageStart")))
			break;
		if (json_long(page, "nextPageStart", 0) <= start) {
			gjs_error_set("could not %s: nextPageStart does not advance", action);
			error = GJS_EINVALID;
			goto done;
		}
		start = json_long(page, "nextPageStart", 0);
		cJSON_Delete(page);
		page = NULL;
	}

	/* Drop comments that a later activity deleted. */
	for (size_t i = 0; i < list.count;) {
		if (!gjs_strvec_contains(&deleted, list.items[i].id)) {
			i++;
			continue;
		}
		free(list.items[i].id);
		memmove(list.items + i, list.items + i + 1, (list.count - i - 1) * sizeof(*list.items));
		list.count--;
	}

done:
	cJSON_Delete(page);
	gjs_buf_free(&url);
	gjs_strvec_clear(&deleted);
	gjs_http_response_clear(&resp);
	if (error < 0) {
		gjs_comments_free(list.items, list.count);
		return error;
	}
	*out = list.items;
	*count = list.count;
	return 0;
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
	comment = parse_object(&resp, action);
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
	server_find_comments,
	server_create_comment,
	server_update_comment,
	server_delete_comment,
	server_set_status,
	NULL,
};
