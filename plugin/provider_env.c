/*
 * Reads the pull or merge request that the comment bot works on from the
 * environment of the CI that runs it: GitHub Actions (with its event file),
 * GitLab CI and Bitbucket Pipelines. Options given on the command line win
 * over every variable; provider.c checks the result.
 */
#include "provider.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Event files above this size are not GitHub events. */
#define MAX_EVENT_BYTES (64u * 1024 * 1024)

static const char *env(const char *name)
{
	const char *value = getenv(name);

	return value && *value ? value : NULL;
}

static bool env_true(const char *name)
{
	const char *value = env(name);

	return value && !strcmp(value, "true");
}

static void set_default(char **field, const char *value)
{
	if (!*field && value)
		*field = gjs_xstrdup(value);
}

static char *strip_trailing_slashes(char *url)
{
	size_t len = strlen(url);

	while (len > 0 && url[len - 1] == '/')
		url[--len] = '\0';
	return url;
}

/* Reports whether `s` ends with `suffix` and has something before it. */
static bool ends_with(const char *s, const char *suffix)
{
	size_t len = strlen(s), slen = strlen(suffix);

	return len > slen && !strcmp(s + len - slen, suffix);
}

/* Removes `suffix` from the end of `url`; reports whether it was there. */
static bool strip_suffix(char *url, const char *suffix)
{
	if (!ends_with(url, suffix))
		return false;
	url[strlen(url) - strlen(suffix)] = '\0';
	return true;
}

/*
 * Brings an API URL given with or without the REST prefix to the one form
 * the calls expect. The Bitbucket Data Center calls add /rest/api/1.0 (and
 * /rest/build-status/1.0) to the server URL themselves, so a trailing REST
 * prefix is removed. GitLab serves its API under /api/v4 of the server URL
 * on every install, so a missing /api/v4 is added. GitHub and Bitbucket
 * Cloud URLs are left as given, because there a server URL cannot be
 * distinguished from an API root (https://api.github.com has no prefix).
 */
static void normalize_api_url(gjs_pull_request *pr)
{
	char *url = strip_trailing_slashes(pr->api_url);

	switch (pr->kind) {
	case GJS_PROVIDER_BITBUCKET_SERVER:
		if (strip_suffix(url, "/rest/api/1.0") || strip_suffix(url, "/rest/api/latest"))
			strip_trailing_slashes(url);
		break;
	case GJS_PROVIDER_GITLAB:
		if (!ends_with(url, "/api/v4")) {
			gjs_buf with = GJS_BUF_INIT;

			gjs_buf_printf(&with, "%s/api/v4", url);
			free(pr->api_url);
			pr->api_url = gjs_buf_detach(&with);
		}
		break;
	case GJS_PROVIDER_GITHUB:
	case GJS_PROVIDER_BITBUCKET:
	case GJS_PROVIDER_NONE:
		break;
	}
}

static int read_file(const char *path, gjs_buf *out)
{
	FILE *file = fopen(path, "rb");
	char chunk[8192];
	size_t got;
	int error = 0;

	if (!file) {
		gjs_error_set("could not open the event file '%s' named by GITHUB_EVENT_PATH: %s; "
			"check the variable, or pass --pr and --base", path, strerror(errno));
		return GJS_EINVALID;
	}
	while ((got = fread(chunk, 1, sizeof(chunk), file)) > 0) {
		if (out->len + got > MAX_EVENT_BYTES) {
			gjs_error_set("'%s' is larger than %u bytes", path, MAX_EVENT_BYTES);
			error = GJS_EINVALID;
			break;
		}
		gjs_buf_put(out, chunk, got);
	}
	if (!error && ferror(file)) {
		gjs_error_set("could not read '%s': %s", path, strerror(errno));
		error = GJS_EINVALID;
	}
	fclose(file);
	return error;
}

static const char *json_string(const cJSON *object, const char *name)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, name);

	return cJSON_IsString(item) ? item->valuestring : NULL;
}

/* Reads pull_request.{number,base.sha,head.sha,labels} of a GitHub event. */
static int github_event(gjs_pull_request *pr, const char *path)
{
	gjs_buf data = GJS_BUF_INIT;
	cJSON *event = NULL;
	const cJSON *request, *labels, *label, *item;
	char *number = NULL;
	int error;

	error = read_file(path, &data);
	if (error < 0) {
		/* With the number and base given, the event adds only labels. */
		if (pr->number && pr->base) {
			gjs_error_clear();
			error = 0;
		}
		goto done;
	}

	event = cJSON_ParseWithLength(data.ptr ? data.ptr : "", data.len);
	if (!event) {
		gjs_error_set("GITHUB_EVENT_PATH '%s' is not valid JSON", path);
		error = GJS_EINVALID;
		goto done;
	}

	request = cJSON_GetObjectItemCaseSensitive(event, "pull_request");
	if (!cJSON_IsObject(request)) {
		/* A push or other event: leave the fields for the options. */
		error = 0;
		goto done;
	}

	item = cJSON_GetObjectItemCaseSensitive(request, "number");
	number = gjs_json_id(item);
	if (item && !number && !pr->number) {
		gjs_error_set("GITHUB_EVENT_PATH '%s': pull_request.number is not a whole "
			"number: pass --pr=NUMBER", path);
		error = GJS_EINVALID;
		goto done;
	}
	if (number && !pr->number) {
		pr->number = number;
		number = NULL;
	}
	set_default(&pr->base, json_string(cJSON_GetObjectItemCaseSensitive(request, "base"), "sha"));
	set_default(&pr->head, json_string(cJSON_GetObjectItemCaseSensitive(request, "head"), "sha"));

	labels = cJSON_GetObjectItemCaseSensitive(request, "labels");
	if (cJSON_IsArray(labels) && !pr->labels_known) {
		cJSON_ArrayForEach(label, labels) {
			const char *name = json_string(label, "name");

			if (name)
				gjs_strvec_push(&pr->labels, name);
		}
		pr->labels_known = true;
	}

done:
	free(number);
	cJSON_Delete(event);
	gjs_buf_free(&data);
	return error;
}

