/*
 * The shared half of the pre-receive and pre-push hooks: reading ref update
 * lines, finding the commits of a push, judging one ref update against the
 * policy (analysis, diff, review trailers), break-glass push options and
 * the audit log. The commands in cmd_pre_receive.c and cmd_pre_push.c pick
 * the base of each update, print the verdicts and choose the exit code.
 */
#include "hook.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "diff.h"
#include "report.h"
#include "review.h"

#define BREAKGLASS_OPTION "jira-scopes.breakglass="

static bool is_hex_id(const char *s, size_t len)
{
	return (len == 40 || len == 64) && strspn(s, "0123456789abcdef") >= len;
}

static bool is_zero_id(const char *s)
{
	return strspn(s, "0") == strlen(s);
}

/* Splits a line on single spaces into at most `max` fields, in place. */
static size_t split_fields(char *line, char **fields, size_t max)
{
	size_t count = 0;
	char *p = line;

	while (count < max) {
		fields[count++] = p;
		p = strchr(p, ' ');
		if (!p)
			break;
		*p++ = '\0';
	}
	return p ? max + 1 : count;
}

int gjs_hook_read_updates(gjs_hook_updates *out, FILE *in, unsigned fields)
{
	char *line = NULL;
	size_t line_alloc = 0;
	ssize_t len;
	unsigned line_no = 0;
	int error = 0;

	while ((len = getline(&line, &line_alloc, in)) >= 0) {
		char *field[4];
		const char *old_hex, *new_hex;
		gjs_hook_update *update;

		line_no++;
		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		if (!len)
			continue;
		if (split_fields(line, field, fields) != fields) {
			gjs_error_set("malformed ref update on line %u of standard input: expected %s",
				line_no, fields == 3 ? "'OLD NEW REF'" :
				"'LOCAL_REF LOCAL_ID REMOTE_REF REMOTE_ID'");
			error = GJS_EINVALID;
			goto done;
		}
		/* pre-push: the remote's id is the old value, the local one the new. */
		old_hex = fields == 3 ? field[0] : field[3];
		new_hex = field[1];
		if (!is_hex_id(old_hex, strlen(old_hex)) || !is_hex_id(new_hex, strlen(new_hex))) {
			gjs_error_set("malformed object id on line %u of standard input: expected 40 or "
				      "64 lower-case hex digits", line_no);
			error = GJS_EINVALID;
			goto done;
		}

		GJS_GROW(out->items, out->alloc, out->count + 1);
		update = &out->items[out->count++];
		memset(update, 0, sizeof(*update));
		update->ref = gjs_xstrdup(field[2]);
		update->old_hex = gjs_xstrdup(old_hex);
		update->new_hex = gjs_xstrdup(new_hex);
		update->local_ref = fields == 4 ? gjs_xstrdup(field[0]) : NULL;
		update->created = is_zero_id(old_hex);
		update->deleted = is_zero_id(new_hex);
	}
	if (ferror(in)) {
		gjs_error_set("cannot read standard input: %s", strerror(errno));
		error = GJS_ERROR;
	}

done:
	free(line);
	return error;
}

void gjs_hook_updates_clear(gjs_hook_updates *updates)
{
	if (!updates)
		return;
	for (size_t i = 0; i < updates->count; i++) {
		free(updates->items[i].ref);
		free(updates->items[i].old_hex);
		free(updates->items[i].new_hex);
		free(updates->items[i].local_ref);
	}
	free(updates->items);
	memset(updates, 0, sizeof(*updates));
}

bool gjs_hook_ref_enforced(const gjs_policy *policy, const char *ref)
{
	for (size_t i = 0; i < policy->refs.count; i++)
		if (gjs_glob_match(policy->refs.items[i], ref))
			return true;
	return false;
}

/* Decodes one C-style escape after a backslash at `*p`; advances `*p`. */
static int unquote_escape(gjs_buf *out, const char **p)
{
	static const char from[] = "abfnrtv\\\"";
	static const char to[] = "\a\b\f\n\r\t\v\\\"";
	const char *hit = **p ? strchr(from, **p) : NULL;

	if (hit) {
		gjs_buf_putc(out, to[hit - from]);
		(*p)++;
		return 0;
	}
	if ((*p)[0] >= '0' && (*p)[0] <= '3' && (*p)[1] >= '0' && (*p)[1] <= '7' &&
	    (*p)[2] >= '0' && (*p)[2] <= '7') {
		gjs_buf_putc(out, (char)(((*p)[0] - '0') << 6 | ((*p)[1] - '0') << 3 | ((*p)[2] - '0')));
		*p += 3;
		return 0;
	}
	return GJS_EINVALID;
}

