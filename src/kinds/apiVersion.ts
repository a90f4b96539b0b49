/**
 * `group/version` as its two parts; the core group is written without a group (`v1`) and comes
 * back as `''`. The one place that splits an apiVersion: the apiserver's rule is the last slash.
 */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.lastIndexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}
