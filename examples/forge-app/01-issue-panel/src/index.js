import Resolver from '@forge/resolver';
import api, { route } from '@forge/api';
import { getDisplayName } from './user';

const resolver = new Resolver();

resolver.define('getIssue', async ({ context }) => {
  const key = context.extension.issue.key;
  const response = await api.asUser().requestJira(route`/rest/api/3/issue/${key}?fields=summary,reporter`, {
    method: 'GET',
    headers: { Accept: 'application/json' },
  });
  const issue = await response.json();
  return {
    summary: issue.fields.summary,
    reporter: await getDisplayName(issue.fields.reporter.accountId),
  };
});

resolver.define('getAssignee', async ({ payload }) => {
  return { name: await getDisplayName(payload.accountId) };
});

export const handler = resolver.getDefinitions();
