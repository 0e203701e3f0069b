/*
 * What the four forge providers share: reading the pull or merge request
 * from the CI environment, credentials, markers, size limits, links, and
 * turning HTTP failures into messages that name the missing token or
 * permission. The calls themselves are in provider_github.c,
 * provider_gitlab.c and provider_bitbucket.c.
 */
#include "provider.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The marker's text; the same on every provider so that a repository moved
 * between forges keeps one comment per request. */
#define MARKER_NAME "jira-scopes-report"

/* Event files above this size are not GitHub events. */
#define MAX_EVENT_BYTES (64u * 1024 * 1024)

gjs_provider_kind gjs_provider_parse(const char *name)
{
	if (!strcmp(name, "github"))
		return GJS_PROVIDER_GITHUB;
	if (!strcmp(name, "gitlab"))
		return GJS_PROVIDER_GITLAB;
	if (!strcmp(name, "bitbucket") || !strcmp(name, "bitbucket-cloud"))
		return GJS_PROVIDER_BITBUCKET;
	if (!strcmp(name, "bitbucket-server") || !strcmp(name, "bitbucket-datacenter") ||
	    !strcmp(name, "bitbucket-data-center"))
		return GJS_PROVIDER_BITBUCKET_SERVER;
	return GJS_PROVIDER_NONE;
}

const char *gjs_provider_name(gjs_provider_kind kind)
{
	switch (kind) {
	case GJS_PROVIDER_GITHUB: return "github";
	case GJS_PROVIDER_GITLAB: return "gitlab";
	case GJS_PROVIDER_BITBUCKET: return "bitbucket";
	case GJS_PROVIDER_BITBUCKET_SERVER: return "bitbucket-server";
	case GJS_PROVIDER_NONE: break;
	}
	return "none";
}

const char *gjs_provider_title(gjs_provider_kind kind)
{
	switch (kind) {
	case GJS_PROVIDER_GITHUB: return "GitHub";
	case GJS_PROVIDER_GITLAB: return "GitLab";
	case GJS_PROVIDER_BITBUCKET: return "Bitbucket Cloud";
	case GJS_PROVIDER_BITBUCKET_SERVER: return "Bitbucket Data Center";
	case GJS_PROVIDER_NONE: break;
	}
	return "no provider";
}

const char *gjs_provider_marker(gjs_provider_kind kind)
{
	if (kind == GJS_PROVIDER_BITBUCKET || kind == GJS_PROVIDER_BITBUCKET_SERVER)
		return "[//]: # (" MARKER_NAME ")";
	return "<!-- " MARKER_NAME " -->";
}

size_t gjs_provider_max_comment(gjs_provider_kind kind)
{
	switch (kind) {
	case GJS_PROVIDER_GITHUB:
		return 65536; /* "Body is too long (maximum is 65536 characters)" */
	case GJS_PROVIDER_GITLAB:
		return 1000000; /* the notes API's documented limit */
	case GJS_PROVIDER_BITBUCKET:
		/* NOTE: Bitbucket Cloud documents no limit; this uses the Data
		 * Center one, so a report fits both. */
	case GJS_PROVIDER_BITBUCKET_SERVER:
		return 32767; /* "a non-empty value less than 32768 characters" */
	case GJS_PROVIDER_NONE:
		break;
	}
	return 32767;
}

bool gjs_provider_has_marker(gjs_provider_kind kind, const char *body)
{
	const char *marker = gjs_provider_marker(kind);

	while (*body == ' ' || *body == '\n' || *body == '\r' || *body == '\t')
		body++;
	return !strncmp(body, marker, strlen(marker));
}