/* Splits GitLab's comma-separated CI_MERGE_REQUEST_LABELS. */
static void split_labels(gjs_strvec *labels, const char *list)
{
	const char *p = list;

	while (*p) {
		size_t len = strcspn(p, ",");

		if (len)
			gjs_strvec_pushn(labels, p, len);
		p += len;
		if (*p == ',')
			p++;
	}
}

size_t gjs_provider_detect_ci(gjs_buf *names)
{
	static const struct {
		const char *variable;
		bool needs_true;
		const char *name;
	} systems[] = {
		{ "GITHUB_ACTIONS", true, "GitHub Actions (GITHUB_ACTIONS)" },
		{ "GITLAB_CI", true, "GitLab CI (GITLAB_CI)" },
		{ "BITBUCKET_BUILD_NUMBER", false, "Bitbucket Pipelines (BITBUCKET_BUILD_NUMBER)" },
	};
	size_t count = 0;

	for (size_t i = 0; i < sizeof(systems) / sizeof(systems[0]); i++) {
		if (systems[i].needs_true ? !env_true(systems[i].variable) :
		    !env(systems[i].variable))
			continue;
		if (names)
			gjs_buf_printf(names, "%s%s", count ? ", " : "", systems[i].name);
		count++;
	}
	return count;
}

/* The event file alone does not mean GitHub Actions: a developer may have
 * GITHUB_EVENT_PATH left over from a local test. */
static gjs_provider_kind detect_ci(void)
{
	if (env_true("GITHUB_ACTIONS"))
		return GJS_PROVIDER_GITHUB;
	if (env_true("GITLAB_CI") || env("CI_MERGE_REQUEST_IID"))
		return GJS_PROVIDER_GITLAB;
	if (env("BITBUCKET_BUILD_NUMBER") || env("BITBUCKET_PR_ID"))
		return GJS_PROVIDER_BITBUCKET;
	return GJS_PROVIDER_NONE;
}

int gjs_pull_request_from_env(gjs_pull_request *pr)
{
	gjs_provider_kind ci = detect_ci();
	const char *value;
	int error = 0;

	if (pr->kind == GJS_PROVIDER_NONE)
		pr->kind = ci;
	if (ci != pr->kind)
		goto defaults;

	switch (ci) {
	case GJS_PROVIDER_GITHUB:
		pr->ci = "GitHub Actions";
		set_default(&pr->api_url, env("GITHUB_API_URL"));
		set_default(&pr->web_url, env("GITHUB_SERVER_URL"));
		set_default(&pr->repo, env("GITHUB_REPOSITORY"));
		value = env("GITHUB_EVENT_PATH");
		if (value)
			error = github_event(pr, value);
		break;

	case GJS_PROVIDER_GITLAB:
		pr->ci = "GitLab CI";
		set_default(&pr->api_url, env("CI_API_V4_URL"));
		set_default(&pr->web_url, env("CI_PROJECT_URL"));
		set_default(&pr->repo, env("CI_PROJECT_ID"));
		set_default(&pr->number, env("CI_MERGE_REQUEST_IID"));
		set_default(&pr->base, env("CI_MERGE_REQUEST_DIFF_BASE_SHA"));
		/* In merged-results pipelines CI_COMMIT_SHA is a temporary merge
		 * commit; the source branch head is what the request shows. */
		set_default(&pr->head, env("CI_MERGE_REQUEST_SOURCE_BRANCH_SHA"));
		set_default(&pr->head, env("CI_COMMIT_SHA"));
		if (!pr->labels_known && env("CI_MERGE_REQUEST_IID")) {
			/* GitLab leaves the variable out when a request has no labels. */
			value = env("CI_MERGE_REQUEST_LABELS");
			if (value)
				split_labels(&pr->labels, value);
			pr->labels_known = true;
		}
		break;

	case GJS_PROVIDER_BITBUCKET:
		pr->ci = "Bitbucket Pipelines";
		set_default(&pr->repo, env("BITBUCKET_REPO_FULL_NAME"));
		set_default(&pr->number, env("BITBUCKET_PR_ID"));
		set_default(&pr->base, env("BITBUCKET_PR_DESTINATION_COMMIT"));
		set_default(&pr->head, env("BITBUCKET_COMMIT"));
		break;

	case GJS_PROVIDER_BITBUCKET_SERVER:
	case GJS_PROVIDER_NONE:
		break;
	}

defaults:
	switch (pr->kind) {
	case GJS_PROVIDER_GITHUB:
		set_default(&pr->api_url, "https://api.github.com");
		break;
	case GJS_PROVIDER_GITLAB:
		set_default(&pr->api_url, "https://gitlab.com/api/v4");
		break;
	case GJS_PROVIDER_BITBUCKET:
		set_default(&pr->api_url, "https://api.bitbucket.org/2.0");
		break;
	case GJS_PROVIDER_BITBUCKET_SERVER:
	case GJS_PROVIDER_NONE:
		break;
	}
	if (pr->api_url)
		normalize_api_url(pr);
	if (pr->web_url)
		strip_trailing_slashes(pr->web_url);
	return error;
}

