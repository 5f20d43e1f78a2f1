"""``handbill serve``: a live preview of the project's handouts in the browser.

The main thread builds (handbill.preview) and watches the sources (handbill.watch),
as ``handbill watch`` does, so that time limits and Ctrl-C work as in a build; a
second thread runs the web server (Starlette on uvicorn), which only reads the
preview's snapshots:

- ``/``: the bundles, their titles in each language, layouts and findings;
- ``/b/BUNDLE/LAYOUT/``: a document's pages and check's findings beside them;
- ``/b/BUNDLE/LAYOUT/page-N.png``: a page, drawn by PDFium;
- ``/events``: server-sent events, one a change, which the page's script follows;
- ``/assets/NAME``: the page's own script, stylesheet and icon.

No URL names a file: a bundle is looked up among those the preview built, an asset
among the two there are, so no spelling of a path (``..``, ``%2e%2e``, ``/etc/passwd``)
reaches the disk. Only GET and HEAD are answered, nothing is written, and only the
loopback names are accepted as the Host (a page elsewhere cannot reach the preview
through DNS rebinding). The server listens on 127.0.0.1 unless --host says otherwise.
"""

from __future__ import annotations

import asyncio
import json
import socket
import sys
import threading
from pathlib import Path

from .errors import Diagnostic, UsageError, printable
from .preview import Preview, Snapshot

#: The loopback addresses; any other --host is warned about.
LOOPBACK = ("127.0.0.1", "::1", "localhost")
#: Seconds between keep-alive comments on an idle event stream.
HEARTBEAT = 15.0
#: The page's script and stylesheet, served from the package, and their types.
ASSETS = {"preview.js": "text/javascript; charset=utf-8",
          "preview.css": "text/css; charset=utf-8",
          "favicon.svg": "image/svg+xml"}
