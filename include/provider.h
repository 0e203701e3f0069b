/*
 * Forge providers for the comment bot: where a pull or merge request lives
 * (found from the CI environment or given on the command line), and the
 * calls that find, post, update and delete the bot's comment, read labels,
 * and set the commit status. Four providers: GitHub (and GitHub Enterprise
 * Server), GitLab (and self-managed), Bitbucket Cloud, Bitbucket Data Center.
 */
#ifndef GJS_PROVIDER_H
#define GJS_PROVIDER_H

#include <stdbool.h>
#include <stddef.h>

#include "common.h"
#include "http.h"

typedef enum {
	GJS_PROVIDER_NONE = 0,
	GJS_PROVIDER_GITHUB,
	GJS_PROVIDER_GITLAB,
	GJS_PROVIDER_BITBUCKET,        /* Bitbucket Cloud */
	GJS_PROVIDER_BITBUCKET_SERVER, /* Bitbucket Data Center (formerly Server) */
} gjs_provider_kind;

/* Parses "github", "gitlab", "bitbucket" or "bitbucket-server" (also
 * "bitbucket-cloud", "bitbucket-datacenter"); returns GJS_PROVIDER_NONE for
 * anything else. */
gjs_provider_kind gjs_provider_parse(const char *name);
/* Returns the option spelling of a provider ("github"). */
const char *gjs_provider_name(gjs_provider_kind kind);
/* Returns the product name for messages ("GitHub"). */
const char *gjs_provider_title(gjs_provider_kind kind);

/* The pull or merge request to comment on. Every string is owned. */
typedef struct {
	gjs_provider_kind kind;
	char *api_url;  /* REST base without trailing '/': https://api.github.com,
	                 * https://gitlab.com/api/v4, https://api.bitbucket.org/2.0,
	                 * or the Bitbucket Data Center server URL (without
	                 * /rest/api/1.0); gjs_pull_request_from_env() brings
	                 * the other accepted spellings to these */
	char *web_url;  /* base of links to files, or NULL to derive it */
	char *repo;     /* OWNER/REPO, GitLab project id or path, WORKSPACE/REPO,
	                 * or PROJECT/REPO on Bitbucket Data Center */
	char *number;   /* pull or merge request number */
	char *base;     /* base revision */
	char *head;     /* head revision */
	gjs_strvec labels;
	bool labels_known; /* labels came from the CI environment */
	const char *ci;    /* CI whose environment was read, or NULL; static */
} gjs_pull_request;

/*
 * Fills the fields that `pr` leaves NULL from the environment of the CI that
 * runs us: GitHub Actions (GITHUB_EVENT_PATH, GITHUB_REPOSITORY,
 * GITHUB_API_URL, GITHUB_SERVER_URL), GitLab CI (CI_API_V4_URL,
 * CI_PROJECT_ID, CI_MERGE_REQUEST_IID, CI_MERGE_REQUEST_DIFF_BASE_SHA,
 * CI_COMMIT_SHA, CI_MERGE_REQUEST_LABELS, CI_PROJECT_URL) or Bitbucket
 * Pipelines (BITBUCKET_REPO_FULL_NAME, BITBUCKET_PR_ID, BITBUCKET_COMMIT,
 * BITBUCKET_PR_DESTINATION_COMMIT). A kind set beforehand selects which CI
 * environment is read. Fails with GJS_EINVALID on an unreadable event file.
 */
int gjs_pull_request_from_env(gjs_pull_request *pr);
/* Checks that every field the providers need is set and well formed. */
int gjs_pull_request_validate(const gjs_pull_request *pr);
/* Reports whether `number` can be a pull or merge request number: 1 to 18
 * ASCII digits, the first not 0. */
bool gjs_request_number_ok(const char *number);
void gjs_pull_request_clear(gjs_pull_request *pr);

/* Reports the hidden marker that starts the bot's comment: an HTML comment
 * on GitHub and GitLab, a Markdown link reference on Bitbucket, which shows
 * HTML comments as text. */
const char *gjs_provider_marker(gjs_provider_kind kind);
/* Returns the longest comment body the provider accepts, in bytes. */
size_t gjs_provider_max_comment(gjs_provider_kind kind);

/*
 * Builds the link prefix to files at revision `sha` and the line anchor
 * format (one %u) for the Markdown report. Both are NULL when no link base
 * can be derived without a request. The caller frees both.
 */
void gjs_provider_links(const gjs_pull_request *pr, const char *sha, char **prefix,
	char **line_format);

