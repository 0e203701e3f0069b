/*
 * Unit tests of review markers: commits are built with libgit2 in a
 * temporary repository, then gjs_review_check() judges their trailers.
 */
#include "unit.h"

#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "review.h"

static const char manifest_plain[] =
	"app:\n"
	"  id: ari:cloud:ecosystem::app/1\n"
	"permissions:\n"
	"  scopes:\n"
	"    - read:jira-work\n";

static const char manifest_broad_only[] =
	"app:\n"
	"  id: ari:cloud:ecosystem::app/1\n"
	"permissions:\n"
	"  scopes:\n"
	"    - manage:jira-configuration\n";

static const char manifest_broad[] =
	"app:\n"
	"  id: ari:cloud:ecosystem::app/1\n"
	"permissions:\n"
	"  scopes:\n"
	"    - read:jira-work\n"
	"    - manage:jira-configuration\n";

typedef struct {
	char dir[64];
	git_repository *repo;
	gjs_policy *policy;
} fixture;

static int setup(void **state)
{
	fixture *fx = calloc(1, sizeof(*fx));

	git_libgit2_init();
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/gjs-review-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	assert_int_equal(git_repository_init(&fx->repo, fx->dir, true), 0);
	assert_int_equal(gjs_policy_load(&fx->policy, NULL), 0);
	gjs_strvec_push(&fx->policy->reviewers, "*@security.example.com");
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	fixture *fx = *state;
	char command[128];

	git_repository_free(fx->repo);
	gjs_policy_free(fx->policy);
	snprintf(command, sizeof(command), "rm -rf '%s'", fx->dir);
	assert_int_equal(system(command), 0);
	free(fx);
	git_libgit2_shutdown();
	return 0;
}

/* Writes a commit whose tree contains manifest.yml with `manifest` (none when
 * NULL) and a README that changes with the message, on top of `parents`. */
static git_oid make_commit_with_parents(fixture *fx, const git_oid *parents, size_t parent_count,
	const char *manifest, const char *author_email, const char *message)
{
	git_treebuilder *builder = NULL;
	git_signature *author = NULL;
	git_commit *parent_commits[2] = { NULL, NULL };
	git_tree *tree = NULL;
	git_oid blob_id, tree_id, commit_id;

	assert_true(parent_count <= 2);
	assert_int_equal(git_treebuilder_new(&builder, fx->repo, NULL), 0);
	if (manifest) {
		assert_int_equal(git_blob_create_from_buffer(&blob_id, fx->repo, manifest,
					 strlen(manifest)), 0);
		assert_int_equal(git_treebuilder_insert(NULL, builder, "manifest.yml", &blob_id,
					 GIT_FILEMODE_BLOB), 0);
	}
	assert_int_equal(git_blob_create_from_buffer(&blob_id, fx->repo, message, strlen(message)), 0);
	assert_int_equal(git_treebuilder_insert(NULL, builder, "README", &blob_id, GIT_FILEMODE_BLOB), 0);
	assert_int_equal(git_treebuilder_write(&tree_id, builder), 0);
	assert_int_equal(git_tree_lookup(&tree, fx->repo, &tree_id), 0);
	assert_int_equal(git_signature_new(&author, "Some One", author_email, 1700000000, 0), 0);
	for (size_t i = 0; i < parent_count; i++)
		assert_int_equal(git_commit_lookup(&parent_commits[i], fx->repo, &parents[i]), 0);
	assert_int_equal(git_commit_create(&commit_id, fx->repo, NULL, author, author, NULL,
				 message, tree, parent_count, (const git_commit **)parent_commits), 0);

	git_commit_free(parent_commits[0]);
	git_commit_free(parent_commits[1]);
	git_tree_free(tree);
	git_signature_free(author);
	git_treebuilder_free(builder);
	return commit_id;
}

static git_oid make_commit(fixture *fx, const git_oid *parent, const char *manifest,
	const char *author_email, const char *message)
{
	return make_commit_with_parents(fx, parent, parent ? 1 : 0, manifest, author_email, message);
}

static void test_review_allowed_reviewer(void **state)
{
	fixture *fx = *state;
	gjs_review_result result;
	git_oid base = make_commit(fx, NULL, manifest_plain, "dev@example.com", "base\n");
	git_oid change[1];

	change[0] = make_commit(fx, &base, manifest_broad, "dev@example.com",
		"add configuration scope\n\n"
		"Scopes-Reviewed-by: Rita Reviewer <rita@security.example.com>\n");

	assert_int_equal(gjs_review_check(&result, fx->repo, change, 1, "manifest.yml",
				 "manage:jira-configuration", fx->policy), 0);
	assert_true(result.reviewed);
	assert_string_equal(result.reviewer, "Rita Reviewer <rita@security.example.com>");
	assert_true(git_oid_equal(&result.review_commit, &change[0]));
	assert_true(result.found_adding_commit);
	assert_true(git_oid_equal(&result.adding_commit, &change[0]));
	assert_string_equal(result.adding_author, "dev@example.com");
	assert_null(result.rejected_reason);
	gjs_review_result_clear(&result);
}

