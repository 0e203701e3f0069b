#!/usr/bin/env python3
"""Loopback fake of the forge REST endpoints that `git jira-scopes comment` uses.

One process plays one provider: github, gitlab, bitbucket (Cloud) or
bitbucket-server (Data Center). It follows each API's paths, pagination and
error bodies closely enough to catch a client that gets them wrong, keeps
comments and statuses in memory, and writes:

  --port-file  the port it bound on 127.0.0.1 (written once it listens)
  --log        one JSON line per request: method, path, query, headers as
               received (Authorization included), body
  --state      the comments and statuses after every change, as JSON

The scenario file (JSON) sets the expected credential and repository, the
comments already there, the page size, labels, and faults to inject:
  {"token": "t", "repo": "octo/app", "number": 7, "page_size": 100,
   "filler": 0, "comments": [{"body": "...", "author": "mallory"}],
   "labels": ["x"],
   "faults": [{"method": "GET", "path": "/comments", "status": 429,
               "headers": {"Retry-After": "1"}, "times": 1}],
   "stale_version_on_put": false, "prefix": "/api/v3",
   "bot": "jira-bot", "user_api": true, "ausername": true}
Every comment records its author. "bot" is the account of the token: the
author of what the client posts, and of listed comments that name no
author. With "user_api" false, GET /user is refused as it is for GitHub
installation tokens and Bitbucket Cloud access tokens, and the bot account
is a bot ("github-actions[bot]" on GitHub, type app_user on Bitbucket
Cloud, a SERVICE user on Bitbucket Data Center). "ausername" (Data Center)
sends the X-AUSERNAME header. A fault may set "raw" (a text body) and
"content_type" ("raw_size": N sends N bytes), "{base}" in its headers is the server's base URL, and
"handle": true lets the request take effect before the fault's answer is
sent (a comment created, then a 502), and "delay" holds the answer back
for that many seconds.
The server stops by itself after --lifetime seconds, so a test that dies
cannot leave it running.
"""

import argparse
import base64
import json
import os
import re
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()


class Forge:
    def __init__(self, provider, scenario, log_path, state_path):
        self.provider = provider
        self.s = scenario
        self.log_path = log_path
        self.state_path = state_path
        self.port = 0
        self.next_id = 1000
        self.comments = []
        self.statuses = []
        self.deleted = []
        self.faults = [dict(f) for f in scenario.get("faults", [])]
        self.user_api = scenario.get("user_api", True)
        default_bot = {"github": "jira-bot" if self.user_api else "github-actions[bot]",
                       "bitbucket": "{b0b0b0b0-0000-4000-8000-000000000001}"}
        self.bot = scenario.get("bot", default_bot.get(provider, "jira-bot"))
        for i in range(scenario.get("filler", 0)):
            self.add_comment("comment %d from a person" % (i + 1), "person")
        for c in scenario.get("comments", []):
            self.add_comment(c["body"], c.get("author", self.bot), c.get("version", 0))
        self.save()

    def add_comment(self, body, author=None, version=0):
        self.next_id += 1
        comment = {"id": self.next_id, "body": body, "author": author or self.bot,
                   "version": version}
        self.comments.append(comment)
        return comment

    def is_bot_account(self, author):
        """Whether the forge shows `author` as a bot account."""
        if author.endswith("[bot]"):
            return True
        return author == self.bot and not self.user_api

    def user(self, author):
        """The author object of a comment, as each API shows it."""
        bot = self.is_bot_account(author)
        if self.provider == "github":
            return {"login": author, "id": 1, "type": "Bot" if bot else "User"}
        if self.provider == "gitlab":
            return {"id": 1, "username": author, "name": author}
        if self.provider == "bitbucket":
            return {"uuid": author, "display_name": author,
                    "type": "app_user" if bot else "user"}
        return {"name": author, "slug": author, "displayName": author,
                "type": "SERVICE" if bot else "NORMAL"}

    def find(self, cid):
        for c in self.comments:
            if str(c["id"]) == str(cid):
                return c
        return None

    def save(self):
        state = {"comments": self.comments, "statuses": self.statuses, "deleted": self.deleted}
        tmp = self.state_path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(state, f, indent=1)
        os.replace(tmp, self.state_path)

    def log(self, entry):
        with open(self.log_path, "a") as f:
            f.write(json.dumps(entry) + "\n")

    def base_url(self):
        return "http://127.0.0.1:%d%s" % (self.port, self.s.get("prefix", ""))

    def page_size(self, requested, default):
        try:
            size = int(requested) if requested else default
        except ValueError:
            size = default
        return max(1, min(size, self.s.get("page_size", 100)))


