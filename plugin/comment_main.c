/*
 * Entry point of git-jira-scopes-comment, the comment bot. git-jira-scopes
 * runs it for `git jira-scopes comment`; it is a binary of its own so that
 * only it links libcurl.
 */
#include <git2.h>

#include "frontend.h"

int main(int argc, char **argv)
{
	int status;

	gjs_git_init();
	status = gjs_cmd_comment(argc, argv);
	git_libgit2_shutdown();
	return status;
}