static void test_review_reviewer_not_allowed(void **state)
{
	fixture *fx = *state;
	gjs_review_result result;
	git_oid base = make_commit(fx, NULL, manifest_plain, "dev@example.com", "base\n");
	git_oid change[1];
	char expected[160];

	change[0] = make_commit(fx, &base, manifest_broad, "dev@example.com",
		"add configuration scope\n\n"
		"Scopes-Reviewed-by: Mallory <mallory@example.com>\n");

	assert_int_equal(gjs_review_check(&result, fx->repo, change, 1, "manifest.yml",
				 "manage:jira-configuration", fx->policy), 0);
	assert_false(result.reviewed);
	assert_null(result.reviewer);
	git_oid_tostr(expected, 8, &change[0]);
	strncat(expected, ": mallory@example.com is not an allowed reviewer (jira-scopes.reviewer)",
		sizeof(expected) - strlen(expected) - 1);
	assert_string_equal(result.rejected_reason, expected);
	gjs_review_result_clear(&result);
}

static void test_review_author_cannot_review(void **state)
{
	fixture *fx = *state;
	gjs_review_result result;
	git_oid base = make_commit(fx, NULL, manifest_plain, "dev@example.com", "base\n");
	git_oid change[1];
	char expected[200];

	/* The author's address matches the reviewer glob, in another case. */
	change[0] = make_commit(fx, &base, manifest_broad, "Sam@Security.example.com",
		"add configuration scope\n\n"
		"Scopes-Reviewed-by: Sam <sam@security.example.com>\n");

	assert_int_equal(gjs_review_check(&result, fx->repo, change, 1, "manifest.yml",
				 "manage:jira-configuration", fx->policy), 0);
	assert_false(result.reviewed);
	assert_true(result.found_adding_commit);
	assert_string_equal(result.adding_author, "Sam@Security.example.com");
	git_oid_tostr(expected, 8, &change[0]);
	strncat(expected, ": sam@security.example.com authored the commit that adds the scope and "
			  "cannot review it", sizeof(expected) - strlen(expected) - 1);
	assert_string_equal(result.rejected_reason, expected);
	gjs_review_result_clear(&result);
}

static void test_review_trailer_on_earlier_commit(void **state)
{
	fixture *fx = *state;
	gjs_review_result result;
	git_oid base = make_commit(fx, NULL, manifest_plain, "dev@example.com", "base\n");
	git_oid change[3];

	change[0] = make_commit(fx, &base, manifest_plain, "dev@example.com",
		"prepare\n\nScopes-Reviewed-by: Rita <rita@security.example.com>\n");
	change[1] = make_commit(fx, &change[0], manifest_broad, "dev@example.com", "add scope\n");
	change[2] = make_commit(fx, &change[1], manifest_broad, "other@example.com", "more\n");

	/* Passed newest first: the order of the list must not matter. */
	git_oid reversed[3] = { change[2], change[1], change[0] };

	assert_int_equal(gjs_review_check(&result, fx->repo, reversed, 3, "manifest.yml",
				 "manage:jira-configuration", fx->policy), 0);
	assert_true(result.reviewed);
	assert_true(git_oid_equal(&result.review_commit, &change[0]));
	assert_true(result.found_adding_commit);
	assert_true(git_oid_equal(&result.adding_commit, &change[1]));
	assert_string_equal(result.adding_author, "dev@example.com");
	gjs_review_result_clear(&result);
}

static void test_review_no_trailer(void **state)
{
	fixture *fx = *state;
	gjs_review_result result;
	git_oid base = make_commit(fx, NULL, manifest_plain, "dev@example.com", "base\n");
	git_oid change[1];

	change[0] = make_commit(fx, &base, manifest_broad, "dev@example.com",
		"add scope\n\nSigned-off-by: Dev <dev@example.com>\n");

	assert_int_equal(gjs_review_check(&result, fx->repo, change, 1, "manifest.yml",
				 "manage:jira-configuration", fx->policy), 0);
	assert_false(result.reviewed);
	assert_null(result.reviewer);
	assert_null(result.rejected_reason);
	assert_true(result.found_adding_commit);
	gjs_review_result_clear(&result);
}

