/*
 * Policy from git config: what counts as broad, who may review, and how the
 * hooks behave. The tree being checked never feeds these settings, so a
 * push cannot weaken the rules that judge it.
 */
#include "policy.h"

#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DEFAULT_MAX_BLOB_SIZE (1024 * 1024)

/* Connect scopes broad by default, beside every classic manage:* scope. */
static const char *const default_broad_connect[] = { "ADMIN", "PROJECT_ADMIN", "ACT_AS_USER" };

static int collect_multivar(const git_config_entry *entry, void *payload)
{
	gjs_strvec *values = payload;

	if (entry->value && *entry->value)
		gjs_strvec_push(values, entry->value);
	return 0;
}

static int read_multivar(gjs_strvec *out, git_config *cfg, const char *key)
{
	int error = git_config_get_multivar_foreach(cfg, key, NULL, collect_multivar, out);

	if (error == GIT_ENOTFOUND)
		return 0;
	if (error < 0) {
		gjs_error_set_git(key);
		return GJS_EINVALID;
	}
	return 0;
}

static int read_string(char **out, git_config *cfg, const char *key)
{
	git_buf value = { 0 };
	int error = git_config_get_string_buf(&value, cfg, key);

	if (error == GIT_ENOTFOUND)
		return 0;
	if (error < 0) {
		gjs_error_set_git(key);
		return GJS_EINVALID;
	}
	free(*out);
	*out = gjs_xstrdup(value.ptr);
	git_buf_dispose(&value);
	return 0;
}

static int read_bool(bool *out, git_config *cfg, const char *key)
{
	int value;
	int error = git_config_get_bool(&value, cfg, key);

	if (error == GIT_ENOTFOUND)
		return 0;
	if (error < 0) {
		char *text = NULL;

		read_string(&text, cfg, key);
		gjs_error_set("invalid value '%s' of %s: expected true or false", text ? text : "", key);
		free(text);
		return GJS_EINVALID;
	}
	*out = value != 0;
	return 0;
}

/* Reads a two-valued setting; `*out` becomes true for `alternative`. */
static int read_choice(bool *out, git_config *cfg, const char *key, const char *normal,
	const char *alternative)
{
	char *value = NULL;
	int error = read_string(&value, cfg, key);

	if (error < 0 || !value)
		return error;
	if (!strcasecmp(value, alternative)) {
		*out = true;
	} else if (!strcasecmp(value, normal)) {
		*out = false;
	} else {
		gjs_error_set("invalid value '%s' of %s: expected '%s' or '%s'", value, key, normal,
			alternative);
		error = GJS_EINVALID;
	}
	free(value);
	return error;
}

static int read_seconds(double *out, git_config *cfg, const char *key)
{
	char *value = NULL;
	char *end = NULL;
	double seconds;
	int error = read_string(&value, cfg, key);

	if (error < 0 || !value)
		return error;
	errno = 0;
	seconds = strtod(value, &end);
	if (errno || end == value || *end || !isfinite(seconds) || seconds <= 0) {
		gjs_error_set("invalid value '%s' of %s: expected a positive number of seconds",
			value, key);
		error = GJS_EINVALID;
	} else {
		*out = seconds;
	}
	free(value);
	return error;
}

static int read_size(size_t *out, git_config *cfg, const char *key)
{
	int64_t value;
	int error = git_config_get_int64(&value, cfg, key);

	if (error == GIT_ENOTFOUND)
		return 0;
	if (error < 0 || value <= 0) {
		char *text = NULL;

		read_string(&text, cfg, key);
		gjs_error_set("invalid value '%s' of %s: expected a positive size in bytes (k, m and g "
			      "suffixes allowed)", text ? text : "", key);
		free(text);
		return GJS_EINVALID;
	}
	*out = (size_t)value;
	return 0;
}