ASSETS_DIR = Path(__file__).parent / "assets" / "serve"
#: Sent with every answer: nothing loads from elsewhere, no page frames this one.
HEADERS = [
    (b"content-security-policy", b"default-src 'none'; script-src 'self'; style-src 'self'; "
                                 b"img-src 'self'; connect-src 'self'; frame-ancestors 'none'; "
                                 b"base-uri 'none'; form-action 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]
#: Unless an answer says otherwise: never kept (a page image's URL holds its PDF's hash,
#: and that answer says it may be kept).
NO_STORE = (b"cache-control", b"no-store")
KEPT = {"Cache-Control": "private, max-age=86400, immutable"}


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on HOST:PORT (0: a free port); a UsageError if it cannot be had."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    except socket.gaierror as error:
        raise UsageError(Diagnostic("handbill", None, f"--host {printable(host)}: no such "
                                    f"address ({error.strerror})")) from None
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(64)
    except OSError as error:
        sock.close()
        raise UsageError(Diagnostic(
            "handbill", None, f"cannot listen on {printable(host)}:{port}: {error.strerror}",
            hint="another program uses that port: choose another with --port N "
                 "(--port 0 takes a free one)")) from None
    sock.set_inheritable(False)
    return sock


def make_app(preview: Preview, stopping: threading.Event, hosts: list[str] | None = None):
    """The web application over PREVIEW. HOSTS: the Host names accepted (None: any)."""
    import jinja2
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.trustedhost import TrustedHostMiddleware
    from starlette.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
    from starlette.routing import Route

    templates = jinja2.Environment(loader=jinja2.FileSystemLoader(ASSETS_DIR),
                                   autoescape=True, undefined=jinja2.StrictUndefined)
    assets = {name: (ASSETS_DIR / name).read_bytes() for name in ASSETS}

    def page(name: str, status: int = 200, **values) -> HTMLResponse:
        snapshot = values.setdefault("snapshot", preview.snapshot)
        html = templates.get_template(name).render(version=snapshot.version, **values)
        return HTMLResponse(html, status_code=status)

    def not_found(what: str) -> HTMLResponse:
        return page("missing.html", 404, what=what)

    async def index(request):
        return page("index.html")

    async def asset(request):
        name = request.path_params["name"]
        if name not in assets:
            return not_found("no such file")
        return Response(assets[name], media_type=ASSETS[name])

    async def bundle(request):
        snapshot: Snapshot = preview.snapshot
        parts = request.path_params["rest"].split("/")
        for cut in range(len(parts) - 1, 0, -1):  # a bundle's id may hold slashes
            view = snapshot.bundles.get("/".join(parts[:cut]))
            if view is not None:
                break
        else:
            return not_found("no such handout")
        rest = parts[cut:]
        if rest in ([], [""]) or len(rest) == 1:  # /b/BUNDLE/ or /b/BUNDLE/LAYOUT
            if rest and rest[0] in view.layouts:
                return RedirectResponse(f"/b/{view.id}/{rest[0]}/", 308)
            if rest in ([], [""]) and view.layouts:
                return RedirectResponse(f"/b/{view.id}/{view.layouts[0]}/", 307)
            if not view.layouts:
                return page("bundle.html", view=view, layout=None, document=None)
            return not_found("no such layout")
        layout, leaf = rest[0], "/".join(rest[1:])
        if layout not in view.layouts:
            return not_found("no such layout")
        document = view.documents.get(layout)
        if leaf == "":
            return page("bundle.html", snapshot=snapshot, view=view, layout=layout,
                        document=document)
        if leaf.startswith("page-") and leaf.endswith(".png") and document is not None:
            number = leaf[5:-4]
            if number.isascii() and number.isdigit() and not number.startswith("0"):
                try:
                    image = await asyncio.to_thread(preview.page_image, document, int(number))
                except IndexError:
                    return not_found("no such page")
                return Response(image, media_type="image/png",
                                headers=KEPT if request.query_params.get("v") else None)
        return not_found("no such page")

    async def events(request):
        queue: asyncio.Queue = asyncio.Queue()
        loop = asyncio.get_running_loop()

        def told(version: int, changed: frozenset[str]) -> None:
            try:
                loop.call_soon_threadsafe(queue.put_nowait, (version, sorted(changed)))
            except RuntimeError:  # the server's loop is closed: it is stopping
                pass

        preview.listeners.append(told)

        async def stream():
            try:
                yield f"retry: 1000\nevent: hello\ndata: {_json(preview.snapshot.version)}\n\n"
                while not stopping.is_set():
                    try:
                        version, changed = await asyncio.wait_for(queue.get(), HEARTBEAT)
                    except asyncio.TimeoutError:
                        yield ": still here\n\n"
                        continue
                    if version < 0:  # the server is stopping
                        return
                    yield f"event: change\ndata: {_json(version, changed)}\n\n"
            finally:
                preview.listeners.remove(told)

        return StreamingResponse(stream(), media_type="text/event-stream")

    middleware = [Middleware(_Headers)]
    if hosts is not None:
        middleware.append(Middleware(TrustedHostMiddleware, allowed_hosts=hosts))
    return Starlette(routes=[Route("/", index), Route("/events", events),
                             Route("/assets/{name}", asset), Route("/b/{rest:path}", bundle)],
                     middleware=middleware)


def _json(version: int, changed: list[str] | None = None) -> str:
    return json.dumps({"version": version} if changed is None
                      else {"version": version, "bundles": changed}, ensure_ascii=False)


class _Headers:
    """ASGI middleware: HEADERS on every answer."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def sending(message):
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", []), *HEADERS]
                if not any(name.lower() == b"cache-control" for name, _ in headers):
                    headers.append(NO_STORE)
                message = {**message, "headers": headers}
            await send(message)

        return await self.app(scope, receive, sending)


class Server:
    """The web server in a thread of its own, over a socket bound beforehand."""

    def __init__(self, preview: Preview, sock: socket.socket, host: str):
        import uvicorn

        self.preview = preview
        self.stopping = threading.Event()
        loopback = host in LOOPBACK
        hosts = ["127.0.0.1", "localhost", "[::1]"] if loopback else None
        config = uvicorn.Config(make_app(preview, self.stopping, hosts), log_level="warning",
                                lifespan="off", timeout_graceful_shutdown=2,
                                server_header=False, access_log=False)
        self.server = uvicorn.Server(config)
        self.sock = sock
        self.thread = threading.Thread(target=self._run, name="handbill-serve", daemon=True)

    def _run(self) -> None:
        self.server.run(sockets=[self.sock])

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        for listener in list(self.preview.listeners):  # ends every event stream
            listener(-1, frozenset())
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


def url(sock: socket.socket, host: str) -> str:
    port = sock.getsockname()[1]
    shown = "127.0.0.1" if host == "localhost" else host
    return f"http://[{shown}]:{port}/" if ":" in shown else f"http://{shown}:{port}/"


def serve(preview: Preview, watched: list[Path], host: str, port: int,
          ready=None) -> int:
    """Serve PREVIEW on HOST:PORT until Ctrl-C (or SIGTERM), rebuilding on every save
    under WATCHED. READY, if given, is called with the preview's URL once it answers."""
    from .watch import watch

    sock = bind(host, port)
    if host not in LOOPBACK:
        print(f"handbill: warning: serving on {printable(host)}: anyone who can reach this "
              "machine on that address can read these handouts (the default, 127.0.0.1, "
              "is this machine only)", file=sys.stderr)
    server = Server(preview, sock, host)
    server.start()
    address = url(sock, host)
    print(f"handbill: preview at {address} (Ctrl-C stops it)", file=sys.stderr, flush=True)
    try:
        _report(preview, preview.refresh())
        if ready is not None:
            ready(address)

        def rebuild(changed: set[Path]) -> int:
            _report(preview, preview.refresh())
            return 0

        watch([p for p in watched if p.exists()], rebuild, out_dir=preview.options.out_dir)
    finally:
        server.stop()
    return 0


def _report(preview: Preview, changed: frozenset[str]) -> None:
    """One line a refresh on stderr: what is shown, and how many findings."""
    snapshot = preview.snapshot
    documents = sum(len(v.documents) for v in snapshot.bundles.values())
    failed = sum(bool(d.errors) for v in snapshot.bundles.values() for d in v.documents.values())
    errors = sum(f.severity == "error" for v in snapshot.bundles.values()
                 for f in (v.findings or ()) + v.problems) + len(snapshot.problems)
    print(f"handbill: {documents} document{'s' if documents != 1 else ''} shown"
          + (f", {failed} not made again" if failed else "")
          + f", {errors} error{'s' if errors != 1 else ''} found"
          + (f"; changed: {', '.join(printable(c) for c in sorted(changed))}" if changed else ""),
          file=sys.stderr, flush=True)