static void test_review_custom_trailer_key(void **state)
{
	fixture *fx = *state;
	gjs_review_result result;
	git_oid base = make_commit(fx, NULL, manifest_plain, "dev@example.com", "base\n");
	git_oid change[1];

	free(fx->policy->trailer);
	fx->policy->trailer = strdup("Security-Approved-by");
	change[0] = make_commit(fx, &base, manifest_broad, "dev@example.com",
		"add scope\n\n"
		"Scopes-Reviewed-by: Rita <rita@security.example.com>\n"
		"security-approved-by: rita@security.example.com\n");

	assert_int_equal(gjs_review_check(&result, fx->repo, change, 1, "manifest.yml",
				 "manage:jira-configuration", fx->policy), 0);
	assert_true(result.reviewed);
	assert_string_equal(result.reviewer, "rita@security.example.com");
	gjs_review_result_clear(&result);
}

static void test_review_value_without_email(void **state)
{
	fixture *fx = *state;
	gjs_review_result result;
	git_oid base = make_commit(fx, NULL, manifest_plain, "dev@example.com", "base\n");
	git_oid change[1];
	char expected[160];

	change[0] = make_commit(fx, &base, manifest_broad, "dev@example.com",
		"add scope\n\nScopes-Reviewed-by: Rita from security\n");

	assert_int_equal(gjs_review_check(&result, fx->repo, change, 1, "manifest.yml",
				 "manage:jira-configuration", fx->policy), 0);
	assert_false(result.reviewed);
	git_oid_tostr(expected, 8, &change[0]);
	strncat(expected, ": trailer Scopes-Reviewed-by: Rita from security has no <email>",
		sizeof(expected) - strlen(expected) - 1);
	assert_string_equal(result.rejected_reason, expected);
	gjs_review_result_clear(&result);
}

static void test_review_every_adding_author_excluded(void **state)
{
	fixture *fx = *state;
	gjs_review_result result;
	git_oid base = make_commit(fx, NULL, manifest_plain, "dev@example.com", "base\n");
	git_oid change[3];
	char expected[200];

	/* Added by one reviewer, dropped, then added again by another: neither
	 * of the two may sign it off. */
	change[0] = make_commit(fx, &base, manifest_broad, "ann@security.example.com", "add\n");
	change[1] = make_commit(fx, &change[0], manifest_plain, "dev@example.com", "drop\n");
	change[2] = make_commit(fx, &change[1], manifest_broad, "bob@security.example.com",
		"add again\n\nScopes-Reviewed-by: Bob <bob@security.example.com>\n");

	assert_int_equal(gjs_review_check(&result, fx->repo, change, 3, "manifest.yml",
				 "manage:jira-configuration", fx->policy), 0);
	assert_false(result.reviewed);
	assert_true(git_oid_equal(&result.adding_commit, &change[0]));
	assert_string_equal(result.adding_author, "ann@security.example.com");
	assert_int_equal(result.barred.count, 2);
	assert_string_equal(result.barred.items[0], "ann@security.example.com");
	assert_string_equal(result.barred.items[1], "bob@security.example.com");
	git_oid_tostr(expected, 8, &change[2]);
	strncat(expected, ": bob@security.example.com authored the commit that adds the scope and "
			  "cannot review it", sizeof(expected) - strlen(expected) - 1);
	assert_string_equal(result.rejected_reason, expected);
	gjs_review_result_clear(&result);
}

static void test_review_declaration_changer_cannot_review(void **state)
{
	fixture *fx = *state;
	gjs_review_result result;
	git_oid base = make_commit(fx, NULL, manifest_broad_only, "dev@example.com", "base\n");
	git_oid change[2];
	char expected[200];

	/* The broad scope was declared before; adding read:jira-work beside it
	 * puts it to new use, and the author of that edit signs it off. */
	change[0] = make_commit(fx, &base, manifest_broad, "ann@security.example.com",
		"read issues\n\nScopes-Reviewed-by: Ann <ann@security.example.com>\n");
	change[1] = make_commit(fx, &change[0], manifest_broad, "dev@example.com", "notes\n");

	assert_int_equal(gjs_review_check(&result, fx->repo, change, 2, "manifest.yml",
				 "manage:jira-configuration", fx->policy), 0);
	assert_false(result.reviewed);
	assert_false(result.found_adding_commit);
	assert_null(result.adding_author);
	assert_int_equal(result.barred.count, 1);
	assert_string_equal(result.barred.items[0], "ann@security.example.com");
	git_oid_tostr(expected, 8, &change[0]);
	strncat(expected, ": ann@security.example.com authored a commit that changes manifest.yml "
			  "and cannot review it", sizeof(expected) - strlen(expected) - 1);
	assert_string_equal(result.rejected_reason, expected);
	gjs_review_result_clear(&result);
}

