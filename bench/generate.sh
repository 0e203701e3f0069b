#!/bin/sh
# Builds the synthetic benchmark repository in DIR, which must not exist.
# It has one commit of about 20,000 source files in JavaScript, TypeScript,
# Python, Java and Go. Six Forge apps, one Connect app and one .jira-scopes
# app hold a few hundred Jira REST call sites, and most files have none.
# git fast-import writes the objects, and no work tree is checked out. A
# seeded generator makes the content, so every run makes the same commit id.
# Usage: bench/generate.sh DIR
set -eu

if [ $# -ne 1 ]; then
	echo "usage: $0 DIR" >&2
	exit 129
fi
dir=$1
if [ -e "$dir" ]; then
	echo "fatal: '$dir' already exists; remove it first" >&2
	exit 128
fi

export GIT_CONFIG_NOSYSTEM=1 LC_ALL=C
git init -q -b main "$dir"
python3 - <<'PYEOF' | git -C "$dir" fast-import --quiet
import random
import sys

rng = random.Random(20240304)
out = sys.stdout.buffer
mark = 0
files = []  # (path, mark)

def blob(path, text):
    global mark
    mark += 1
    data = text.encode()
    out.write(b"blob\nmark :%d\ndata %d\n" % (mark, len(data)))
    out.write(data)
    out.write(b"\n")
    files.append((path, mark))

# Operations that the call sites use: (method, path as written per language).
OPERATIONS = [
    ("GET", "/rest/api/3/issue/{key}"),
    ("PUT", "/rest/api/3/issue/{key}"),
    ("POST", "/rest/api/3/issue"),
    ("POST", "/rest/api/3/issue/{key}/comment"),
    ("GET", "/rest/api/3/issue/{key}/comment"),
    ("POST", "/rest/api/3/issue/{key}/transitions"),
    ("GET", "/rest/api/3/search?jql={jql}"),
    ("GET", "/rest/api/3/project/search"),
    ("GET", "/rest/api/3/myself"),
    ("GET", "/rest/api/3/user?accountId={key}"),
    ("GET", "/rest/api/3/field"),
    ("DELETE", "/rest/api/3/issue/{key}"),
    ("GET", "/rest/agile/1.0/board"),
    ("POST", "/rest/servicedeskapi/request"),
]

WORDS = ("account", "batch", "cache", "config", "entry", "event", "field", "filter", "handler",
         "index", "item", "job", "label", "limit", "model", "node", "order", "page", "queue",
         "record", "result", "row", "schema", "state", "task", "token", "value", "widget")

def name():
    return rng.choice(WORDS) + rng.choice(WORDS).capitalize()

def js_filler(lines):
    body = []
    while len(body) < lines:
        fn = name()
        body.append("export function %s(%s, options = {}) {" % (fn, rng.choice(WORDS)))
        for _ in range(rng.randint(3, 9)):
            body.append("  const %s = options.%s ?? %d;" % (name(), rng.choice(WORDS), rng.randint(0, 999)))
        body.append("  return { %s, size: %d };" % (rng.choice(WORDS), rng.randint(1, 64)))
        body.append("}")
        body.append("")
    return "\n".join(body) + "\n"

def py_filler(lines):
    body = ["import logging", "", "log = logging.getLogger(__name__)", ""]
    while len(body) < lines:
        body.append("def %s(%s, limit=%d):" % (name().lower(), rng.choice(WORDS), rng.randint(1, 500)))
        for _ in range(rng.randint(3, 9)):
            body.append("    %s = %s * %d + limit" % (rng.choice(WORDS), rng.choice(WORDS), rng.randint(2, 9)))
        body.append("    return %s" % rng.choice(WORDS))
        body.append("")
    return "\n".join(body) + "\n"

def java_filler(cls, lines):
    body = ["package com.example.bench;", "", "public final class %s {" % cls]
    while len(body) < lines:
        body.append("    static int %s(int %s) {" % (name(), rng.choice(WORDS)))
        for _ in range(rng.randint(3, 9)):
            body.append("        int %s = %s * %d;" % (name(), rng.choice(WORDS), rng.randint(2, 99)))
        body.append("        return %d;" % rng.randint(0, 999))
        body.append("    }")
        body.append("")
    body.append("}")
    return "\n".join(body) + "\n"

def go_filler(lines):
    body = ["package bench", "", 'import "strings"', ""]
    while len(body) < lines:
        body.append("func %s(%s string) int {" % (name(), rng.choice(WORDS)))
        for _ in range(rng.randint(3, 9)):
            body.append("\t%s := strings.Count(%s, %r)" % (name(), rng.choice(WORDS), rng.choice(WORDS)[:2]))
        body.append("\treturn %d" % rng.randint(0, 999))
        body.append("}")
        body.append("")
    return "\n".join(body) + "\n"

def js_call(method, path):
    path = path.replace("{key}", "${key}").replace("{jql}", "${jql}")
    return ("export async function call%s(key, jql) {\n"
            "  const response = await api.asApp().requestJira(route`%s`, { method: '%s' });\n"
            "  return response.json();\n}\n" % (rng.randint(0, 99999), path, method))

def py_call(method, path):
    return ("def call_%d(session, base, key, jql):\n"
            "    return session.%s(f\"{base}%s\").json()\n" % (rng.randint(0, 99999), method.lower(), path))

def java_call(method, path):
    path = path.replace("{key}", "%s").replace("{jql}", "%s")
    args = ", key" * path.count("%s")
    return ("    Object call%d(String key) {\n"
            "        return rest.exchange(String.format(\"%s\"%s), HttpMethod.%s, null, Object.class);\n"
            "    }\n" % (rng.randint(0, 99999), path, args, method))

def go_call(method, path):
    path = path.replace("{key}", "%s").replace("{jql}", "%s")
    args = ", key" * path.count("%s")
    return ("func call%d(base, key string) (*http.Request, error) {\n"
            "\treturn http.NewRequest(http.Method%s, base+fmt.Sprintf(\"%s\"%s), nil)\n}\n"
            % (rng.randint(0, 99999), method.capitalize(), path, args))

calls = 0

def with_call(probability, filler, call):
    global calls
    text = filler
    if rng.random() < probability:
        method, path = rng.choice(OPERATIONS)
        text += "\n" + call(method, path)
        calls += 1
    return text

# Six Forge apps of 1,500 files each, plus 40 files under node_modules/ in each.
for app in range(6):
    scopes = ["read:jira-work", "write:jira-work", "read:jira-user", "storage:app"]
    if app == 5:
        scopes.append("manage:jira-configuration")
    blob("apps/forge-%d/manifest.yml" % app,
         "modules:\n  jira:issuePanel:\n    - key: panel-%d\n      resource: main\n"
         "      title: Panel %d\nresources:\n  - key: main\n    path: static\n"
         "permissions:\n  scopes:\n%s" % (app, app, "".join("    - %s\n" % s for s in scopes)))
    for i in range(1500):
        ext = "ts" if i % 3 == 0 else "js"
        header = "import api, { route } from '@forge/api';\n\n"
        blob("apps/forge-%d/src/module%02d/file%04d.%s" % (app, i // 100, i, ext),
             with_call(0.02, header + js_filler(rng.randint(30, 90)), js_call))
    for i in range(40):
        blob("apps/forge-%d/node_modules/lib%d/index.js" % (app, i), js_filler(60) + js_call("GET", "/rest/api/3/myself"))

# One Connect app of 1,000 files.
blob("apps/connect/atlassian-connect.json",
     '{\n  "key": "bench-connect",\n  "baseUrl": "https://connect.example.com",\n'
     '  "scopes": ["read", "write", "admin"]\n}\n')
for i in range(1000):
    blob("apps/connect/src/part%02d/file%04d.js" % (i // 100, i),
         with_call(0.02, js_filler(rng.randint(30, 90)), js_call))

# Services: Python, Java and Go; one of them is a .jira-scopes app.
blob("services/sync/.jira-scopes", "[scopes]\n\tscope = read:jira-work\n\tscope = write:jira-work\n")
for i in range(4000):
    blob("services/sync/pkg%02d/mod%04d.py" % (i // 200, i),
         with_call(0.015, py_filler(rng.randint(30, 90)), py_call))
for i in range(3500):
    cls = "Part%04d" % i
    text = java_filler(cls, rng.randint(30, 90))
    if rng.random() < 0.015:
        method, path = rng.choice(OPERATIONS)
        text = text[:text.rindex("}")] + java_call(method, path) + "}\n"
        calls += 1
    blob("services/billing/src/main/java/com/example/bench/p%02d/%s.java" % (i // 200, cls), text)
for i in range(2900):
    blob("services/gateway/internal/m%02d/file%04d.go" % (i // 200, i),
         with_call(0.015, go_filler(rng.randint(30, 90)), go_call))

out.write(b"commit refs/heads/main\n")
out.write(b"author Bench <bench@example.com> 1700000000 +0000\n")
out.write(b"committer Bench <bench@example.com> 1700000000 +0000\n")
message = b"Synthetic repository for the benchmark\n"
out.write(b"data %d\n" % len(message) + message)
for path, m in files:
    out.write(b"M 100644 :%d %s\n" % (m, path.encode()))
out.write(b"\n")
sys.stderr.write("generated %d files with %d call sites outside vendored folders\n" % (len(files), calls))
PYEOF
