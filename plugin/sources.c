/*
 * Feeds an analysis from git: the files of a tree (blobs read through
 * libgit2, each scanned once per run thanks to the blob cache) or the
 * working tree of a repository.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analysis_builder.h"

struct tree_walk {
	const char *prefix; /* folder of the walked subtree, with a final '/', or "" */
	git_repository *repo;
	git_odb *odb;
	gjs_analysis_builder *builder;
	double deadline;
	int error;
};

static int reject_special_declaration(const char *path, git_filemode_t mode)
{
	if (mode == GIT_FILEMODE_LINK) {
		gjs_error_set("%s is a symbolic link; a declaration must be a regular file in the "
			      "repository, so replace the link with the file itself", path);
		return GJS_EINVALID;
	}
	if (mode == GIT_FILEMODE_COMMIT) {
		gjs_error_set("%s is a submodule; a declaration must be a regular file in the "
			      "repository, so commit the file itself", path);
		return GJS_EINVALID;
	}
	return 0;
}

static int load_blob(git_blob **out, struct tree_walk *walk, const git_oid *id, const char *path)
{
	if (git_blob_lookup(out, walk->repo, id) < 0) {
		char hex[GIT_OID_HEXSZ + 1];

		git_oid_tostr(hex, sizeof(hex), id);
		gjs_error_set("cannot read blob %s of %s: %s; the repository may be incomplete "
			      "(a shallow or partial clone)", hex, path,
			git_error_last() ? git_error_last()->message : "object missing");
		return GJS_ENOTFOUND;
	}
	return 0;
}

static int visit_declaration(struct tree_walk *walk, const char *path, const git_tree_entry *entry)
{
	git_blob *blob = NULL;
	int error;

	error = reject_special_declaration(path, git_tree_entry_filemode(entry));
	if (error < 0)
		return error;
	if (git_tree_entry_type(entry) != GIT_OBJECT_BLOB)
		return 0;
	error = load_blob(&blob, walk, git_tree_entry_id(entry), path);
	if (error < 0)
		return error;
	error = gjs_analysis_builder_add_declaration(walk->builder, path,
		(const char *)git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
	git_blob_free(blob);
	return error;
}

static int visit_source(struct tree_walk *walk, const char *path, const git_tree_entry *entry,
	gjs_language language)
{
	const git_oid *id = git_tree_entry_id(entry);
	git_blob *blob = NULL;
	size_t size;
	git_object_t type;
	int error;

	if (gjs_analysis_builder_add_cached(walk->builder, path, language, id))
		return 0;
	/* The header gives the size without inflating the object. */
	if (git_odb_read_header(&size, &type, walk->odb, id) == 0 &&
	    size > gjs_analysis_builder_max_size(walk->builder)) {
		gjs_analysis_builder_skip(walk->builder);
		return 0;
	}
	error = load_blob(&blob, walk, id, path);
	if (error < 0)
		return error;
	error = gjs_analysis_builder_add_source(walk->builder, path, language,
		(const char *)git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob), id);
	git_blob_free(blob);
	return error;
}

static int visit_entry(const char *root, const git_tree_entry *entry, void *payload)
{
	struct tree_walk *walk = payload;
	const char *name = git_tree_entry_name(entry);
	gjs_buf path = GJS_BUF_INIT;
	gjs_language language;
	int error = 0;

	if (git_tree_entry_type(entry) == GIT_OBJECT_TREE)
		return 0;
	if (walk->deadline > 0 && gjs_now() > walk->deadline) {
		gjs_error_set("the time budget ran out while reading the tree");
		walk->error = GJS_ETIMEOUT;
		return -1;
	}

	gjs_buf_puts(&path, walk->prefix);
	gjs_buf_puts(&path, root);
	gjs_buf_puts(&path, name);
	if (gjs_declaration_kind_for_path(path.ptr) >= 0)
		error = visit_declaration(walk, path.ptr, entry);
	else if (git_tree_entry_filemode(entry) != GIT_FILEMODE_LINK &&
		 git_tree_entry_type(entry) == GIT_OBJECT_BLOB &&
		 gjs_analysis_builder_wants(walk->builder, path.ptr, &language))
		error = visit_source(walk, path.ptr, entry, language);
	gjs_buf_free(&path);
	if (error < 0) {
		walk->error = error;
		return -1;
	}
	return 0;
}

/* Reports whether `folder` lies inside another folder of the list, which
 * the walk of that other folder already covers. */
static bool covered_by_other(const gjs_strvec *folders, size_t index)
{
	const char *folder = folders->items[index];

	for (size_t i = 0; i < folders->count; i++) {
		const char *other = folders->items[i];
		size_t len = strlen(other);

		if (i == index)
			continue;
		if (!strcmp(other, folder) && i < index)
			return true;
		if (!len && *folder)
			return true;
		if (len && !strncmp(folder, other, len) && folder[len] == '/')
			return true;
	}
	return false;
}