/*
 * Git separates entries with ':' and writes an entry that contains ':' or
 * starts with '"' as a C-style quoted string, so a quote at the start of an
 * entry runs to the matching unescaped quote.
 */
int gjs_hook_parse_alternates(gjs_strvec *out, const char *value)
{
	const char *p = value;
	gjs_buf entry = GJS_BUF_INIT;
	int error = 0;

	while (*p) {
		gjs_buf_clear(&entry);
		if (*p == ':') {
			p++;
			continue;
		}
		if (*p == '"') {
			p++;
			while (*p && *p != '"') {
				if (*p != '\\') {
					gjs_buf_putc(&entry, *p++);
					continue;
				}
				p++;
				if ((error = unquote_escape(&entry, &p)) < 0)
					break;
			}
			if (error < 0 || *p != '"' || (p[1] && p[1] != ':')) {
				gjs_error_set("malformed quoted entry in GIT_ALTERNATE_OBJECT_DIRECTORIES: %s",
					value);
				error = GJS_EINVALID;
				goto done;
			}
			p++;
		} else {
			const char *end = strchr(p, ':');
			size_t len = end ? (size_t)(end - p) : strlen(p);

			gjs_buf_put(&entry, p, len);
			p += len;
		}
		if (entry.len)
			gjs_strvec_push(out, gjs_buf_cstr(&entry));
	}

done:
	gjs_buf_free(&entry);
	return error;
}

int gjs_hook_take_alternates(gjs_strvec *out)
{
	const char *value = getenv("GIT_ALTERNATE_OBJECT_DIRECTORIES");
	int error;

	if (!value)
		return 0;
	error = gjs_hook_parse_alternates(out, value);
	unsetenv("GIT_ALTERNATE_OBJECT_DIRECTORIES");
	return error;
}

int gjs_hook_add_alternates(git_repository *repo, const gjs_strvec *dirs)
{
	git_odb *odb = NULL;
	int error = 0;

	if (!dirs->count)
		return 0;
	if (git_repository_odb(&odb, repo) < 0) {
		gjs_error_set_git("cannot open the object database");
		return GJS_ERROR;
	}
	for (size_t i = 0; i < dirs->count; i++) {
		if (git_odb_add_disk_alternate(odb, dirs->items[i]) < 0) {
			gjs_error_set_git(dirs->items[i]);
			error = GJS_ERROR;
			break;
		}
	}
	git_odb_free(odb);
	return error;
}

int gjs_hook_ref_tips(git_oid **out, size_t *count, git_repository *repo, const char *glob)
{
	git_reference_iterator *iter = NULL;
	git_reference *ref = NULL;
	git_oid *tips = NULL;
	size_t tip_count = 0, tip_alloc = 0;
	int error = glob ? git_reference_iterator_glob_new(&iter, repo, glob) :
			   git_reference_iterator_new(&iter, repo);

	if (error < 0) {
		gjs_error_set_git("cannot list references");
		return GJS_ERROR;
	}
	while ((error = git_reference_next(&ref, iter)) == 0) {
		git_object *peeled = NULL;

		if (git_reference_peel(&peeled, ref, GIT_OBJECT_COMMIT) == 0) {
			GJS_GROW(tips, tip_alloc, tip_count + 1);
			git_oid_cpy(&tips[tip_count++], git_object_id(peeled));
			git_object_free(peeled);
		}
		git_reference_free(ref);
	}
	git_reference_iterator_free(iter);
	if (error != GIT_ITEROVER) {
		gjs_error_set_git("cannot list references");
		free(tips);
		return GJS_ERROR;
	}
	*out = tips;
	*count = tip_count;
	return 0;
}

int gjs_hook_push_commits(git_oid **out, size_t *count, git_repository *repo,
	const git_oid *tip, const git_oid *hidden, size_t hidden_count)
{
	git_revwalk *walk = NULL;
	git_oid *commits = NULL;
	size_t commit_count = 0, commit_alloc = 0;
	git_oid id;
	int error = 0;

	if (git_revwalk_new(&walk, repo) < 0 || git_revwalk_push(walk, tip) < 0) {
		gjs_error_set_git("cannot walk the commits of the push");
		error = GJS_ENOTFOUND;
		goto done;
	}
	/* A ref whose commit cannot be read hides nothing; its history is
	 * then treated as part of the push, which only requires more review. */
	for (size_t i = 0; i < hidden_count; i++)
		git_revwalk_hide(walk, &hidden[i]);

	while ((error = git_revwalk_next(&id, walk)) == 0) {
		GJS_GROW(commits, commit_alloc, commit_count + 1);
		git_oid_cpy(&commits[commit_count++], &id);
	}
	if (error != GIT_ITEROVER) {
		gjs_error_set_git("cannot walk the commits of the push");
		error = GJS_ENOTFOUND;
		goto done;
	}
	error = 0;

done:
	git_revwalk_free(walk);
	if (error < 0) {
		free(commits);
		return error;
	}
	*out = commits;
	*count = commit_count;
	return 0;
}