def error_body(provider, status, message):
    """The error JSON each API sends."""
    if provider == "github":
        return {"message": message, "documentation_url": "https://docs.github.com/rest",
                "status": str(status)}
    if provider == "gitlab":
        return {"message": message}
    if provider == "bitbucket":
        return {"type": "error", "error": {"message": message}}
    return {"errors": [{"context": None, "message": message, "exceptionName": None}]}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    forge = None

    def log_message(self, fmt, *args):  # keep stderr quiet
        pass

    swallow = False

    def send(self, status, body=None, headers=None, content_type="application/json"):
        if self.swallow:
            return
        if isinstance(body, str):
            data = body.encode()
        else:
            data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        if body is not None:
            self.send_header("Content-Type", content_type)
        if self.forge.provider == "bitbucket-server" and self.forge.s.get("ausername", True):
            self.send_header("X-AUSERNAME", self.forge.bot)
        for name, value in (headers or {}).items():
            self.send_header(name, value.replace("{base}", self.forge.base_url()))
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def fail(self, status, message):
        self.send(status, error_body(self.forge.provider, status, message))

    def authorised(self):
        f = self.forge
        token = f.s.get("token", "secret-token")
        auth = self.headers.get("Authorization", "")
        if f.provider == "gitlab":
            return self.headers.get("PRIVATE-TOKEN") == token or auth == "Bearer " + token
        if f.provider == "bitbucket" and auth.startswith("Basic "):
            try:
                pair = base64.b64decode(auth[6:]).decode()
            except ValueError:
                return False
            return pair == f.s.get("basic", "")
        return auth == "Bearer " + token

    def handle_any(self, method):
        f = self.forge
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        body = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                body = {"unparsed": raw.decode("utf-8", "replace")}
        with LOCK:
            f.log({"method": method, "path": url.path, "query": query,
                   "headers": dict(self.headers.items()), "body": body})
            for fault in f.faults:
                if fault.get("times", 1) <= 0:
                    continue
                if fault.get("method", method) != method or fault.get("path", "") not in url.path:
                    continue
                fault["times"] = fault.get("times", 1) - 1
                time.sleep(fault.get("delay", 0))
                if fault.get("handle"):
                    self.swallow = True
                    self.route(method, url.path, query, body)
                    self.swallow = False
                    f.save()
                if "raw_size" in fault:
                    fault["raw"] = "[" * fault.pop("raw_size")
                if "raw" in fault:
                    self.send(fault["status"], fault["raw"], fault.get("headers"),
                              fault.get("content_type", "text/html"))
                    return
                self.send(fault["status"], fault.get("body", error_body(
                    f.provider, fault["status"], fault.get("message", "injected failure"))),
                    fault.get("headers"))
                return
            if not self.authorised():
                messages = {
                    "github": "Bad credentials",
                    "gitlab": "401 Unauthorized",
                    "bitbucket": "Access token expired or invalid",
                    "bitbucket-server": "Authentication failed. Please check your "
                                        "credentials and try again.",
                }
                self.fail(401, messages[f.provider])
                return
            self.route(method, url.path, query, body)
            f.save()

    def route(self, method, path, query, body):
        f = self.forge
        prefix = f.s.get("prefix", "")
        if prefix:
            if not path.startswith(prefix):
                self.fail(404, "Not Found")
                return
            path = path[len(prefix):]
        if path == "/user" and method == "GET" and f.provider != "bitbucket-server":
            self.route_user()
            return
        route = getattr(self, "route_" + f.provider.replace("-", "_"))
        if not route(method, path, query, body):
            self.fail(404, "Not Found")

    # GET /user: the token's account, or the refusal installation and
    # access tokens get.
    def route_user(self):
        f = self.forge
        if not f.user_api:
            if f.provider == "github":
                self.fail(403, "Resource not accessible by integration")
            elif f.provider == "bitbucket":
                self.fail(401, "Token is invalid or not supported for this endpoint.")
            else:
                self.fail(403, "insufficient_scope")
            return
        if f.provider == "github":
            self.send(200, {"login": f.bot, "id": 99, "type": "User"})
        elif f.provider == "gitlab":
            self.send(200, {"id": 99, "username": f.bot, "bot": False})
        else:
            self.send(200, {"uuid": f.bot, "account_id": "5f00", "type": "user"})

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_PUT(self):
        self.handle_any("PUT")

    def do_PATCH(self):
        self.handle_any("PATCH")

    def do_DELETE(self):
        self.handle_any("DELETE")

    # GitHub: issue comments of a pull request, Link pagination, statuses.
    def route_github(self, method, path, query, body):
        f = self.forge
        repo = re.escape(f.s.get("repo", "octo/app"))
        number = str(f.s.get("number", 7))
        m = re.fullmatch(r"/repos/%s/issues/(\d+)/comments" % repo, path)
        if m and m.group(1) == number:
            if method == "GET":
                size = f.page_size(query.get("per_page"), 30)
                page = int(query.get("page", "1"))
                items = f.comments[(page - 1) * size:page * size]
                last = max(1, (len(f.comments) + size - 1) // size)
                links = []
                link_base = "%s/repos/%s/issues/%s/comments?per_page=%d&page=" % (
                    f.base_url(), f.s.get("repo", "octo/app"), number, size)
                if page < last:
                    links.append('<%s%d>; rel="next"' % (link_base, page + 1))
                    links.append('<%s%d>; rel="last"' % (link_base, last))
                if page > 1:
                    links.append('<%s%d>; rel="prev"' % (link_base, page - 1))
                    links.append('<%s1>; rel="first"' % link_base)
                headers = {"Link": ", ".join(links)} if links else {}
                self.send(200, [{"id": c["id"], "body": c["body"],
                                 "user": f.user(c["author"])} for c in items], headers)
                return True
            if method == "POST":
                if not isinstance(body, dict) or not isinstance(body.get("body"), str):
                    self.fail(422, "Validation Failed")
                    return True
                if len(body["body"]) > 65536:
                    self.fail(422, "Body is too long (maximum is 65536 characters)")
                    return True
                c = f.add_comment(body["body"])
                self.send(201, {"id": c["id"], "body": c["body"]})
                return True
        m = re.fullmatch(r"/repos/%s/issues/comments/(\d+)" % repo, path)
        if m and f.find(m.group(1)):
            c = f.find(m.group(1))
            if method == "PATCH":
                if len(body.get("body", "")) > 65536:
                    self.fail(422, "Body is too long (maximum is 65536 characters)")
                    return True
                c["body"] = body["body"]
                self.send(200, {"id": c["id"], "body": c["body"]})
                return True
            if method == "DELETE":
                f.comments.remove(c)
                f.deleted.append(c["id"])
                self.send(204)
                return True
        m = re.fullmatch(r"/repos/%s/statuses/([0-9a-f]{40})" % repo, path)
        if m and method == "POST":
            if body.get("state") not in ("error", "failure", "pending", "success"):
                self.fail(422, "Validation Failed")
                return True
            f.statuses.append({"sha": m.group(1), "state": body["state"],
                               "context": body.get("context"),
                               "description": body.get("description"),
                               "target_url": body.get("target_url")})
            self.send(201, {"id": len(f.statuses), "state": body["state"]})
            return True
        m = re.fullmatch(r"/repos/%s/issues/(\d+)/labels" % repo, path)
        if m and m.group(1) == number and method == "GET":
            self.send(200, [{"id": i + 1, "name": n} for i, n in enumerate(f.s.get("labels", []))])
            return True
        return False

    # GitLab: merge request notes, X-Next-Page pagination, commit statuses.
    def route_gitlab(self, method, path, query, body):
        f = self.forge
        projects = {str(f.s.get("project_id", 42)), urllib.parse.quote(f.s.get("repo", "group/app"), safe="")}
        raw_path = self.path.split("?")[0][len(f.s.get("prefix", "")):]
        m = re.fullmatch(r"/projects/([^/]+)/merge_requests/(\d+)(/notes(?:/(\d+))?)?", raw_path)
        if m and m.group(1) in projects and m.group(2) == str(f.s.get("number", 7)):
            notes, note_id = m.group(3), m.group(4)
            if not notes and method == "GET":
                self.send(200, {"iid": int(m.group(2)), "labels": f.s.get("labels", [])})
                return True
            if notes and not note_id and method == "GET":
                size = f.page_size(query.get("per_page"), 20)
                page = int(query.get("page", "1"))
                ordered = list(f.comments)
                if query.get("sort", "desc") == "desc":
                    ordered.reverse()
                items = ordered[(page - 1) * size:page * size]
                total_pages = max(1, (len(ordered) + size - 1) // size)
                headers = {"X-Page": str(page), "X-Per-Page": str(size),
                           "X-Total": str(len(ordered)), "X-Total-Pages": str(total_pages),
                           "X-Next-Page": str(page + 1) if page < total_pages else "",
                           "X-Prev-Page": str(page - 1) if page > 1 else ""}
                self.send(200, [{"id": c["id"], "body": c["body"], "system": False,
                                 "author": f.user(c["author"])} for c in items], headers)
                return True
            if notes and not note_id and method == "POST":
                if len(body.get("body", "")) > 1000000:
                    self.send(400, {"message": {"note": ["is too long (maximum is 1000000 characters)"]}})
                    return True
                c = f.add_comment(body["body"])
                self.send(201, {"id": c["id"], "body": c["body"], "system": False})
                return True
            if note_id and f.find(note_id):
                c = f.find(note_id)
                if method == "PUT":
                    c["body"] = body["body"]
                    self.send(200, {"id": c["id"], "body": c["body"]})
                    return True
                if method == "DELETE":
                    f.comments.remove(c)
                    f.deleted.append(c["id"])
                    self.send(204)
                    return True
        m = re.fullmatch(r"/projects/([^/]+)/statuses/([0-9a-f]{40})", raw_path)
        if m and m.group(1) in projects and method == "POST":
            if body.get("state") not in ("pending", "running", "success", "failed", "canceled"):
                self.send(400, {"error": "state does not have a valid value"})
                return True
            f.statuses.append({"sha": m.group(2), "state": body["state"],
                               "name": body.get("name"), "description": body.get("description"),
                               "target_url": body.get("target_url")})
            self.send(201, {"id": len(f.statuses), "status": body["state"], "name": body.get("name")})
            return True
        return False

    # Bitbucket Cloud: pull request comments, "next" pagination, build statuses.
    def route_bitbucket(self, method, path, query, body):
        f = self.forge
        repo = re.escape(f.s.get("repo", "team/app"))
        number = str(f.s.get("number", 7))
        m = re.fullmatch(r"/repositories/%s/pullrequests/(\d+)/comments(?:/(\d+))?" % repo, path)
        if m and m.group(1) == number:
            cid = m.group(2)
            if not cid and method == "GET":
                size = f.page_size(query.get("pagelen"), 10)
                page = int(query.get("page", "1"))
                items = f.comments[(page - 1) * size:page * size]
                result = {"pagelen": size, "size": len(f.comments), "page": page,
                          "values": [{"id": c["id"], "type": "pullrequest_comment",
                                      "deleted": False, "user": f.user(c["author"]),
                                      "content": {"raw": c["body"], "markup": "markdown"}}
                                     for c in items]}
                if page * size < len(f.comments):
                    result["next"] = "%s/repositories/%s/pullrequests/%s/comments?pagelen=%d&page=%d" % (
                        f.base_url(), f.s.get("repo", "team/app"), number, size, page + 1)
                self.send(200, result)
                return True
            if not cid and method == "POST":
                raw = (body.get("content") or {}).get("raw")
                if not isinstance(raw, str):
                    self.fail(400, "content.raw: required key not provided")
                    return True
                c = f.add_comment(raw)
                self.send(201, {"id": c["id"], "content": {"raw": raw}})
                return True
            if cid and f.find(cid):
                c = f.find(cid)
                if method == "PUT":
                    c["body"] = body["content"]["raw"]
                    self.send(200, {"id": c["id"], "content": {"raw": c["body"]}})
                    return True
                if method == "DELETE":
                    f.comments.remove(c)
                    f.deleted.append(c["id"])
                    self.send(204)
                    return True
        m = re.fullmatch(r"/repositories/%s/commit/([0-9a-f]{40})/statuses/build" % repo, path)
        if m and method == "POST":
            missing = [k for k in ("key", "state", "url") if not body.get(k)]
            if missing or body["state"] not in ("SUCCESSFUL", "FAILED", "INPROGRESS", "STOPPED"):
                self.fail(400, "invalid build status: %s" % (", ".join(missing) or body["state"]))
                return True
            f.statuses.append({"sha": m.group(1), "state": body["state"], "key": body["key"],
                               "description": body.get("description"), "url": body["url"]})
            self.send(201, {"key": body["key"], "state": body["state"]})
            return True
        return False

    # Bitbucket Data Center: activities (isLastPage/nextPageStart), versioned
    # comments, build-status API.
    def route_bitbucket_server(self, method, path, query, body):
        f = self.forge
        key, slug = f.s.get("repo", "PROJ/app").split("/")
        number = str(f.s.get("number", 7))
        base = r"/rest/api/1\.0/projects/%s/repos/%s/pull-requests/(\d+)" % (re.escape(key), re.escape(slug))
        m = re.fullmatch(base, path)
        if m and m.group(1) == number and method == "GET":
            self.send(200, {"id": int(number), "version": 0, "state": "OPEN"})
            return True
        m = re.fullmatch(base + r"/activities", path)
        if m and m.group(1) == number and method == "GET":
            activities = [{"id": 1, "action": "OPENED"}]
            for c in f.comments:
                activities.append({"id": 10 + c["id"], "action": "COMMENTED", "commentAction": "ADDED",
                                   "comment": {"id": c["id"], "version": c["version"], "text": c["body"],
                                               "author": f.user(c["author"])}})
            for cid in f.deleted:
                activities.append({"id": 5000 + cid, "action": "COMMENTED", "commentAction": "DELETED",
                                   "comment": {"id": cid, "version": 0, "text": ""}})
            activities.reverse()  # newest first, as the server lists them
            start = int(query.get("start", "0"))
            size = f.page_size(query.get("limit"), 25)
            items = activities[start:start + size]
            last = start + size >= len(activities)
            result = {"size": len(items), "limit": size, "start": start, "isLastPage": last,
                      "values": items}
            if not last:
                result["nextPageStart"] = start + size
            self.send(200, result)
            return True
        m = re.fullmatch(base + r"/comments(?:/(\d+))?", path)
        if m and m.group(1) == number:
            cid = m.group(2)
            if not cid and method == "POST":
                text = body.get("text") if isinstance(body, dict) else None
                if not text or len(text) >= 32768:
                    self.fail(400, "Please enter a non-empty value less than 32768 characters")
                    return True
                c = f.add_comment(text)
                self.send(201, {"id": c["id"], "version": c["version"], "text": text})
                return True
            c = f.find(cid) if cid else None
            if c and method == "GET":
                self.send(200, {"id": c["id"], "version": c["version"], "text": c["body"]})
                return True
            if c and method == "PUT":
                if f.s.get("stale_version_on_put"):
                    # Someone else edits the comment just before our update.
                    f.s["stale_version_on_put"] = False
                    c["version"] += 1
                if body.get("version") != c["version"]:
                    self.send(409, {"errors": [{
                        "context": None,
                        "message": "You are attempting to modify a comment based on out-of-date information.",
                        "exceptionName": "com.atlassian.bitbucket.comment.CommentOutOfDateException",
                        "currentVersion": c["version"]}]})
                    return True
                text = body.get("text", "")
                if not text or len(text) >= 32768:
                    self.fail(400, "Please enter a non-empty value less than 32768 characters")
                    return True
                c["body"] = text
                c["version"] += 1
                self.send(200, {"id": c["id"], "version": c["version"], "text": c["body"]})
                return True
            if c and method == "DELETE":
                if query.get("version") != str(c["version"]):
                    self.send(409, {"errors": [{"context": None, "message": "out-of-date version",
                                                "exceptionName": "com.atlassian.bitbucket.comment.CommentOutOfDateException"}]})
                    return True
                f.comments.remove(c)
                f.deleted.append(c["id"])
                self.send(204)
                return True
        m = re.fullmatch(r"/rest/build-status/1\.0/commits/([0-9a-f]{40})", path)
        if m and method == "POST":
            missing = [k for k in ("key", "state", "url") if not body.get(k)]
            if missing or body["state"] not in ("SUCCESSFUL", "FAILED", "INPROGRESS"):
                self.fail(400, "invalid build status: %s" % (", ".join(missing) or body["state"]))
                return True
            f.statuses.append({"sha": m.group(1), "state": body["state"], "key": body["key"],
                               "description": body.get("description"), "url": body["url"]})
            self.send(204)
            return True
        return False


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provider", required=True,
                        choices=["github", "gitlab", "bitbucket", "bitbucket-server"])
    parser.add_argument("--scenario", required=True)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--state", required=True)
    parser.add_argument("--lifetime", type=float, default=300)
    args = parser.parse_args()

    with open(args.scenario) as f:
        scenario = json.load(f)
    open(args.log, "w").close()
    forge = Forge(args.provider, scenario, args.log, args.state)
    Handler.forge = forge
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    forge.port = server.server_address[1]

    timer = threading.Timer(args.lifetime, lambda: os._exit(0))
    timer.daemon = True
    timer.start()

    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % forge.port)
    os.replace(tmp, args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