static void test_review_declaration_unchanged_author_may_review(void **state)
{
	fixture *fx = *state;
	gjs_review_result result;
	git_oid base = make_commit(fx, NULL, manifest_broad_only, "dev@example.com", "base\n");
	git_oid change[2];

	/* Rita only touches the README, so her trailer counts. */
	change[0] = make_commit(fx, &base, manifest_broad, "dev@example.com", "read issues\n");
	change[1] = make_commit(fx, &change[0], manifest_broad, "rita@security.example.com",
		"notes\n\nScopes-Reviewed-by: Rita <rita@security.example.com>\n");

	assert_int_equal(gjs_review_check(&result, fx->repo, change, 2, "manifest.yml",
				 "manage:jira-configuration", fx->policy), 0);
	assert_true(result.reviewed);
	assert_true(git_oid_equal(&result.review_commit, &change[1]));
	assert_int_equal(result.barred.count, 1);
	assert_string_equal(result.barred.items[0], "dev@example.com");
	gjs_review_result_clear(&result);
}

static void test_review_merge_keeping_declaration_not_barred(void **state)
{
	fixture *fx = *state;
	gjs_review_result result;
	git_oid base = make_commit(fx, NULL, manifest_broad_only, "dev@example.com", "base\n");
	git_oid change[3];
	git_oid parents[2];

	/* The merge differs from one parent's declaration but keeps the
	 * other's, so its author changed nothing in it. */
	change[0] = make_commit(fx, &base, manifest_broad, "ann@example.com", "read issues\n");
	change[1] = make_commit(fx, &base, manifest_broad_only, "bob@example.com", "docs\n");
	parents[0] = change[1];
	parents[1] = change[0];
	change[2] = make_commit_with_parents(fx, parents, 2, manifest_broad,
		"carl@security.example.com",
		"merge\n\nScopes-Reviewed-by: Carl <carl@security.example.com>\n");

	assert_int_equal(gjs_review_check(&result, fx->repo, change, 3, "manifest.yml",
				 "manage:jira-configuration", fx->policy), 0);
	assert_true(result.reviewed);
	assert_true(git_oid_equal(&result.review_commit, &change[2]));
	assert_int_equal(result.barred.count, 1);
	assert_string_equal(result.barred.items[0], "ann@example.com");
	gjs_review_result_clear(&result);
}

static void test_review_scope_not_added_by_change(void **state)
{
	fixture *fx = *state;
	gjs_review_result result;
	git_oid base = make_commit(fx, NULL, manifest_broad, "dev@example.com", "base\n");
	git_oid change[1];

	change[0] = make_commit(fx, &base, manifest_broad, "dev@example.com",
		"touch\n\nScopes-Reviewed-by: Rita <rita@security.example.com>\n");

	assert_int_equal(gjs_review_check(&result, fx->repo, change, 1, "manifest.yml",
				 "manage:jira-configuration", fx->policy), 0);
	assert_false(result.found_adding_commit);
	assert_null(result.adding_author);
	assert_int_equal(result.barred.count, 0);
	assert_true(result.reviewed);
	gjs_review_result_clear(&result);
}

static void test_review_empty_change(void **state)
{
	fixture *fx = *state;
	gjs_review_result result;

	assert_int_equal(gjs_review_check(&result, fx->repo, NULL, 0, "manifest.yml",
				 "manage:jira-configuration", fx->policy), 0);
	assert_false(result.reviewed);
	assert_false(result.found_adding_commit);
	assert_null(result.rejected_reason);
	gjs_review_result_clear(&result);
}

static void test_review_missing_commit_fails(void **state)
{
	fixture *fx = *state;
	gjs_review_result result;
	git_oid missing;

	assert_int_equal(git_oid_fromstr(&missing, "0123456789012345678901234567890123456789"), 0);
	assert_int_equal(gjs_review_check(&result, fx->repo, &missing, 1, "manifest.yml",
				 "manage:jira-configuration", fx->policy), GJS_ENOTFOUND);
	assert_false(result.reviewed);
	assert_null(result.reviewer);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_review_allowed_reviewer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_review_reviewer_not_allowed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_review_author_cannot_review, setup, teardown),
		cmocka_unit_test_setup_teardown(test_review_trailer_on_earlier_commit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_review_no_trailer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_review_custom_trailer_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_review_value_without_email, setup, teardown),
		cmocka_unit_test_setup_teardown(test_review_every_adding_author_excluded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_review_declaration_changer_cannot_review, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_review_declaration_unchanged_author_may_review,
			setup, teardown),
		cmocka_unit_test_setup_teardown(test_review_merge_keeping_declaration_not_barred,
			setup, teardown),
		cmocka_unit_test_setup_teardown(test_review_scope_not_added_by_change, setup, teardown),
		cmocka_unit_test_setup_teardown(test_review_empty_change, setup, teardown),
		cmocka_unit_test_setup_teardown(test_review_missing_commit_fails, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