/* Appends `s` with control characters replaced. */
static void put_clean(gjs_buf *buf, const char *s)
{
	char *clean = gjs_sanitize(s);

	gjs_buf_puts(buf, clean);
	free(clean);
}

/* Appends a printf-formatted line whose arguments are already sanitized. */
static void put_line(gjs_buf *buf, const char *fmt, ...) GJS_PRINTF(2, 3);
static void put_line(gjs_buf *buf, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	gjs_buf_vprintf(buf, fmt, ap);
	va_end(ap);
	gjs_buf_putc(buf, '\n');
}

static char *short_id(const git_oid *id)
{
	char hex[13];

	git_oid_tostr(hex, sizeof(hex), id);
	return gjs_xstrdup(hex);
}

/* Appends the operation a call site needs ("PUT /rest/api/3/announcementBanner"),
 * or the method and path as written when no operation matches. */
static void put_operation(gjs_buf *buf, const gjs_call_site *call, const gjs_catalog *catalog)
{
	gjs_buf name = GJS_BUF_INIT;

	if (call->op_count) {
		gjs_report_operation_name(&name, gjs_catalog_get(catalog, call->required_op));
		put_clean(buf, gjs_buf_cstr(&name));
	} else {
		put_clean(buf, call->method ? call->method : "(method unknown)");
		gjs_buf_putc(buf, ' ');
		put_clean(buf, call->path);
	}
	gjs_buf_free(&name);
}

/* Appends "src/index.js:3" and, after `between`, the operation. */
static void put_call_site(gjs_buf *buf, const gjs_call_site *call, const char *between,
	const gjs_catalog *catalog)
{
	put_clean(buf, call->file);
	gjs_buf_printf(buf, ":%u%s", call->line, between);
	put_operation(buf, call, catalog);
}

static void set_error(gjs_hook_verdict *out, const char *ref, const char *what, const char *detail)
{
	char *clean_ref = gjs_sanitize(ref);
	char *clean_detail = gjs_sanitize(detail);

	out->decision = GJS_HOOK_ERROR;
	put_line(&out->message, "error: %s: cannot check scopes: %s: %s", clean_ref, what,
		clean_detail);
	free(out->reason);
	out->reason = gjs_xstrdup(detail);
	free(clean_ref);
	free(clean_detail);
}

static int analyze_commit(gjs_analysis **out, const gjs_hook_context *ctx, const git_commit *commit,
	const gjs_strvec *folders)
{
	gjs_analysis_options opts = GJS_ANALYSIS_OPTIONS_INIT;
	git_tree *tree = NULL;
	int error;

	opts.folders = folders;
	opts.catalog = ctx->catalog;
	opts.cache = ctx->cache;
	opts.max_blob_size = ctx->policy->max_blob_size;
	opts.skip = ctx->policy->skip.count ? &ctx->policy->skip : NULL;
	opts.scan = ctx->policy->scan.count ? &ctx->policy->scan : NULL;
	opts.deadline = ctx->deadline;

	if (!commit)
		return gjs_analyze_files(out, NULL, 0, &opts);
	if (git_commit_tree(&tree, commit) < 0) {
		gjs_error_set_git("cannot read the tree");
		return GJS_ENOTFOUND;
	}
	error = gjs_analyze_tree(out, ctx->repo, tree, &opts);
	git_tree_free(tree);
	return error;
}

/* Counts and barred authors of the broad scopes of one ref update, for its hints and reason. */
struct review_tally {
	size_t added;       /* added scopes without review */
	size_t reused;      /* scopes declared before, put to new use without review */
	size_t reviewed;
	gjs_strvec adders;  /* authors of the commits that add an unreviewed scope */
	gjs_strvec changers; /* authors of declaration changes, for scopes no commit adds */
};

/* Appends the items of `list`, sanitized, separated by ", ". */
static void put_list(gjs_buf *out, const gjs_strvec *list)
{
	for (size_t i = 0; i < list->count; i++) {
		if (i)
			gjs_buf_puts(out, ", ");
		put_clean(out, list->items[i]);
	}
}

