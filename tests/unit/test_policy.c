/*
 * Unit tests of policy loading from git config and of the broad-scope and
 * reviewer rules.
 */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policy.h"

/* Writes `text` to a temporary config file and loads the policy from it. */
static int load_from_text(gjs_policy **out, const char *text)
{
	char path[] = "/tmp/gjs-policy-XXXXXX";
	int fd = mkstemp(path);
	git_config *cfg = NULL;
	int error;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(git_config_open_ondisk(&cfg, path), 0);
	error = gjs_policy_load(out, cfg);
	git_config_free(cfg);
	unlink(path);
	return error;
}

static void defaults_without_config(void **state)
{
	gjs_policy *policy = NULL;

	(void)state;
	assert_int_equal(gjs_policy_load(&policy, NULL), 0);
	assert_string_equal(policy->trailer, "Scopes-Reviewed-by");
	assert_int_equal(policy->refs.count, 1);
	assert_string_equal(policy->refs.items[0], "refs/heads/*");
	assert_true(policy->timeout > 3.99 && policy->timeout < 4.01);
	assert_false(policy->on_error_allow);
	assert_false(policy->missing_reject);
	assert_int_equal(policy->max_blob_size, 1024 * 1024);
	gjs_policy_free(policy);
}

static void default_broad_list(void **state)
{
	gjs_policy *policy = NULL;

	(void)state;
	assert_int_equal(gjs_policy_load(&policy, NULL), 0);
	assert_non_null(gjs_policy_broad_reason(policy, "manage:jira-configuration"));
	assert_non_null(gjs_policy_broad_reason(policy, "manage:jira-webhook"));
	assert_non_null(gjs_policy_broad_reason(policy, "ADMIN"));
	assert_non_null(gjs_policy_broad_reason(policy, "project_admin"));
	assert_non_null(gjs_policy_broad_reason(policy, "ACT_AS_USER"));
	assert_null(gjs_policy_broad_reason(policy, "WRITE"));
	assert_null(gjs_policy_broad_reason(policy, "write:jira-work"));
	/* A granular scope that starts with manage: is not a classic manage:* scope. */
	assert_null(gjs_policy_broad_reason(policy, "manage:servicedesk-customer:jira-service-management"));
	gjs_policy_free(policy);
}

static void configured_broad_list_replaces_default(void **state)
{
	gjs_policy *policy = NULL;

	(void)state;
	assert_int_equal(load_from_text(&policy, "[jira-scopes]\n\tbroad = write:jira-work\n\tbroad = DELETE\n"), 0);
	assert_string_equal(gjs_policy_broad_reason(policy, "write:jira-work"), "listed in jira-scopes.broad");
	assert_non_null(gjs_policy_broad_reason(policy, "delete"));
	assert_null(gjs_policy_broad_reason(policy, "manage:jira-configuration"));
	gjs_policy_free(policy);
}

static void broad_entries_are_globs(void **state)
{
	gjs_policy *policy = NULL;

	(void)state;
	assert_int_equal(load_from_text(&policy, "[jira-scopes]\n\tbroad = manage:*\n\tbroad = write:*:jira\n"), 0);
	assert_non_null(gjs_policy_broad_reason(policy, "manage:jira-configuration"));
	assert_non_null(gjs_policy_broad_reason(policy, "write:issue:jira"));
	assert_null(gjs_policy_broad_reason(policy, "write:jira-work"));
	assert_null(gjs_policy_broad_reason(policy, "ADMIN"));
	gjs_policy_free(policy);
}

static void settings_are_read(void **state)
{
	gjs_policy *policy = NULL;

	(void)state;
	assert_int_equal(load_from_text(&policy,
				 "[jira-scopes]\n"
				 "\treviewer = *@security.example.com\n"
				 "\treviewer = lead@example.com\n"
				 "\ttrailer = Security-Reviewed-by\n"
				 "\trefs = refs/heads/main\n"
				 "\trefs = refs/heads/release/*\n"
				 "\tmissing = reject\n"
				 "\tonError = allow\n"
				 "\ttimeout = 2.5\n"
				 "\tallowBreakglass = true\n"
				 "\tauditLog = /var/log/scopes.jsonl\n"
				 "\tapprovalLabel = scopes-approved\n"
				 "\tmaxFileSize = 2m\n"),
		0);
	assert_string_equal(policy->trailer, "Security-Reviewed-by");
	assert_int_equal(policy->refs.count, 2);
	assert_true(policy->missing_reject);
	assert_true(policy->on_error_allow);
	assert_true(policy->timeout > 2.49 && policy->timeout < 2.51);
	assert_true(policy->allow_breakglass);
	assert_string_equal(policy->audit_log, "/var/log/scopes.jsonl");
	assert_string_equal(policy->approval_label, "scopes-approved");
	assert_int_equal(policy->max_blob_size, 2 * 1024 * 1024);
	assert_true(gjs_policy_reviewer_allowed(policy, "ann@security.example.com"));
	assert_true(gjs_policy_reviewer_allowed(policy, "Lead@Example.com"));
	assert_false(gjs_policy_reviewer_allowed(policy, "ann@example.com"));
	gjs_policy_free(policy);
}

static void invalid_values_name_the_key(void **state)
{
	static const struct {
		const char *config;
		const char *message;
	} cases[] = {
		{ "[jira-scopes]\n\tonError = maybe\n",
			"invalid value 'maybe' of jira-scopes.onError: expected 'reject' or 'allow'" },
		{ "[jira-scopes]\n\tmissing = block\n",
			"invalid value 'block' of jira-scopes.missing: expected 'warn' or 'reject'" },
		{ "[jira-scopes]\n\ttimeout = soon\n",
			"invalid value 'soon' of jira-scopes.timeout: expected a positive number of seconds" },
		{ "[jira-scopes]\n\ttimeout = -1\n",
			"invalid value '-1' of jira-scopes.timeout: expected a positive number of seconds" },
		{ "[jira-scopes]\n\tallowBreakglass = perhaps\n",
			"invalid value 'perhaps' of jira-scopes.allowBreakglass: expected true or false" },
		{ "[jira-scopes]\n\ttrailer = Reviewed by:\n",
			"invalid value 'Reviewed by:' of jira-scopes.trailer: a trailer key has only letters, "
			"digits and '-', such as Scopes-Reviewed-by" },
		{ "[jira-scopes]\n\tmaxFileSize = huge\n",
			"invalid value 'huge' of jira-scopes.maxFileSize: expected a positive size in bytes "
			"(k, m and g suffixes allowed)" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		gjs_policy *policy = NULL;

		assert_int_equal(load_from_text(&policy, cases[i].config), GJS_EINVALID);
		assert_null(policy);
		assert_string_equal(gjs_error_last(), cases[i].message);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_without_config),
		cmocka_unit_test(default_broad_list),
		cmocka_unit_test(configured_broad_list_replaces_default),
		cmocka_unit_test(broad_entries_are_globs),
		cmocka_unit_test(settings_are_read),
		cmocka_unit_test(invalid_values_name_the_key),
	};
	int failed;

	git_libgit2_init();
	failed = cmocka_run_group_tests_name("policy", tests, NULL, NULL);
	git_libgit2_shutdown();
	return failed;
}
