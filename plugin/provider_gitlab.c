/*
 * GitLab (gitlab.com and self-managed) REST calls for the comment bot: merge
 * request notes, pages by Link or X-Next-Page, commit statuses named
 * "jira-scopes", and merge request labels.
 */
#include "provider.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

/* Appends "API/projects/ID/merge_requests/IID" to `url`. */
static void request_url(gjs_buf *url, const gjs_provider *p)
{
	char *project = gjs_http_escape(p->pr->repo);

	gjs_buf_printf(url, "%s/projects/%s/merge_requests/%s", p->pr->api_url, project,
		p->pr->number);
	free(project);
}

static char *json_body(const char *key, const char *value)
{
	cJSON *object = cJSON_CreateObject();
	char *text;

	cJSON_AddStringToObject(object, key, value);
	text = cJSON_PrintUnformatted(object);
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

/* Every GitLab token, project and group access tokens included, can read
 * its user with the 'api' scope. */
static int gitlab_fetch_identity(gjs_provider *p, char **name)
{
	gjs_buf url = GJS_BUF_INIT;
	cJSON *account = NULL;
	const char *username;
	int error;

	gjs_buf_printf(&url, "%s/user", p->pr->api_url);
	error = gjs_provider_get_account(p, url.ptr, (void **)&account);
	gjs_buf_free(&url);
	if (error < 0)
		return error;
	username = json_string(account, "username");
	if (username)
		*name = gjs_xstrdup(username);
	cJSON_Delete(account);
	return 0;
}

/* Project and group access tokens act as users named
 * project_ID_bot_HASH or group_ID_bot_HASH. */
static bool gitlab_bot_like(const cJSON *author)
{
	const char *username = json_string(author, "username");

	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(author, "bot")))
		return true;
	return username && (!strncmp(username, "project_", 8) || !strncmp(username, "group_", 6)) &&
		strstr(username, "_bot");
}

static void collect_note(gjs_provider *p, const void *json, void *data)
{
	const cJSON *item = json;
	const cJSON *body = cJSON_GetObjectItemCaseSensitive(item, "body");
	const cJSON *author = cJSON_GetObjectItemCaseSensitive(item, "author");
	const char *keys[3] = { json_string(author, "username"), NULL, NULL };

	/* System notes ("added 1 commit") are GitLab's, never ours. */
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(item, "system")))
		return;
	if (!cJSON_IsString(body) || !gjs_provider_has_marker(p->pr->kind, body->valuestring))
		return;
	gjs_provider_consider(p, data, cJSON_GetObjectItemCaseSensitive(item, "id"), 0, keys,
		gitlab_bot_like(author));
}

static int gitlab_find_comments(gjs_provider *p, gjs_comment_list *list)
{
	gjs_buf url = GJS_BUF_INIT;
	int error;

	request_url(&url, p);
	gjs_buf_puts(&url, "/notes?per_page=100&sort=asc&order_by=created_at");
	error = gjs_provider_read_pages(p, url.ptr, GJS_PAGES_ARRAY,
		"list the notes of the merge request", collect_note, list);
	gjs_buf_free(&url);
	return error;
}