/*
 * Writes what the pusher can do about unreviewed broad scopes. A push of no
 * commits of its own gets other advice: the trailers of commits the server
 * already has never count, so a review needs a new commit.
 */
static void put_review_hint(gjs_buf *msg, const char *ref, const gjs_policy *policy,
	const struct review_tally *tally, size_t commit_count)
{
	char *trailer = gjs_sanitize(policy->trailer);
	char *clean_ref = gjs_sanitize(ref);
	gjs_buf reviewers = GJS_BUF_INIT;

	for (size_t i = 0; i < policy->reviewers.count; i++) {
		if (i)
			gjs_buf_puts(&reviewers, ", ");
		put_clean(&reviewers, policy->reviewers.items[i]);
	}
	if (!policy->reviewers.count) {
		put_line(msg, "hint: no reviewer is configured, so no trailer can count: an "
			      "administrator sets jira-scopes.reviewer (email globs) on the server");
	} else if (!commit_count) {
		put_line(msg, "hint: every commit of %s is already on the server under another ref, "
			      "and trailers of those commits do not count", clean_ref);
		put_line(msg, "hint: have a reviewer matching jira-scopes.reviewer (%s) review the "
			      "change, then push the branch from a new commit that carries a '%s' "
			      "trailer, for example",
			gjs_buf_cstr(&reviewers), trailer);
		put_line(msg, "hint:   git commit --allow-empty --trailer \"%s: Name <email>\" "
			      "-m \"Review the Jira scopes\"", trailer);
		put_line(msg, "hint: and push again");
	} else {
		put_line(msg, "hint: have a reviewer matching jira-scopes.reviewer (%s) review the "
			      "change, add a '%s' trailer to a commit of the push, for example",
			gjs_buf_cstr(&reviewers), trailer);
		put_line(msg, "hint:   git commit --amend --trailer \"%s: Name <email>\"", trailer);
		put_line(msg, "hint: and push again");
	}
	if (tally->adders.count) {
		gjs_buf list = GJS_BUF_INIT;

		put_list(&list, &tally->adders);
		put_line(msg, "hint: the reviewer must not be the author of the commit that adds "
			      "the scope (%s)", gjs_buf_cstr(&list));
		gjs_buf_free(&list);
	}
	if (tally->changers.count) {
		gjs_buf list = GJS_BUF_INIT;

		put_list(&list, &tally->changers);
		put_line(msg, "hint: the reviewer must not be the author of a commit of the push that "
			      "changes the declaration (%s)", gjs_buf_cstr(&list));
		gjs_buf_free(&list);
	}
	gjs_buf_free(&reviewers);
	free(clean_ref);
	free(trailer);
}

/* Reports one unreviewed broad scope in the verdict's message. */
static void put_unreviewed(gjs_buf *msg, const char *ref, const git_commit *head,
	const gjs_diff_app *app, const gjs_added_scope *added, const gjs_review_result *review,
	size_t commit_count, const gjs_hook_context *ctx)
{
	char *clean_ref = gjs_sanitize(ref);
	char *path = gjs_sanitize(app->path);
	char *scope = gjs_sanitize(added->scope);
	char *trailer = gjs_sanitize(ctx->policy->trailer);
	char *commit = short_id(review->found_adding_commit ? &review->adding_commit :
							      git_commit_id(head));
	const char *plural = added->new_operations == 1 ? "" : "s";

	if (added->previously_declared)
		put_line(msg, "error: %s: broad scope %s, declared before, put to new use without "
			      "review", clean_ref, scope);
	else
		put_line(msg, "error: %s: broad scope %s added without review", clean_ref, scope);
	if (review->found_adding_commit) {
		char *author = gjs_sanitize(review->adding_author);

		put_line(msg, "error:   commit:       %s (author %s)", commit, author);
		free(author);
	} else if (review->barred.count) {
		gjs_buf authors = GJS_BUF_INIT;

		put_list(&authors, &review->barred);
		put_line(msg, "error:   commit:       %s (declaration changed by %s)", commit,
			gjs_buf_cstr(&authors));
		gjs_buf_free(&authors);
	} else {
		put_line(msg, "error:   commit:       %s", commit);
	}
	put_line(msg, "error:   declared in:  %s:%u", path, added->line);
	put_line(msg, "error:   broad:        %s", added->broad_reason);
	if (added->previously_declared)
		put_line(msg, "error:   newly allows: %zu operation%s together with the scopes this "
			      "push adds", added->new_operations, plural);
	else
		put_line(msg, "error:   newly allows: %zu operation%s", added->new_operations, plural);
	if (!added->justified_count) {
		put_line(msg, "error:   justified by: no call site");
	}
	for (size_t i = 0; i < added->justified_count; i++) {
		gjs_buf site = GJS_BUF_INIT;

		put_call_site(&site, &app->head->calls[added->justified_by[i]], " ", ctx->catalog);
		put_line(msg, "error:   %s %s", i ? "             " : "justified by:",
			gjs_buf_cstr(&site));
		gjs_buf_free(&site);
	}
	if (review->rejected_reason) {
		char *why = gjs_sanitize(review->rejected_reason);

		put_line(msg, "error:   review:       no trailer counts: %s", why);
		free(why);
	} else if (!commit_count) {
		put_line(msg, "error:   review:       none possible: the push brings no commit the "
			      "server does not already have");
	} else {
		put_line(msg, "error:   review:       no %s trailer in the %zu commit%s of the push",
			trailer, commit_count, commit_count == 1 ? "" : "s");
	}

	free(commit);
	free(trailer);
	free(scope);
	free(path);
	free(clean_ref);
}