int gjs_policy_load(gjs_policy **out, git_config *cfg)
{
	gjs_policy *policy = gjs_xcalloc(1, sizeof(*policy));
	int error = 0;

	policy->trailer = gjs_xstrdup("Scopes-Reviewed-by");
	policy->timeout = 4.0;
	policy->max_blob_size = DEFAULT_MAX_BLOB_SIZE;

	if (cfg) {
		if ((error = read_multivar(&policy->broad, cfg, "jira-scopes.broad")) < 0 ||
		    (error = read_multivar(&policy->reviewers, cfg, "jira-scopes.reviewer")) < 0 ||
		    (error = read_string(&policy->trailer, cfg, "jira-scopes.trailer")) < 0 ||
		    (error = read_multivar(&policy->refs, cfg, "jira-scopes.refs")) < 0 ||
		    (error = read_choice(&policy->missing_reject, cfg, "jira-scopes.missing", "warn",
			     "reject")) < 0 ||
		    (error = read_choice(&policy->on_error_allow, cfg, "jira-scopes.onError", "reject",
			     "allow")) < 0 ||
		    (error = read_seconds(&policy->timeout, cfg, "jira-scopes.timeout")) < 0 ||
		    (error = read_bool(&policy->allow_breakglass, cfg, "jira-scopes.allowBreakglass")) < 0 ||
		    (error = read_string(&policy->audit_log, cfg, "jira-scopes.auditLog")) < 0 ||
		    (error = read_string(&policy->approval_label, cfg, "jira-scopes.approvalLabel")) < 0 ||
		    (error = read_string(&policy->catalog, cfg, "jira-scopes.catalog")) < 0 ||
		    (error = read_size(&policy->max_blob_size, cfg, "jira-scopes.maxFileSize")) < 0 ||
		    (error = read_multivar(&policy->skip, cfg, "jira-scopes.skip")) < 0 ||
		    (error = read_multivar(&policy->scan, cfg, "jira-scopes.scan")) < 0)
			goto done;
	}

	if (!*policy->trailer) {
		gjs_error_set("invalid value of jira-scopes.trailer: the trailer key must not be empty");
		error = GJS_EINVALID;
		goto done;
	}
	/* git reads a trailer key as letters, digits and '-'; any other key
	 * could never match, so no broad scope could ever be reviewed. */
	if (strspn(policy->trailer, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-") !=
	    strlen(policy->trailer)) {
		gjs_error_set("invalid value '%s' of jira-scopes.trailer: a trailer key has only letters, "
			      "digits and '-', such as Scopes-Reviewed-by", policy->trailer);
		error = GJS_EINVALID;
		goto done;
	}
	policy->broad_is_default = policy->broad.count == 0;
	if (!policy->refs.count)
		gjs_strvec_push(&policy->refs, "refs/heads/*");

done:
	if (error < 0) {
		gjs_policy_free(policy);
		return error;
	}
	*out = policy;
	return 0;
}

void gjs_policy_free(gjs_policy *policy)
{
	if (!policy)
		return;
	gjs_strvec_clear(&policy->broad);
	gjs_strvec_clear(&policy->reviewers);
	gjs_strvec_clear(&policy->refs);
	gjs_strvec_clear(&policy->skip);
	gjs_strvec_clear(&policy->scan);
	free(policy->trailer);
	free(policy->audit_log);
	free(policy->approval_label);
	free(policy->catalog);
	free(policy);
}

const char *gjs_policy_broad_reason(const gjs_policy *policy, const char *scope)
{
	if (!policy->broad_is_default) {
		/* Entries are globs, so `manage:*` means what the default list means. */
		for (size_t i = 0; i < policy->broad.count; i++)
			if (!fnmatch(policy->broad.items[i], scope, FNM_CASEFOLD))
				return "listed in jira-scopes.broad";
		return NULL;
	}
	if (!strncmp(scope, "manage:", 7) && !strchr(scope + 7, ':'))
		return "classic manage:* scope: administers Jira configuration, projects or webhooks";
	for (size_t i = 0; i < sizeof(default_broad_connect) / sizeof(*default_broad_connect); i++) {
		if (!strcasecmp(scope, default_broad_connect[i])) {
			if (!strcasecmp(scope, "ACT_AS_USER"))
				return "Connect ACT_AS_USER scope: acts as any user";
			return "Connect administration scope";
		}
	}
	return NULL;
}

/* Email addresses compare case-insensitively, as mail domains do. */
bool gjs_policy_reviewer_allowed(const gjs_policy *policy, const char *email)
{
	for (size_t i = 0; i < policy->reviewers.count; i++)
		if (!fnmatch(policy->reviewers.items[i], email, FNM_CASEFOLD))
			return true;
	return false;
}