/* Walks one folder of the tree; a folder the tree lacks is no error. */
static int walk_folder(struct tree_walk *walk, const git_tree *tree, const char *folder)
{
	git_tree_entry *entry = NULL;
	git_tree *subtree = NULL;
	gjs_buf prefix = GJS_BUF_INIT;
	int error;

	if (!*folder) {
		walk->prefix = "";
		return git_tree_walk(tree, GIT_TREEWALK_PRE, visit_entry, walk);
	}
	error = git_tree_entry_bypath(&entry, tree, folder);
	if (error == GIT_ENOTFOUND)
		return 0;
	if (error == 0 && git_tree_entry_type(entry) != GIT_OBJECT_TREE) {
		git_tree_entry_free(entry);
		return 0;
	}
	if (error == 0)
		error = git_tree_lookup(&subtree, walk->repo, git_tree_entry_id(entry));
	if (error == 0) {
		gjs_buf_printf(&prefix, "%s/", folder);
		walk->prefix = prefix.ptr;
		error = git_tree_walk(subtree, GIT_TREEWALK_PRE, visit_entry, walk);
		walk->prefix = "";
	}
	gjs_buf_free(&prefix);
	git_tree_free(subtree);
	git_tree_entry_free(entry);
	return error;
}

int gjs_analyze_tree(gjs_analysis **out, git_repository *repo, const git_tree *tree,
	const gjs_analysis_options *opts)
{
	struct tree_walk walk = { 0 };
	int error = 0;

	walk.prefix = "";
	walk.repo = repo;
	walk.deadline = opts->deadline;
	walk.builder = gjs_analysis_builder_new(opts);
	if (git_repository_odb(&walk.odb, repo) < 0) {
		gjs_error_set_git("cannot open the object database");
		gjs_analysis_builder_free(walk.builder);
		return GJS_ERROR;
	}

	if (!opts->folders) {
		error = git_tree_walk(tree, GIT_TREEWALK_PRE, visit_entry, &walk);
	} else {
		for (size_t i = 0; i < opts->folders->count && error == 0; i++)
			if (!covered_by_other(opts->folders, i))
				error = walk_folder(&walk, tree, opts->folders->items[i]);
	}
	git_odb_free(walk.odb);
	if (error < 0) {
		gjs_analysis_builder_free(walk.builder);
		if (walk.error < 0)
			return walk.error;
		gjs_error_set_git("cannot walk the tree");
		return GJS_ERROR;
	}
	return gjs_analysis_builder_finish(walk.builder, out);
}

static int read_file(gjs_buf *out, const char *full_path, size_t limit, bool *too_big)
{
	FILE *file = fopen(full_path, "rb");
	char chunk[65536];
	size_t got;

	*too_big = false;
	if (!file) {
		gjs_error_set("cannot read %s: %s", full_path, strerror(errno));
		return GJS_ENOTFOUND;
	}
	while ((got = fread(chunk, 1, sizeof(chunk), file)) > 0) {
		gjs_buf_put(out, chunk, got);
		if (limit && out->len > limit) {
			*too_big = true;
			break;
		}
	}
	fclose(file);
	return 0;
}

int gjs_analyze_workdir(gjs_analysis **out, git_repository *repo, const gjs_analysis_options *opts)
{
	git_status_options status_opts;
	git_status_list *list = NULL;
	gjs_analysis_builder *builder;
	const char *workdir = git_repository_workdir(repo);
	int error = 0;

	if (!workdir) {
		gjs_error_set("--worktree needs a working tree, and this repository is bare");
		return GJS_EINVALID;
	}
	git_status_options_init(&status_opts, GIT_STATUS_OPTIONS_VERSION);
	status_opts.show = GIT_STATUS_SHOW_WORKDIR_ONLY;
	status_opts.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS |
			    GIT_STATUS_OPT_INCLUDE_UNMODIFIED | GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
	if (git_status_list_new(&list, repo, &status_opts) < 0) {
		gjs_error_set_git("cannot list the working tree");
		return GJS_ERROR;
	}

	builder = gjs_analysis_builder_new(opts);
	for (size_t i = 0; i < git_status_list_entrycount(list) && error == 0; i++) {
		const git_status_entry *entry = git_status_byindex(list, i);
		const git_diff_delta *delta = entry->index_to_workdir;
		gjs_buf full = GJS_BUF_INIT;
		gjs_buf data = GJS_BUF_INIT;
		gjs_language language = GJS_LANG_NONE;
		bool is_declaration;
		bool too_big = false;
		struct stat info;
		const char *path;

		if (!delta || entry->status == GIT_STATUS_WT_DELETED)
			continue;
		path = delta->new_file.path;
		is_declaration = gjs_declaration_kind_for_path(path) >= 0;
		if (!is_declaration && !gjs_analysis_builder_wants(builder, path, &language))
			continue;

		gjs_buf_printf(&full, "%s%s", workdir, path);
		if (lstat(full.ptr, &info) == 0 && S_ISLNK(info.st_mode)) {
			if (is_declaration)
				error = reject_special_declaration(path, GIT_FILEMODE_LINK);
			gjs_buf_free(&full);
			continue;
		}
		error = read_file(&data, full.ptr, is_declaration ? 0 : gjs_analysis_builder_max_size(builder),
			&too_big);
		if (error == 0 && is_declaration)
			error = gjs_analysis_builder_add_declaration(builder, path, gjs_buf_cstr(&data), data.len);
		else if (error == 0 && too_big)
			gjs_analysis_builder_skip(builder);
		else if (error == 0)
			error = gjs_analysis_builder_add_source(builder, path, language, gjs_buf_cstr(&data),
				data.len, NULL);
		gjs_buf_free(&data);
		gjs_buf_free(&full);
	}
	git_status_list_free(list);
	if (error < 0) {
		gjs_analysis_builder_free(builder);
		return error;
	}
	return gjs_analysis_builder_finish(builder, out);
}