static int gitlab_create_comment(gjs_provider *p, const char *body, char **id)
{
	gjs_http_response resp = GJS_HTTP_RESPONSE_INIT;
	gjs_buf url = GJS_BUF_INIT;
	char *json = json_body("body", body);
	cJSON *created = NULL;
	int error;

	request_url(&url, p);
	gjs_buf_puts(&url, "/notes");
	error = gjs_provider_call(p, &resp, "POST", url.ptr, json,
		"post a note on the merge request", 0);
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

static int gitlab_update_comment(gjs_provider *p, const gjs_comment *comment, const char *body)
{
	gjs_http_response resp = GJS_HTTP_RESPONSE_INIT;
	gjs_buf url = GJS_BUF_INIT;
	char *json = json_body("body", body);
	int error;

	request_url(&url, p);
	gjs_buf_printf(&url, "/notes/%s", comment->id);
	error = gjs_provider_call(p, &resp, "PUT", url.ptr, json,
		"update the note on the merge request", 0);
	cJSON_free(json);
	gjs_buf_free(&url);
	gjs_http_response_clear(&resp);
	return error;
}

static int gitlab_delete_comment(gjs_provider *p, const gjs_comment *comment)
{
	gjs_http_response resp = GJS_HTTP_RESPONSE_INIT;
	gjs_buf url = GJS_BUF_INIT;
	int error;

	request_url(&url, p);
	gjs_buf_printf(&url, "/notes/%s", comment->id);
	error = gjs_provider_call(p, &resp, "DELETE", url.ptr, NULL, "delete a duplicate note", 0);
	gjs_buf_free(&url);
	gjs_http_response_clear(&resp);
	return error;
}

static int gitlab_set_status(gjs_provider *p, const gjs_commit_status *status)
{
	gjs_http_response resp = GJS_HTTP_RESPONSE_INIT;
	gjs_buf url = GJS_BUF_INIT;
	cJSON *object = cJSON_CreateObject();
	char *project = gjs_http_escape(p->pr->repo);
	char *json;
	int error;

	cJSON_AddStringToObject(object, "state", status->success ? "success" : "failed");
	cJSON_AddStringToObject(object, "name", "jira-scopes");
	cJSON_AddStringToObject(object, "description", status->description);
	if (status->target_url)
		cJSON_AddStringToObject(object, "target_url", status->target_url);
	json = cJSON_PrintUnformatted(object);
	cJSON_Delete(object);
	if (!json)
		abort();

	gjs_buf_printf(&url, "%s/projects/%s/statuses/%s", p->pr->api_url, project, status->sha);
	error = gjs_provider_call(p, &resp, "POST", url.ptr, json, "set the commit status", 400);
	/*
	 * GitLab rejects a status that already has the requested state with 400
	 * "Cannot transition status via :x from :y", so nothing is left to do.
	 */
	if (!error && resp.status == 400) {
		if (strstr(gjs_buf_cstr(&resp.body), "Cannot transition status")) {
			error = 0;
		} else {
			char *said = gjs_http_redact(p->http, gjs_buf_cstr(&resp.body));
			char *safe = gjs_sanitize(said);

			gjs_error_set("could not set the commit status: GitLab answered 400 (%.200s)",
				safe);
			free(safe);
			free(said);
			error = GJS_EINVALID;
		}
	}
	cJSON_free(json);
	free(project);
	gjs_buf_free(&url);
	gjs_http_response_clear(&resp);
	return error;
}

static int gitlab_fetch_labels(gjs_provider *p, gjs_strvec *labels)
{
	gjs_http_response resp = GJS_HTTP_RESPONSE_INIT;
	gjs_buf url = GJS_BUF_INIT;
	cJSON *request = NULL;
	const cJSON *list, *label;
	int error;

	request_url(&url, p);
	error = gjs_provider_call(p, &resp, "GET", url.ptr, NULL,
		"read the labels of the merge request", 0);
	if (error < 0)
		goto done;

	request = cJSON_ParseWithLength(gjs_buf_cstr(&resp.body), resp.body.len);
	list = cJSON_GetObjectItemCaseSensitive(request, "labels");
	cJSON_ArrayForEach(label, list) {
		/* Names by default; objects with with_labels_details=true. */
		if (cJSON_IsString(label)) {
			gjs_strvec_push(labels, label->valuestring);
		} else {
			const cJSON *name = cJSON_GetObjectItemCaseSensitive(label, "name");

			if (cJSON_IsString(name))
				gjs_strvec_push(labels, name->valuestring);
		}
	}

done:
	cJSON_Delete(request);
	gjs_buf_free(&url);
	gjs_http_response_clear(&resp);
	return error;
}

const gjs_provider_ops gjs_gitlab_ops = {
	gitlab_fetch_identity,
	gitlab_find_comments,
	gitlab_create_comment,
	gitlab_update_comment,
	gitlab_delete_comment,
	gitlab_set_status,
	gitlab_fetch_labels,
};