/* Reports one newly missing call site, as an error or a warning. */
static void put_missing(gjs_buf *msg, const char *prefix, const char *ref,
	const gjs_diff_app *app, const gjs_missing *missing, const gjs_catalog *catalog)
{
	char *clean_ref = gjs_sanitize(ref);
	char *path = gjs_sanitize(app->path);
	gjs_buf site = GJS_BUF_INIT;
	gjs_buf needs = GJS_BUF_INIT;

	put_call_site(&site, &app->head->calls[missing->call], " calls ", catalog);
	put_list(&needs, &missing->classic_alternative);
	if (missing->granular_absent.count) {
		gjs_buf_puts(&needs, needs.len ? ", or granular " : "granular ");
		put_list(&needs, &missing->granular_absent);
	}
	put_line(msg, "%s: %s: %s, which the scopes in %s do not allow (needs %s)",
		prefix, clean_ref, gjs_buf_cstr(&site), path,
		needs.len ? gjs_buf_cstr(&needs) : "a scope the catalog does not list");

	gjs_buf_free(&needs);
	gjs_buf_free(&site);
	free(path);
	free(clean_ref);
}

static void note_barred(struct review_tally *tally, const gjs_review_result *review)
{
	gjs_strvec *list = review->found_adding_commit ? &tally->adders : &tally->changers;

	for (size_t i = 0; i < review->barred.count; i++)
		if (!gjs_strvec_contains(list, review->barred.items[i]))
			gjs_strvec_push(list, review->barred.items[i]);
}

/*
 * Checks the review of every broad scope that the app's change adds or puts
 * to new use, and reports newly missing call sites. Every broad scope the
 * change adds goes to the audit log, even one that allows nothing new and
 * so needs no review.
 */
static void check_app(gjs_hook_verdict *out, const gjs_hook_context *ctx, const char *ref,
	const git_commit *head, const gjs_diff_app *app, const git_oid *commits, size_t count,
	struct review_tally *tally)
{
	for (size_t i = 0; i < app->added_count; i++) {
		const gjs_added_scope *added = &app->added[i];
		gjs_review_result review;

		if (!added->broad_reason)
			continue;
		gjs_strvec_push(&out->scopes, added->scope);
		if (!gjs_added_needs_review(added))
			continue;
		if (gjs_review_check(&review, ctx->repo, commits, count, app->path, added->scope,
			    ctx->policy) < 0) {
			set_error(out, ref, app->path, gjs_error_last());
			continue;
		}
		if (review.reviewed) {
			if (!out->reviewer)
				out->reviewer = gjs_xstrdup(review.reviewer);
			tally->reviewed++;
		} else {
			put_unreviewed(&out->message, ref, head, app, added, &review, count, ctx);
			note_barred(tally, &review);
			if (added->previously_declared)
				tally->reused++;
			else
				tally->added++;
		}
		gjs_review_result_clear(&review);
	}

	for (size_t i = 0; i < app->newly_missing_count; i++) {
		const gjs_missing *missing = &app->head->missing[app->newly_missing[i]];

		put_missing(&out->message, ctx->policy->missing_reject ? "error" : "warning", ref,
			app, missing, ctx->catalog);
	}
}

/* The folders whose apps a change can affect, which are all the hook reads. */
struct change_summary {
	gjs_strvec folders; /* folders of declarations that changed or own a changed file */
	gjs_strvec visited; /* folders already looked up for declarations */
};

static const char *const declaration_names[] = {
	"manifest.yml", "manifest.yaml", "atlassian-connect.json", ".jira-scopes",
};

/* Returns the kind of the first declaration found in `folder` of either
 * tree, or -1 when the folder holds none. */
