import api, { route } from '@forge/api';

// Looks up a user's display name by account id.
export async function getDisplayName(accountId) {
  const response = await api.asUser().requestJira(route`/rest/api/3/user?accountId=${accountId}`, {
    method: 'GET',
    headers: { Accept: 'application/json' },
  });
  const user = await response.json();
  return user.displayName;
}