static const char *env(const char *name)
{
	const char *value = getenv(name);

	return value && *value ? value : NULL;
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
		gjs_error_set("could not open '%s': %s", path, strerror(errno));
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

char *gjs_json_id(const void *cjson_item)
{
	const cJSON *item = cjson_item;
	char number[64];

	if (cJSON_IsString(item) && item->valuestring[0])
		return gjs_xstrdup(item->valuestring);
	if (!cJSON_IsNumber(item) || item->valuedouble < 0 || item->valuedouble > 9007199254740992.0)
		return NULL;
	snprintf(number, sizeof(number), "%.0f", item->valuedouble);
	return gjs_xstrdup(number);
}

/* Reads pull_request.{number,base.sha,head.sha,labels} of a GitHub event. */
static int github_event(gjs_pull_request *pr, const char *path)
{
	gjs_buf data = GJS_BUF_INIT;
	cJSON *event = NULL;
	const cJSON *request, *labels, *label;
	char *number = NULL;
	int error;

	error = read_file(path, &data);
	if (error < 0)
		goto done;

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

	number = gjs_json_id(cJSON_GetObjectItemCaseSensitive(request, "number"));
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

static gjs_provider_kind detect_ci(void)
{
	const char *github = env("GITHUB_ACTIONS");
	const char *gitlab = env("GITLAB_CI");

	if ((github && !strcmp(github, "true")) || env("GITHUB_EVENT_PATH"))
		return GJS_PROVIDER_GITHUB;
	if ((gitlab && !strcmp(gitlab, "true")) || env("CI_MERGE_REQUEST_IID"))
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

/* Reports whether `s` is a non-empty run of ASCII digits. */
static bool all_digits(const char *s)
{
	return *s && strspn(s, "0123456789") == strlen(s);
}

static bool all_of(const char *s, const char *extra)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr(extra, *s))
			return false;
	return true;
}

/* Reports whether `repo` is "A/B" with both parts made of `chars`. */
static bool two_parts(const char *repo, const char *chars)
{
	const char *slash = strchr(repo, '/');
	char *first;
	bool ok;

	if (!slash || strchr(slash + 1, '/') || slash == repo)
		return false;
	first = gjs_xstrndup(repo, (size_t)(slash - repo));
	ok = all_of(first, chars) && all_of(slash + 1, chars);
	free(first);
	return ok;
}

bool gjs_request_number_ok(const char *number)
{
	return all_digits(number) && number[0] != '0' && strlen(number) <= 18;
}

int gjs_pull_request_validate(const gjs_pull_request *pr)
{
	const char *title = gjs_provider_title(pr->kind);

	if (pr->kind == GJS_PROVIDER_NONE) {
		gjs_error_set("no provider: not running in GitHub Actions, GitLab CI or Bitbucket "
			"Pipelines; pass --provider=github|gitlab|bitbucket|bitbucket-server");
		return GJS_EINVALID;
	}
	if (!pr->api_url) {
		gjs_error_set("no API URL for %s: pass --api-url=https://HOST", title);
		return GJS_EINVALID;
	}
	if (!pr->repo) {
		gjs_error_set("no repository for %s: pass --repo=%s", title,
			pr->kind == GJS_PROVIDER_GITLAB ? "PROJECT-ID|GROUP/PROJECT" :
			pr->kind == GJS_PROVIDER_BITBUCKET ? "WORKSPACE/REPO" :
			pr->kind == GJS_PROVIDER_BITBUCKET_SERVER ? "PROJECT/REPO" : "OWNER/REPO");
		return GJS_EINVALID;
	}
	if (!pr->number) {
		gjs_error_set("no pull request number for %s: run on a pull request event or "
			"pass --pr=NUMBER", title);
		return GJS_EINVALID;
	}
	if (!gjs_request_number_ok(pr->number)) {
		gjs_error_set("invalid %s number '%s': expected a positive number such as 7",
			pr->kind == GJS_PROVIDER_GITLAB ? "merge request" : "pull request",
			pr->number);
		return GJS_EINVALID;
	}

	switch (pr->kind) {
	case GJS_PROVIDER_GITLAB:
		/* A numeric id, or a full path of groups and the project. */
		if (all_digits(pr->repo) || all_of(pr->repo, "-._/"))
			return 0;
		break;
	case GJS_PROVIDER_BITBUCKET:
		if (two_parts(pr->repo, "-._{}"))
			return 0;
		break;
	case GJS_PROVIDER_GITHUB:
	case GJS_PROVIDER_BITBUCKET_SERVER:
		if (two_parts(pr->repo, "-._~"))
			return 0;
		break;
	case GJS_PROVIDER_NONE:
		break;
	}
	gjs_error_set("invalid repository '%s' for %s: expected %s", pr->repo, title,
		pr->kind == GJS_PROVIDER_GITLAB ? "a project id or GROUP/PROJECT" :
		pr->kind == GJS_PROVIDER_BITBUCKET ? "WORKSPACE/REPO" :
		pr->kind == GJS_PROVIDER_BITBUCKET_SERVER ? "PROJECT/REPO" : "OWNER/REPO");
	return GJS_EINVALID;
}

void gjs_pull_request_clear(gjs_pull_request *pr)
{
	if (!pr)
		return;
	free(pr->api_url);
	free(pr->web_url);
	free(pr->repo);
	free(pr->number);
	free(pr->base);
	free(pr->head);
	gjs_strvec_clear(&pr->labels);
	memset(pr, 0, sizeof(*pr));
}

/* Derives the web base from an API URL by removing `suffix`, or NULL. */
static char *web_from_api(const char *api_url, const char *suffix)
{
	size_t len = strlen(api_url), slen = strlen(suffix);

	if (len <= slen || strcmp(api_url + len - slen, suffix))
		return NULL;
	return gjs_xstrndup(api_url, len - slen);
}

static char *github_web_url(const gjs_pull_request *pr)
{
	if (pr->web_url)
		return gjs_xstrdup(pr->web_url);
	if (!strcmp(pr->api_url, "https://api.github.com"))
		return gjs_xstrdup("https://github.com");
	/* GitHub Enterprise Server serves the API under /api/v3. */
	return web_from_api(pr->api_url, "/api/v3");
}

void gjs_provider_links(const gjs_pull_request *pr, const char *sha, char **prefix,
	char **line_format)
{
	gjs_buf out = GJS_BUF_INIT;
	char *web = NULL;

	*prefix = NULL;
	*line_format = NULL;

	switch (pr->kind) {
	case GJS_PROVIDER_GITHUB:
		web = github_web_url(pr);
		if (!web)
			break;
		gjs_buf_printf(&out, "%s/%s/blob/%s/", web, pr->repo, sha);
		*line_format = gjs_xstrdup("#L%u");
		break;

	case GJS_PROVIDER_GITLAB:
		if (pr->web_url && all_digits(pr->repo)) {
			web = gjs_xstrdup(pr->web_url); /* CI_PROJECT_URL: the project itself */
		} else if (!all_digits(pr->repo)) {
			char *host = pr->web_url ? gjs_xstrdup(pr->web_url) :
				web_from_api(pr->api_url, "/api/v4");

			if (host) {
				gjs_buf_printf(&out, "%s/%s", host, pr->repo);
				web = gjs_buf_detach(&out);
			}
			free(host);
		}
		/* NOTE: a numeric project id without CI_PROJECT_URL or --web-url
		 * gets no links: the project path would take a request. */
		if (!web)
			break;
		gjs_buf_printf(&out, "%s/-/blob/%s/", web, sha);
		*line_format = gjs_xstrdup("#L%u");
		break;

	case GJS_PROVIDER_BITBUCKET:
		if (pr->web_url)
			web = gjs_xstrdup(pr->web_url);
		else if (!strcmp(pr->api_url, "https://api.bitbucket.org/2.0"))
			web = gjs_xstrdup("https://bitbucket.org");
		else
			web = web_from_api(pr->api_url, "/2.0");
		if (!web)
			break;
		gjs_buf_printf(&out, "%s/%s/src/%s/", web, pr->repo, sha);
		*line_format = gjs_xstrdup("#lines-%u");
		break;

	case GJS_PROVIDER_BITBUCKET_SERVER: {
		const char *slash = strchr(pr->repo, '/');

		web = gjs_xstrdup(pr->web_url ? pr->web_url : pr->api_url);
		gjs_buf_printf(&out, "%s/projects/%.*s/repos/%s/browse/", web,
			(int)(slash - pr->repo), pr->repo, slash + 1);
		/* The revision goes in the query, after the file path. */
		gjs_buf anchor = GJS_BUF_INIT;

		gjs_buf_printf(&anchor, "?at=%s#%%u", sha);
		*line_format = gjs_buf_detach(&anchor);
		break;
	}

	case GJS_PROVIDER_NONE:
		break;
	}

	if (*line_format)
		*prefix = gjs_buf_detach(&out);
	gjs_buf_free(&out);
	free(web);
}

char *gjs_provider_request_url(const gjs_pull_request *pr)
{
	gjs_buf out = GJS_BUF_INIT;
	char *web = NULL;
	const char *slash;

	switch (pr->kind) {
	case GJS_PROVIDER_GITHUB:
		web = github_web_url(pr);
		if (web)
			gjs_buf_printf(&out, "%s/%s/pull/%s", web, pr->repo, pr->number);
		break;
	case GJS_PROVIDER_GITLAB:
		if (pr->web_url && all_digits(pr->repo)) {
			gjs_buf_printf(&out, "%s/-/merge_requests/%s", pr->web_url, pr->number);
		} else if (!all_digits(pr->repo)) {
			web = pr->web_url ? gjs_xstrdup(pr->web_url) :
				web_from_api(pr->api_url, "/api/v4");
			if (web)
				gjs_buf_printf(&out, "%s/%s/-/merge_requests/%s", web, pr->repo,
					pr->number);
		}
		break;
	case GJS_PROVIDER_BITBUCKET:
		if (pr->web_url)
			web = gjs_xstrdup(pr->web_url);
		else if (!strcmp(pr->api_url, "https://api.bitbucket.org/2.0"))
			web = gjs_xstrdup("https://bitbucket.org");
		else
			web = web_from_api(pr->api_url, "/2.0");
		if (web)
			gjs_buf_printf(&out, "%s/%s/pull-requests/%s", web, pr->repo, pr->number);
		break;
	case GJS_PROVIDER_BITBUCKET_SERVER:
		slash = strchr(pr->repo, '/');
		gjs_buf_printf(&out, "%s/projects/%.*s/repos/%s/pull-requests/%s",
			pr->web_url ? pr->web_url : pr->api_url, (int)(slash - pr->repo), pr->repo,
			slash + 1, pr->number);
		break;
	case GJS_PROVIDER_NONE:
		break;
	}
	free(web);
	return out.len ? gjs_buf_detach(&out) : NULL;
}

static char *base64(const char *data)
{
	static const char table[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = (const unsigned char *)data;
	size_t len = strlen(data);
	gjs_buf out = GJS_BUF_INIT;

	for (size_t i = 0; i < len; i += 3) {
		unsigned value = (unsigned)p[i] << 16;
		size_t left = len - i;

		if (left > 1)
			value |= (unsigned)p[i + 1] << 8;
		if (left > 2)
			value |= p[i + 2];
		gjs_buf_putc(&out, table[(value >> 18) & 63]);
		gjs_buf_putc(&out, table[(value >> 12) & 63]);
		gjs_buf_putc(&out, left > 1 ? table[(value >> 6) & 63] : '=');
		gjs_buf_putc(&out, left > 2 ? table[value & 63] : '=');
	}
	return gjs_buf_detach(&out);
}

/* A credential with a control character would inject header lines. */
static bool credential_ok(const char *value)
{
	for (const unsigned char *p = (const unsigned char *)value; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

int gjs_provider_auth_header(char **header, const char **source, gjs_provider_kind kind)
{
	gjs_buf out = GJS_BUF_INIT;
	const char *token = NULL;
	const char *user, *password;

	*header = NULL;
	*source = NULL;

	switch (kind) {
	case GJS_PROVIDER_GITHUB:
		*source = "GITHUB_TOKEN";
		token = env("GITHUB_TOKEN");
		if (!token) {
			gjs_error_set("GITHUB_TOKEN is not set: in a workflow add "
				"'env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}' with "
				"'permissions: pull-requests: write, statuses: write'");
			return GJS_EINVALID;
		}
		break;

	case GJS_PROVIDER_GITLAB:
		*source = "GITLAB_TOKEN";
		token = env("GITLAB_TOKEN");
		if (!token && env("CI_JOB_TOKEN")) {
			gjs_error_set("GITLAB_TOKEN is not set, and CI_JOB_TOKEN cannot post merge "
				"request notes or commit statuses: create a project access token with "
				"the 'api' scope and the Developer role, and store it as a masked CI/CD "
				"variable named GITLAB_TOKEN");
			return GJS_EINVALID;
		}
		if (!token) {
			gjs_error_set("GITLAB_TOKEN is not set: use a project or personal access "
				"token with the 'api' scope");
			return GJS_EINVALID;
		}
		break;

	case GJS_PROVIDER_BITBUCKET:
		token = env("BITBUCKET_TOKEN");
		user = env("BITBUCKET_USER");
		password = env("BITBUCKET_APP_PASSWORD");
		if (token) {
			*source = "BITBUCKET_TOKEN";
			break;
		}
		if (user && password) {
			char *pair, *encoded;

			*source = "BITBUCKET_USER and BITBUCKET_APP_PASSWORD";
			if (!credential_ok(user) || !credential_ok(password)) {
				gjs_error_set("%s contain control characters", *source);
				return GJS_EINVALID;
			}
			gjs_buf_printf(&out, "%s:%s", user, password);
			pair = gjs_buf_detach(&out);
			encoded = base64(pair);
			memset(pair, 0, strlen(pair));
			free(pair);
			gjs_buf_printf(&out, "Authorization: Basic %s", encoded);
			memset(encoded, 0, strlen(encoded));
			free(encoded);
			*header = gjs_buf_detach(&out);
			return 0;
		}
		*source = "BITBUCKET_TOKEN";
		gjs_error_set("no Bitbucket Cloud credentials: set BITBUCKET_TOKEN to a repository "
			"access token with the pullrequest:write and repository:write scopes, or "
			"BITBUCKET_USER and BITBUCKET_APP_PASSWORD");
		return GJS_EINVALID;

	case GJS_PROVIDER_BITBUCKET_SERVER:
		*source = "BITBUCKET_TOKEN";
		token = env("BITBUCKET_TOKEN");
		if (!token) {
			gjs_error_set("BITBUCKET_TOKEN is not set: create an HTTP access token with "
				"repository write permission");
			return GJS_EINVALID;
		}
		break;

	case GJS_PROVIDER_NONE:
		gjs_error_set("no provider to read a token for");
		return GJS_EINVALID;
	}

	if (!credential_ok(token)) {
		gjs_error_set("%s contains control characters", *source);
		return GJS_EINVALID;
	}
	if (kind == GJS_PROVIDER_GITLAB)
		gjs_buf_printf(&out, "PRIVATE-TOKEN: %s", token);
	else
		gjs_buf_printf(&out, "Authorization: Bearer %s", token);
	*header = gjs_buf_detach(&out);
	return 0;
}

int gjs_provider_new(gjs_provider **out, const gjs_pull_request *pr, gjs_http *http,
	const char *token_source)
{
	gjs_provider *provider;
	const gjs_provider_ops *ops = NULL;

	*out = NULL;
	switch (pr->kind) {
	case GJS_PROVIDER_GITHUB: ops = &gjs_github_ops; break;
	case GJS_PROVIDER_GITLAB: ops = &gjs_gitlab_ops; break;
	case GJS_PROVIDER_BITBUCKET: ops = &gjs_bitbucket_ops; break;
	case GJS_PROVIDER_BITBUCKET_SERVER: ops = &gjs_bitbucket_server_ops; break;
	case GJS_PROVIDER_NONE: break;
	}
	if (!ops) {
		gjs_error_set("no provider selected");
		return GJS_EINVALID;
	}

	provider = gjs_xcalloc(1, sizeof(*provider));
	provider->ops = ops;
	provider->pr = pr;
	provider->http = http;
	provider->token_source = token_source ? token_source : "the token";
	*out = provider;
	return 0;
}

void gjs_provider_free(gjs_provider *provider)
{
	free(provider);
}

int gjs_provider_find_comments(gjs_provider *provider, gjs_comment **out, size_t *count)
{
	*out = NULL;
	*count = 0;
	return provider->ops->find_comments(provider, out, count);
}

int gjs_provider_create_comment(gjs_provider *provider, const char *body, char **id)
{
	char *ignored = NULL;
	int error = provider->ops->create_comment(provider, body, id ? id : &ignored);

	free(ignored);
	return error;
}

int gjs_provider_update_comment(gjs_provider *provider, const gjs_comment *comment,
	const char *body)
{
	return provider->ops->update_comment(provider, comment, body);
}

int gjs_provider_delete_comment(gjs_provider *provider, const gjs_comment *comment)
{
	return provider->ops->delete_comment(provider, comment);
}

int gjs_provider_set_status(gjs_provider *provider, const gjs_commit_status *status)
{
	return provider->ops->set_status(provider, status);
}

int gjs_provider_fetch_labels(gjs_provider *provider, gjs_strvec *labels)
{
	if (!provider->ops->fetch_labels)
		return 0;
	return provider->ops->fetch_labels(provider, labels);
}

void gjs_comments_free(gjs_comment *comments, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(comments[i].id);
	free(comments);
}

/* Orders numeric ids by value, others after them by text. */
static int compare_ids(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la != lb && all_digits(a) && all_digits(b))
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

/* Extracts the server's own words from an error body, for the message. */
static char *server_message(const gjs_http_response *resp)
{
	cJSON *json = cJSON_ParseWithLength(gjs_buf_cstr(&resp->body), resp->body.len);
	const cJSON *item, *first;
	const char *text = NULL;
	char *message, *safe;

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
	}
	if (!text && !json && resp->body.len)
		text = gjs_buf_cstr(&resp->body);
	message = text ? gjs_xstrndup(text, strnlen(text, 300)) : NULL;
	cJSON_Delete(json);
	if (!message)
		return NULL;
	safe = gjs_sanitize(message);
	free(message);
	return safe;
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

	said = server_message(resp);
	gjs_buf_printf(&detail, "%s answered %ld%s%s%s", title, resp->status,
		said ? " (" : "", said ? said : "", said ? ")" : "");

	if (resp->status == 401) {
		gjs_buf_printf(&detail, ": %s was rejected; it is invalid, expired or revoked, "
			"or it was created for another server", p->token_source);
	} else if (resp->status == 403 && !gjs_http_header(resp, "Retry-After")) {
		gjs_buf_printf(&detail, ": %s lacks a permission; %s", p->token_source,
			permission_hint(p->pr->kind));
	} else if (resp->status == 404) {
		gjs_buf_printf(&detail, ": check the repository '%s' and request %s, and that %s "
			"can read the repository (private repositories answer 404 to tokens that "
			"cannot see them)", p->pr->repo, p->pr->number, p->token_source);
	} else if (resp->status == 429 || resp->status >= 500 || resp->status == 403) {
		gjs_buf_printf(&detail, " after %u attempts; try again later", resp->attempts);
	}
	gjs_error_set("could not %s: %s", action, gjs_buf_cstr(&detail));
	error = resp->status == 401 || resp->status == 403 || resp->status == 404 ?
		GJS_EINVALID : GJS_ENETWORK;

done:
	free(said);
	gjs_buf_free(&detail);
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

	if (len && origin_length(url) == len && !strncasecmp(url, p->pr->api_url, len))
		return 0;
	gjs_error_set("%s sent a next-page link to another server ('%s'); not following it",
		gjs_provider_title(p->pr->kind), url);
	return GJS_EINVALID;
}

/* Builds the URL of GitLab's X-Next-Page (empty on the last page): the
 * current URL with its page parameter replaced. */
static char *next_page_url(const char *url, const char *next_page)
{
	gjs_buf out = GJS_BUF_INIT;
	const char *query = strchr(url, '?');
	const char *p;

	if (!next_page || !*next_page || strspn(next_page, "0123456789") != strlen(next_page))
		return NULL;
	if (!query) {
		gjs_buf_printf(&out, "%s?page=%s", url, next_page);
		return gjs_buf_detach(&out);
	}
	gjs_buf_put(&out, url, (size_t)(query - url));
	gjs_buf_putc(&out, '?');
	p = query + 1;
	while (*p) {
		size_t len = strcspn(p, "&");

		if (strncmp(p, "page=", 5)) {
			gjs_buf_put(&out, p, len);
			gjs_buf_putc(&out, '&');
		}
		p += len;
		if (*p == '&')
			p++;
	}
	gjs_buf_printf(&out, "page=%s", next_page);
	return gjs_buf_detach(&out);
}

int gjs_provider_read_pages(gjs_provider *p, const char *first_url, const char *action,
	gjs_provider_each_fn each, void *data)
{
	gjs_http_response resp = GJS_HTTP_RESPONSE_INIT;
	char *url = gjs_xstrdup(first_url);
	cJSON *page = NULL;
	const cJSON *item;
	int error = 0;

	for (unsigned pages = 0; url; pages++) {
		char *next;

		if (pages >= GJS_PROVIDER_MAX_PAGES) {
			gjs_error_set("could not %s: more than %u pages", action,
				GJS_PROVIDER_MAX_PAGES);
			error = GJS_EINVALID;
			goto done;
		}
		error = gjs_provider_call(p, &resp, "GET", url, NULL, action, 0);
		if (error < 0)
			goto done;

		page = cJSON_ParseWithLength(gjs_buf_cstr(&resp.body), resp.body.len);
		if (!cJSON_IsArray(page)) {
			gjs_error_set("could not %s: %s answered with something other than a "
				"JSON array", action, gjs_provider_title(p->pr->kind));
			error = GJS_EINVALID;
			goto done;
		}
		cJSON_ArrayForEach(item, page)
			each(p, item, data);
		cJSON_Delete(page);
		page = NULL;

		next = gjs_http_next_link(&resp);
		if (!next)
			next = next_page_url(url, gjs_http_header(&resp, "X-Next-Page"));
		free(url);
		url = next;
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
	return error;
}

