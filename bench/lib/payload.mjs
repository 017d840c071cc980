// A GitHub `pull_request` webhook body of a realistic shape and size (about 3 KB), for repository `repo`.
export function pullRequestBody(repo, number = 1) {
  const [owner, name] = repo.split("/");
  const user = { login: "octocat", id: 583231, node_id: "MDQ6VXNlcjU4MzIzMQ==", type: "User", site_admin: false, html_url: "https://github.com/octocat" };
  const repository = {
    id: 1296269,
    node_id: "MDEwOlJlcG9zaXRvcnkxMjk2MjY5",
    name,
    full_name: repo,
    private: false,
    owner: { ...user, login: owner },
    html_url: `https://github.com/${repo}`,
    description: "A repository used by the fan-out benchmark",
    fork: false,
    default_branch: "main",
    created_at: "2011-01-26T19:01:12Z",
    updated_at: "2025-11-20T10:00:00Z",
    pushed_at: "2025-11-26T09:00:00Z",
    stargazers_count: 80,
    watchers_count: 80,
    language: "TypeScript",
    forks_count: 9,
    open_issues_count: 12,
    visibility: "public",
  };
  const ref = (branch, sha) => ({ label: `${owner}:${branch}`, ref: branch, sha, user: repository.owner, repo: repository });
  return JSON.stringify({
    action: "opened",
    number,
    pull_request: {
      url: `https://api.github.com/repos/${repo}/pulls/${number}`,
      id: 1000000 + number,
      node_id: "PR_kwDOABCD",
      html_url: `https://github.com/${repo}/pull/${number}`,
      number,
      state: "open",
      locked: false,
      title: "Route webhooks through the fan-out path",
      user,
      body: "This change routes every webhook through the fan-out path. ".repeat(12),
      created_at: "2025-11-26T09:00:00Z",
      updated_at: "2025-11-26T09:00:00Z",
      draft: false,
      head: ref("feature/fanout", "6dcb09b5b57875f334f61aebed695e2e4193db5e"),
      base: ref("main", "e5bd3914e2e596debea16f433f57875b5b90bcd6"),
      additions: 120,
      deletions: 14,
      changed_files: 5,
    },
    repository: { ...repository },
    sender: user,
  });
}