static int declaration_in_folder(git_tree *const trees[2], const char *folder)
{
	int found = -1;

	for (size_t t = 0; t < 2 && found < 0; t++) {
		for (size_t n = 0; n < sizeof(declaration_names) / sizeof(*declaration_names); n++) {
			gjs_buf path = GJS_BUF_INIT;
			git_tree_entry *entry = NULL;

			if (!trees[t])
				continue;
			gjs_buf_printf(&path, "%s%s%s", folder, *folder ? "/" : "", declaration_names[n]);
			if (git_tree_entry_bypath(&entry, trees[t], path.ptr) == 0) {
				found = gjs_declaration_kind_for_path(path.ptr);
				/* A forge or connect app ends the search at once. */
				if (found != GJS_DECL_SCOPES_FILE)
					n = sizeof(declaration_names) / sizeof(*declaration_names);
			}
			git_tree_entry_free(entry);
			gjs_buf_free(&path);
		}
	}
	return found;
}

/*
 * Adds the folders of the apps that may own a changed source file: the
 * nearest folder with a manifest, and every .jira-scopes folder on the way,
 * because include and exclude globs can pass a file to an outer app.
 */
static void note_changed_source(struct change_summary *summary, git_tree *const trees[2],
	const char *path)
{
	char *folder = gjs_xstrdup(path);
	char *slash = strrchr(folder, '/');

	if (slash)
		*slash = '\0';
	else
		folder[0] = '\0';
	for (;;) {
		int kind;

		if (gjs_strvec_contains(&summary->visited, folder))
			break;
		gjs_strvec_push(&summary->visited, folder);
		kind = declaration_in_folder(trees, folder);
		if (kind >= 0)
			gjs_strvec_push(&summary->folders, folder);
		if (kind >= 0 && kind != GJS_DECL_SCOPES_FILE)
			break;
		if (!*folder)
			break;
		slash = strrchr(folder, '/');
		if (slash)
			*slash = '\0';
		else
			folder[0] = '\0';
	}
	free(folder);
}

static void note_changed_path(struct change_summary *summary, git_tree *const trees[2],
	const char *path)
{
	const char *slash;

	if (!path)
		return;
	if (gjs_declaration_kind_for_path(path) < 0) {
		if (gjs_scan_language(path) != GJS_LANG_NONE)
			note_changed_source(summary, trees, path);
		return;
	}
	slash = strrchr(path, '/');
	gjs_strvec_pushn(&summary->folders, path, slash ? (size_t)(slash - path) : 0);
}

/*
 * Finds the folders a change can affect, from a tree-to-tree diff that
 * skips unchanged subtrees by their ids and reads no file content. Scopes
 * change only with a declaration, and a call site only moves the findings
 * of the app that owns its file, so the analyses read just those apps.
 */
static int summarize_change(struct change_summary *out, const gjs_hook_context *ctx,
	const git_commit *base, const git_commit *head)
{
	git_diff_options opts;
	git_tree *trees[2] = { NULL, NULL };
	git_diff *diff = NULL;
	int error;

	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	opts.flags = GIT_DIFF_SKIP_BINARY_CHECK | GIT_DIFF_IGNORE_SUBMODULES;
	error = base ? git_commit_tree(&trees[0], base) : 0;
	if (error == 0)
		error = git_commit_tree(&trees[1], head);
	if (error == 0)
		error = git_diff_tree_to_tree(&diff, ctx->repo, trees[0], trees[1], &opts);
	if (error < 0) {
		gjs_error_set_git("cannot compare the trees");
		goto done;
	}
	for (size_t i = 0; i < git_diff_num_deltas(diff); i++) {
		const git_diff_delta *delta = git_diff_get_delta(diff, i);

		note_changed_path(out, trees, delta->old_file.path);
		note_changed_path(out, trees, delta->new_file.path);
	}
	gjs_strvec_sort_unique(&out->folders);

done:
	git_diff_free(diff);
	git_tree_free(trees[0]);
	git_tree_free(trees[1]);
	return error < 0 ? GJS_ERROR : 0;
}

/* Writes "2 broad scopes added and 1 put to new use without review". */
static void put_unreviewed_reason(gjs_buf *reason, const struct review_tally *tally)
{
	if (tally->added)
		gjs_buf_printf(reason, "%zu broad scope%s added", tally->added,
			tally->added == 1 ? "" : "s");
	if (tally->added && tally->reused)
		gjs_buf_printf(reason, " and %zu put to new use", tally->reused);
	else if (tally->reused)
		gjs_buf_printf(reason, "%zu broad scope%s put to new use", tally->reused,
			tally->reused == 1 ? "" : "s");
	if (tally->added || tally->reused)
		gjs_buf_puts(reason, " without review");
}

