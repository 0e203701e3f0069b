/*
 * GitHub and GitHub Enterprise Server REST calls for the comment bot. A pull
 * request's conversation comments are issue comments; pages follow the Link
 * header's rel="next"; the status is a commit status with context
 * "jira-scopes".
 */
#include "provider.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

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

/*
 * A personal access token can read its own user; the workflow's
 * GITHUB_TOKEN and other GitHub App installation tokens get 403. In a
 * workflow such a token posts as github-actions[bot]; another App's token
 * needs --bot-user=NAME[bot].
 */
static int github_fetch_identity(gjs_provider *p, char **name)
{
	gjs_buf url = GJS_BUF_INIT;
	cJSON *account = NULL;
	const char *login, *actions = getenv("GITHUB_ACTIONS");
	int error;

	gjs_buf_printf(&url, "%s/user", p->pr->api_url);
	error = gjs_provider_get_account(p, url.ptr, (void **)&account);
	gjs_buf_free(&url);
	if (error < 0)
		return error;
	login = json_string(account, "login");
	if (login)
		*name = gjs_xstrdup(login);
	else if (!account && actions && !strcmp(actions, "true"))
		*name = gjs_xstrdup("github-actions[bot]");
	cJSON_Delete(account);
	return 0;
}

static void collect_comment(gjs_provider *p, const void *json, void *data)
{
	const cJSON *item = json;
	const cJSON *body = cJSON_GetObjectItemCaseSensitive(item, "body");
	const cJSON *user = cJSON_GetObjectItemCaseSensitive(item, "user");
	const char *type = json_string(user, "type");
	const char *keys[3] = { json_string(user, "login"), NULL, NULL };

	if (!cJSON_IsString(body) || !gjs_provider_has_marker(p->pr->kind, body->valuestring))
		return;
	gjs_provider_consider(p, data, cJSON_GetObjectItemCaseSensitive(item, "id"), 0, keys,
		type && !strcmp(type, "Bot"));
}

static int github_find_comments(gjs_provider *p, gjs_comment_list *list)
{
	gjs_buf url = GJS_BUF_INIT;
	int error;

	gjs_buf_printf(&url, "%s/repos/%s/issues/%s/comments?per_page=100", p->pr->api_url,
		p->pr->repo, p->pr->number);
	error = gjs_provider_read_pages(p, url.ptr, GJS_PAGES_ARRAY,
		"list the comments of the pull request", collect_comment, list);
	gjs_buf_free(&url);
	return error;
}

static int github_create_comment(gjs_provider *p, const char *body, char **id)
{
	gjs_http_response resp = GJS_HTTP_RESPONSE_INIT;
	gjs_buf url = GJS_BUF_INIT;
	char *json = json_body("body", body);
	cJSON *created = NULL;
	int error;

	gjs_buf_printf(&url, "%s/repos/%s/issues/%s/comments", p->pr->api_url, p->pr->repo,
		p->pr->number);
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

static int github_update_comment(gjs_provider *p, const gjs_comment *comment, const char *body)
{
	gjs_http_response resp = GJS_HTTP_RESPONSE_INIT;
	gjs_buf url = GJS_BUF_INIT;
	char *json = json_body("body", body);
	int error;

	gjs_buf_printf(&url, "%s/repos/%s/issues/comments/%s", p->pr->api_url, p->pr->repo,
		comment->id);
	error = gjs_provider_call(p, &resp, "PATCH", url.ptr, json,
		"update the comment on the pull request", 0);
	cJSON_free(json);
	gjs_buf_free(&url);
	gjs_http_response_clear(&resp);
	return error;
}

static int github_delete_comment(gjs_provider *p, const gjs_comment *comment)
{
	gjs_http_response resp = GJS_HTTP_RESPONSE_INIT;
	gjs_buf url = GJS_BUF_INIT;
	int error;

	gjs_buf_printf(&url, "%s/repos/%s/issues/comments/%s", p->pr->api_url, p->pr->repo,
		comment->id);
	error = gjs_provider_call(p, &resp, "DELETE", url.ptr, NULL,
		"delete a duplicate comment", 0);
	gjs_buf_free(&url);
	gjs_http_response_clear(&resp);
	return error;
}

static int github_set_status(gjs_provider *p, const gjs_commit_status *status)
{
	gjs_http_response resp = GJS_HTTP_RESPONSE_INIT;
	gjs_buf url = GJS_BUF_INIT;
	cJSON *object = cJSON_CreateObject();
	char *json;
	int error;

	cJSON_AddStringToObject(object, "state", status->success ? "success" : "failure");
	cJSON_AddStringToObject(object, "context", "jira-scopes");
	cJSON_AddStringToObject(object, "description", status->description);
	if (status->target_url)
		cJSON_AddStringToObject(object, "target_url", status->target_url);
	json = cJSON_PrintUnformatted(object);
	cJSON_Delete(object);
	if (!json)
		abort();

	gjs_buf_printf(&url, "%s/repos/%s/statuses/%s", p->pr->api_url, p->pr->repo, status->sha);
	error = gjs_provider_call(p, &resp, "POST", url.ptr, json, "set the commit status", 0);
	cJSON_free(json);
	gjs_buf_free(&url);
	gjs_http_response_clear(&resp);
	return error;
}

static void collect_label(gjs_provider *p, const void *json, void *data)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(json, "name");

	(void)p;
	if (cJSON_IsString(name))
		gjs_strvec_push(data, name->valuestring);
}

static int github_fetch_labels(gjs_provider *p, gjs_strvec *labels)
{
	gjs_buf url = GJS_BUF_INIT;
	int error;

	gjs_buf_printf(&url, "%s/repos/%s/issues/%s/labels?per_page=100", p->pr->api_url,
		p->pr->repo, p->pr->number);
	error = gjs_provider_read_pages(p, url.ptr, GJS_PAGES_ARRAY,
		"read the labels of the pull request", collect_label, labels);
	gjs_buf_free(&url);
	return error;
}

const gjs_provider_ops gjs_github_ops = {
	github_fetch_identity,
	github_find_comments,
	github_create_comment,
	github_update_comment,
	github_delete_comment,
	github_set_status,
	github_fetch_labels,
};
