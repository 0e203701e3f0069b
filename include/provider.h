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
 * Lists the CI systems whose variables are set (GITHUB_ACTIONS=true,
 * GITLAB_CI=true, BITBUCKET_BUILD_NUMBER) into `names` as "GitHub Actions,
 * GitLab CI", and returns how many there are. More than one means the
 * environment cannot tell which forge to use.
 */
size_t gjs_provider_detect_ci(gjs_buf *names);

/*
 * Fills the fields that `pr` leaves NULL from the environment of the CI that
 * runs us: GitHub Actions (GITHUB_EVENT_PATH, GITHUB_REPOSITORY,
 * GITHUB_API_URL, GITHUB_SERVER_URL), GitLab CI (CI_API_V4_URL,
 * CI_PROJECT_ID, CI_MERGE_REQUEST_IID, CI_MERGE_REQUEST_DIFF_BASE_SHA,
 * CI_COMMIT_SHA, CI_MERGE_REQUEST_LABELS, CI_PROJECT_URL) or Bitbucket
 * Pipelines (BITBUCKET_REPO_FULL_NAME, BITBUCKET_PR_ID, BITBUCKET_COMMIT,
 * BITBUCKET_PR_DESTINATION_COMMIT). A kind set beforehand selects which CI
 * environment is read. Fails with GJS_EINVALID on an unreadable or
 * malformed event file, unless the number and the base revision are already
 * set, which makes the event file unnecessary.
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

/* A comment of the bot, found by its marker and its author. */
typedef struct {
	char *id;     /* digits only */
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

/* Names the account the token acts as (a login, user name, uuid or slug, as
 * the forge shows it on comments), instead of asking the forge. */
void gjs_provider_set_bot_user(gjs_provider *provider, const char *name);

/*
 * Lists, oldest first, the comments of the request that the bot may adopt,
 * reading every page: bodies that start with the marker, written by the
 * token's own account. When the forge does not tell who the token is (a
 * Bitbucket Cloud access token, say), only comments whose author looks like
 * a bot account are listed, and gjs_provider_may_delete() is false.
 * Comments of anyone else are never listed, marker or not.
 */
int gjs_provider_find_comments(gjs_provider *provider, gjs_comment **out, size_t *count);
/* Reports whether the listed comments are known to be the bot's own, so
 * that duplicates may be deleted. Valid after gjs_provider_find_comments. */
bool gjs_provider_may_delete(const gjs_provider *provider);
/* Describes whose comments were adopted, for trace lines: "login 'x'",
 * or "bot accounts (the token's account is unknown)". Borrowed. */
const char *gjs_provider_identity(const gjs_provider *provider);
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
/* Comments collected while reading pages. */
typedef struct {
	gjs_comment *items;
	size_t count;
} gjs_comment_list;

typedef struct {
	/* Finds who the token acts as: sets `*name` (owned) or leaves it NULL
	 * when the forge does not tell; fails only on a request error worth
	 * stopping for (a rejected token). */
	int (*fetch_identity)(gjs_provider *p, char **name);
	int (*find_comments)(gjs_provider *p, gjs_comment_list *list);
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
	char *identity;           /* the token's account, or NULL while unknown */
	bool identity_looked_up;
	char *identity_text;      /* for gjs_provider_identity() */
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
/*
 * Adds a comment whose body starts with the marker to `list` when the bot
 * may adopt it: one of `author_keys` (NULL entries skipped) equals the
 * token's account, or, while that is unknown, `bot_like` is true. `id_item`
 * is the comment's cJSON id; ids that are not plain numbers are skipped.
 */
void gjs_provider_consider(gjs_provider *p, gjs_comment_list *list, const void *id_item,
	long version, const char *const author_keys[3], bool bot_like);
/* Checks that a pagination link from a server has the origin of the API
 * URL, so that the token goes nowhere else. */
int gjs_provider_check_next(gjs_provider *p, const char *url);
/* Bounds pages read from one listing, against a server that never ends:
 * 200 pages of 100 comments is far more than any request has. */
#define GJS_PROVIDER_MAX_PAGES 200

/* How a listing pages. */
typedef enum {
	/* A JSON array per page; Link rel="next" or GitLab's X-Next-Page. */
	GJS_PAGES_ARRAY,
	/* Bitbucket Cloud: {"values": [...], "next": URL}. */
	GJS_PAGES_VALUES_NEXT,
	/* Bitbucket Data Center: {"values": [...], "isLastPage": false,
	 * "nextPageStart": N}; the first URL ends in "start=0". */
	GJS_PAGES_VALUES_START,
} gjs_pages_style;

/*
 * Reads every page of a listing and calls `each` with every element (a
 * cJSON item). Fails when a page lacks its list, when a next-page link
 * points back to a page already read or to another server, and after
 * GJS_PROVIDER_MAX_PAGES pages.
 */
typedef void (*gjs_provider_each_fn)(gjs_provider *p, const void *json_item, void *data);
int gjs_provider_read_pages(gjs_provider *p, const char *first_url, gjs_pages_style style,
	const char *action, gjs_provider_each_fn each, void *data);

/*
 * Reads the account of the token from `url` (GET /user and the like) into
 * `*account` (a cJSON object the caller deletes), or leaves it NULL when the
 * forge does not tell this token (400, 403 or 404: an installation or access
 * token). Other failures, a rejected token first, are errors.
 */
int gjs_provider_get_account(gjs_provider *p, const char *url, void **account);

/* Parses an answer that must be a JSON object, or fails with a message
 * naming `url` (an HTML page gets a hint to check --api-url or a proxy).
 * The caller frees the result with cJSON_Delete. */
void *gjs_provider_parse_object(gjs_provider *p, const gjs_http_response *resp,
	const char *url, const char *action);

/* Formats a JSON id into a new string of digits, or NULL: a whole number
 * from 0 to 2^53, or a string of 1 to 18 digits. */
char *gjs_json_id(const void *cjson_item);
/* Reports whether `id` is 1 to 18 ASCII digits. */
bool gjs_id_ok(const char *id);

#endif