void gjs_hook_check(gjs_hook_verdict *out, const gjs_hook_context *ctx, const char *ref,
	const git_commit *base, const git_commit *head, const git_oid *commits, size_t count)
{
	gjs_analysis *base_analysis = NULL;
	gjs_analysis *head_analysis = NULL;
	gjs_diff *diff = NULL;
	struct review_tally tally = { 0, 0, 0, GJS_STRVEC_INIT, GJS_STRVEC_INIT };
	struct change_summary change = { GJS_STRVEC_INIT, GJS_STRVEC_INIT };
	size_t unreviewed, missing = 0;
	char *head_id = short_id(git_commit_id(head));
	int error;

	memset(out, 0, sizeof(*out));
	out->decision = GJS_HOOK_ACCEPT;

	error = summarize_change(&change, ctx, base, head);
	if (error < 0) {
		set_error(out, ref, head_id, gjs_error_last());
		goto done;
	}
	if (!change.folders.count) {
		out->reason = gjs_xstrdup("no app changed");
		goto done;
	}
	error = analyze_commit(&base_analysis, ctx, base, &change.folders);
	if (!error)
		error = analyze_commit(&head_analysis, ctx, head, &change.folders);
	if (error == GJS_ETIMEOUT) {
		gjs_buf detail = GJS_BUF_INIT;

		gjs_buf_printf(&detail, "the time budget of %g seconds (jira-scopes.timeout) was spent",
			ctx->policy->timeout);
		set_error(out, ref, head_id, gjs_buf_cstr(&detail));
		gjs_buf_free(&detail);
		goto done;
	}
	if (error < 0) {
		set_error(out, ref, head_id, gjs_error_last());
		goto done;
	}

	/* A declaration that does not parse hides which scopes it grants. */
	for (size_t i = 0; i < head_analysis->app_count; i++) {
		const gjs_declaration *decl = head_analysis->apps[i].decl;

		if (decl->error)
			set_error(out, ref, head_id, decl->error);
	}
	if (out->decision == GJS_HOOK_ERROR)
		goto done;

	if (gjs_diff_analyses(&diff, base_analysis, head_analysis, ctx->catalog, ctx->policy) < 0) {
		set_error(out, ref, head_id, gjs_error_last());
		goto done;
	}
	for (size_t i = 0; i < diff->app_count; i++) {
		const gjs_diff_app *app = &diff->apps[i];

		if (!app->head)
			continue;
		check_app(out, ctx, ref, head, app, commits, count, &tally);
		missing += app->newly_missing_count;
	}
	if (out->decision == GJS_HOOK_ERROR)
		goto done;

	unreviewed = tally.added + tally.reused;
	if (unreviewed)
		put_review_hint(&out->hints, ref, ctx->policy, &tally, count);
	if (missing && ctx->policy->missing_reject)
		put_line(&out->hints, "hint: declare the missing scopes, or remove the calls, "
				      "and push again (jira-scopes.missing=reject)");
	if (unreviewed || (missing && ctx->policy->missing_reject)) {
		gjs_buf reason = GJS_BUF_INIT;

		out->decision = GJS_HOOK_REJECT;
		put_unreviewed_reason(&reason, &tally);
		if (missing && ctx->policy->missing_reject)
			gjs_buf_printf(&reason, "%s%zu call site%s newly missing scopes",
				unreviewed ? "; " : "", missing, missing == 1 ? "" : "s");
		out->reason = gjs_buf_detach(&reason);
	} else if (tally.reviewed) {
		out->reason = gjs_xstrdup("broad scopes reviewed");
	} else if (out->scopes.count) {
		out->reason = gjs_xstrdup("broad scopes added allow no new operation");
	} else {
		out->reason = gjs_xstrdup("no broad scope added");
	}

done:
	gjs_strvec_clear(&change.folders);
	gjs_strvec_clear(&change.visited);
	gjs_strvec_clear(&tally.adders);
	gjs_strvec_clear(&tally.changers);
	gjs_diff_free(diff);
	gjs_analysis_free(base_analysis);
	gjs_analysis_free(head_analysis);
	free(head_id);
}

void gjs_hook_verdict_clear(gjs_hook_verdict *verdict)
{
	if (!verdict)
		return;
	gjs_buf_free(&verdict->message);
	gjs_buf_free(&verdict->hints);
	gjs_strvec_clear(&verdict->scopes);
	free(verdict->reviewer);
	free(verdict->reason);
	memset(verdict, 0, sizeof(*verdict));
}

