"""A stand-in for the Hugging Face hub on the loopback address, answering the hub client's requests
as the hub does for one repository at one commit:

- ``GET /api/models/<repo>/revision/<commit>``: the model's info (``sha``, ``siblings``);
- ``HEAD`` and ``GET /<repo>/resolve/<commit>/<file>``: the file, with ``X-Repo-Commit``, and the
  hashes the hub reports — the git blob sha1 as ``ETag`` for a small file, the sha256 as
  ``X-Linked-Etag`` (with ``X-Linked-Size``) for a large one (stored in LFS);
- an unknown commit or file: 404 with the hub's ``X-Error-Code`` (``RevisionNotFound``,
  ``EntryNotFound``).

``served`` replaces a file's bytes while the reported hashes stay those of the original, to stand
for a corrupted download.
"""

from __future__ import annotations

import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

LFS_FROM_BYTES = 10_000  # files this large are "in LFS" here (the hub's threshold is larger)


class HubStandIn:
    def __init__(self, repository: str, commit: str, folder: Path):
        self.repository = repository
        self.commit = commit
        self.files = {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}
        self.served: dict[str, bytes] = {}
        self.requests: list[str] = []
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_HEAD(self):
                stand_in.answer(self, body=False)

            def do_GET(self):
                stand_in.answer(self, body=True)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "HubStandIn":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def answer(self, handler: BaseHTTPRequestHandler, body: bool) -> None:
        path = unquote(handler.path.split("?", 1)[0])
        self.requests.append(f"{handler.command} {path}")
        info_prefix = f"/api/models/{self.repository}/revision/"
        file_prefix = f"/{self.repository}/resolve/"
        if path.startswith(info_prefix):
            if path[len(info_prefix):] != self.commit:
                return self.error(handler, "RevisionNotFound", f"Invalid rev id: {path[len(info_prefix):]}", body)
            siblings = [{"rfilename": name} for name in self.files]
            return self.send(handler, 200, {"Content-Type": "application/json"}, json.dumps({"id": self.repository, "sha": self.commit, "siblings": siblings}).encode(), body)
        if path.startswith(file_prefix):
            revision, _, name = path[len(file_prefix):].partition("/")
            if revision != self.commit:
                return self.error(handler, "RevisionNotFound", f"Invalid rev id: {revision}", body)
            if name not in self.files:
                return self.error(handler, "EntryNotFound", f"{name} does not exist at {revision}", body)
            original = self.files[name]
            content = self.served.get(name, original)
            headers = {"Content-Type": "application/octet-stream", "X-Repo-Commit": self.commit, "Content-Length": str(len(content))}
            if len(original) >= LFS_FROM_BYTES:
                sha256 = hashlib.sha256(original).hexdigest()
                headers.update({"ETag": f'"{sha256}"', "X-Linked-Etag": f'"{sha256}"', "X-Linked-Size": str(len(original))})
            else:
                headers["ETag"] = f'"{hashlib.sha1(b"blob %d" % len(original) + bytes([0]) + original).hexdigest()}"'
            return self.send(handler, 200, headers, content, body)
        return self.error(handler, "RepoNotFound", "Repository not found", body)

    @staticmethod
    def send(handler, status: int, headers: dict[str, str], content: bytes, body: bool) -> None:
        handler.send_response(status)
        headers.setdefault("Content-Length", str(len(content)))
        for key, value in headers.items():
            handler.send_header(key, value)
        handler.end_headers()
        if body:
            handler.wfile.write(content)

    def error(self, handler, code: str, message: str, body: bool) -> None:
        content = json.dumps({"error": message}).encode()
        self.send(handler, 404, {"Content-Type": "application/json", "X-Error-Code": code, "X-Error-Message": message}, content, body)
