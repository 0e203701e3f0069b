/*
 * What the four forge providers share apart from requests: provider names,
 * validation of the request's fields, credentials, markers, size limits and
 * links. The CI environment is read in provider_env.c, the shared request
 * and paging code is in provider_call.c, and the calls of each forge are in
 * provider_github.c, provider_gitlab.c and provider_bitbucket.c.
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

bool gjs_id_ok(const char *id)
{
	size_t len = strspn(id, "0123456789");

	return len && len <= 18 && !id[len];
}

/*
 * Ids go into URLs and onto stdout, so only digits pass: every id the four
 * APIs use (comments, notes, pull request numbers) is a number. A fraction
 * such as 6.6 is rejected rather than rounded to another request.
 */
char *gjs_json_id(const void *cjson_item)
{
	const cJSON *item = cjson_item;
	char number[64];
	double value;

	if (cJSON_IsString(item))
		return gjs_id_ok(item->valuestring) ? gjs_xstrdup(item->valuestring) : NULL;
	if (!cJSON_IsNumber(item))
		return NULL;
	value = item->valuedouble;
	if (!(value >= 0 && value <= 9007199254740992.0) || value != (double)(long long)value)
		return NULL;
	snprintf(number, sizeof(number), "%lld", (long long)value);
	return gjs_xstrdup(number);
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
	if (!provider)
		return;
	free(provider->identity);
	free(provider->identity_text);
	free(provider);
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