void gjs_hook_breakglass_reason(char **out)
{
	const char *count_text = getenv("GIT_PUSH_OPTION_COUNT");
	char *end = NULL;
	long count;

	*out = NULL;
	if (!count_text)
		return;
	errno = 0;
	count = strtol(count_text, &end, 10);
	if (errno || end == count_text || *end || count < 0 || count > 10000)
		return;
	for (long i = 0; i < count; i++) {
		char name[40];
		const char *value;

		snprintf(name, sizeof(name), "GIT_PUSH_OPTION_%ld", i);
		value = getenv(name);
		if (value && !strncmp(value, BREAKGLASS_OPTION, strlen(BREAKGLASS_OPTION))) {
			free(*out);
			*out = gjs_xstrdup(value + strlen(BREAKGLASS_OPTION));
		}
	}
}

char *gjs_hook_pusher(void)
{
	static const char *const vars[] = { "GITHUB_USER_LOGIN", "GL_USERNAME", "BB_USER_NAME" };
	struct passwd *pw;
	const char *user;

	for (size_t i = 0; i < sizeof(vars) / sizeof(*vars); i++) {
		const char *value = getenv(vars[i]);

		if (value && *value)
			return gjs_xstrdup(value);
	}
	pw = getpwuid(geteuid());
	if (pw && pw->pw_name)
		return gjs_xstrdup(pw->pw_name);
	user = getenv("USER");
	return gjs_xstrdup(user ? user : "unknown");
}

static char *audit_line(const gjs_audit_entry *entry, const char *time_text)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *scopes = cJSON_CreateArray();
	char *text;
	char *line;

	cJSON_AddStringToObject(root, "time", time_text);
	cJSON_AddStringToObject(root, "ref", entry->ref);
	cJSON_AddStringToObject(root, "old", entry->old_hex);
	cJSON_AddStringToObject(root, "new", entry->new_hex);
	cJSON_AddStringToObject(root, "decision", entry->decision);
	cJSON_AddBoolToObject(root, "accepted", entry->accepted);
	for (size_t i = 0; entry->scopes && i < entry->scopes->count; i++)
		cJSON_AddItemToArray(scopes, cJSON_CreateString(entry->scopes->items[i]));
	cJSON_AddItemToObject(root, "scopes", scopes);
	if (entry->reviewer)
		cJSON_AddStringToObject(root, "reviewer", entry->reviewer);
	else
		cJSON_AddNullToObject(root, "reviewer");
	cJSON_AddStringToObject(root, "reason", entry->reason ? entry->reason : "");
	cJSON_AddStringToObject(root, "pusher", entry->pusher);

	text = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	if (!text)
		return NULL;
	line = gjs_xmalloc(strlen(text) + 2);
	memcpy(line, text, strlen(text));
	line[strlen(text)] = '\n';
	line[strlen(text) + 1] = '\0';
	cJSON_free(text);
	return line;
}

int gjs_hook_audit_append(const char *path, const gjs_audit_entry *entries, size_t count)
{
	char time_text[32];
	struct tm tm;
	time_t now = time(NULL);
	int fd;
	int error = 0;

	if (!count)
		return 0;
	if (!gmtime_r(&now, &tm) ||
	    !strftime(time_text, sizeof(time_text), "%Y-%m-%dT%H:%M:%SZ", &tm)) {
		gjs_error_set("cannot format the current time for the audit log");
		return GJS_ERROR;
	}
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0) {
		gjs_error_set("cannot open the audit log %s (jira-scopes.auditLog): %s", path,
			strerror(errno));
		return GJS_ERROR;
	}
	if (flock(fd, LOCK_EX) < 0) {
		gjs_error_set("cannot lock the audit log %s: %s", path, strerror(errno));
		close(fd);
		return GJS_ERROR;
	}

	for (size_t i = 0; i < count && !error; i++) {
		char *line = audit_line(&entries[i], time_text);
		size_t len = line ? strlen(line) : 0;
		ssize_t written;

		if (!line) {
			gjs_error_set("cannot encode an audit log entry");
			error = GJS_ERROR;
			break;
		}
		do
			written = write(fd, line, len);
		while (written < 0 && errno == EINTR);
		if (written != (ssize_t)len) {
			gjs_error_set("cannot write the audit log %s: %s", path,
				written < 0 ? strerror(errno) : "short write");
			error = GJS_ERROR;
		}
		free(line);
	}

	flock(fd, LOCK_UN);
	if (close(fd) < 0 && !error) {
		gjs_error_set("cannot write the audit log %s: %s", path, strerror(errno));
		error = GJS_ERROR;
	}
	return error;
}