/* Builds the URL of the pull request page, for status links. Caller frees. */
char *gjs_provider_request_url(const gjs_pull_request *pr);

/*
 * Reads the credential for `kind` from the environment and builds the
 * header line that carries it. `*source` names the variables, for error
 * messages (never the value). Fails with a message saying what to set.
 */
int gjs_provider_auth_header(char **header, const char **source, gjs_provider_kind kind);

/* A comment of the bot, found by its marker. */
typedef struct {
	char *id;
	long version; /* Bitbucket Data Center's optimistic lock; 0 elsewhere */
} gjs_comment;

typedef struct {
	const char *sha;
	bool success;
	const char *description;
	const char *target_url; /* may be NULL except on Bitbucket, which needs one */
} gjs_commit_status;

typedef struct gjs_provider gjs_provider;

/* `pr` and `http` are borrowed and must outlive the provider. */
int gjs_provider_new(gjs_provider **out, const gjs_pull_request *pr, gjs_http *http,
	const char *token_source);
void gjs_provider_free(gjs_provider *provider);

/* Lists, oldest first, every comment of the request whose body starts with
 * the marker, reading every page. */
int gjs_provider_find_comments(gjs_provider *provider, gjs_comment **out, size_t *count);
/* Posts a new comment; `*id` (optional) receives its id. */
int gjs_provider_create_comment(gjs_provider *provider, const char *body, char **id);
int gjs_provider_update_comment(gjs_provider *provider, const gjs_comment *comment,
	const char *body);
int gjs_provider_delete_comment(gjs_provider *provider, const gjs_comment *comment);
int gjs_provider_set_status(gjs_provider *provider, const gjs_commit_status *status);
/* Reads the labels of the request (GitHub, GitLab); other providers have
 * none and return an empty list. */
int gjs_provider_fetch_labels(gjs_provider *provider, gjs_strvec *labels);
void gjs_comments_free(gjs_comment *comments, size_t count);

/*
 * What follows is shared by the provider_*.c files only.
 */
typedef struct {
	int (*find_comments)(gjs_provider *p, gjs_comment **out, size_t *count);
	int (*create_comment)(gjs_provider *p, const char *body, char **id);
	int (*update_comment)(gjs_provider *p, const gjs_comment *comment, const char *body);
	int (*delete_comment)(gjs_provider *p, const gjs_comment *comment);
	int (*set_status)(gjs_provider *p, const gjs_commit_status *status);
	int (*fetch_labels)(gjs_provider *p, gjs_strvec *labels);
} gjs_provider_ops;

struct gjs_provider {
	const gjs_provider_ops *ops;
	const gjs_pull_request *pr;
	gjs_http *http;
	const char *token_source; /* "GITHUB_TOKEN": names, never values */
};

extern const gjs_provider_ops gjs_github_ops;
extern const gjs_provider_ops gjs_gitlab_ops;
extern const gjs_provider_ops gjs_bitbucket_ops;
extern const gjs_provider_ops gjs_bitbucket_server_ops;

/*
 * Sends a request and turns any status outside 2xx into an error whose
 * message says what `action` failed, why (the server's message, made safe
 * for a terminal), and which token or permission to check. `ok_status`, if
 * not 0, is one more status accepted as success (a 409 the caller handles).
 */
int gjs_provider_call(gjs_provider *p, gjs_http_response *resp, const char *method,
	const char *url, const char *body, const char *action, long ok_status);
/* Reports whether a comment body starts with the marker of `kind`. */
bool gjs_provider_has_marker(gjs_provider_kind kind, const char *body);
/* Appends a comment and keeps the list sorted by numeric id. */
void gjs_comments_add(gjs_comment **list, size_t *count, const char *id, long version);
/* Checks that a pagination link from a server has the origin of the API
 * URL, so that the token goes nowhere else. */
int gjs_provider_check_next(gjs_provider *p, const char *url);
/* Bounds pages read from one listing, against a server that never ends. */
#define GJS_PROVIDER_MAX_PAGES 1000
/*
 * Reads every page of a listing whose pages are JSON arrays (GitHub,
 * GitLab), following Link rel="next" or GitLab's X-Next-Page, and calls
 * `each` with every element (a cJSON item).
 */
typedef void (*gjs_provider_each_fn)(gjs_provider *p, const void *json_item, void *data);
int gjs_provider_read_pages(gjs_provider *p, const char *first_url, const char *action,
	gjs_provider_each_fn each, void *data);
/* Formats a JSON id (number or string) into a new string, or NULL. */
char *gjs_json_id(const void *cjson_item);

#endif
