#!/usr/bin/env python
"""Serve the built book with live code: Thebe runs the cells on a local Jupyter server.

    python scripts/serve_live.py            # build if needed, then serve
    python scripts/serve_live.py --build    # rebuild first (jupyter-book build .)
    python scripts/serve_live.py --port 8000 --jupyter-port 8888

Then open the printed address, and on a page with code choose the rocket
button, then *Live Code*. Everything stays on this machine:

* the book (``_build/html``) is served on http://127.0.0.1:PORT/;
* a Jupyter server runs on http://127.0.0.1:JUPYTER_PORT/ with a random token,
  accepting requests only from the book's origin (CORS), its working folder the
  repository root, so the kernel finds ``bpcode`` and the pages' files;
* Thebe itself is served by the book (``_static/thebe/``, installed from npm at
  build time by ``book/_ext/bpbook/live_code.py``);
* every HTML page is sent with one more ``<script type="text/x-thebe-config">``
  block, which Thebe merges over the page's own (Binder) settings: use that
  Jupyter server, with that token. The files in ``_build/html`` are not changed,
  so the same build still works as a static site (where Live Code runs Python
  in the browser).

Stop with Ctrl+C: the Jupyter server and its kernels are shut down too.
"""

from __future__ import annotations

import argparse
import errno
import functools
import http.server
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HTML_DIR = ROOT / "_build" / "html"
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def port_problem(port: int, option: str, error: OSError) -> str:
    """What to tell the user when ``port`` cannot be bound, and how to choose another."""
    if error.errno == errno.EADDRINUSE:
        return (f"port {port} on {HOST} is busy (another server is using it, for example a "
                f"`python -m http.server {port}` still running): stop it, or choose another "
                f"port with {option} PORT ({option} 0 picks any free port)")
    return f"cannot use port {port} on {HOST} ({error.strerror}): choose another with {option}"


def check_port_free(port: int, option: str) -> None:
    """Exit with a message, before anything starts, if ``port`` cannot be bound."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers do
        try:
            probe.bind((HOST, port))
        except OSError as error:
            sys.exit(port_problem(port, option, error))


def build_book() -> None:
    cmd = [shutil.which("jupyter-book") or "jupyter-book", "build", "."]
    print("Building the book:", " ".join(cmd[-3:]), flush=True)
    subprocess.run(cmd, cwd=ROOT, check=True)


def thebe_config_block(jupyter_url: str, token: str) -> bytes:
    config = {
        "useBinder": False,
        "requestKernel": True,
        "serverSettings": {
            "baseUrl": jupyter_url,
            "wsUrl": "ws" + jupyter_url[len("http") :],
            "token": token,
            "appendToken": True,
        },
    }
    block = f'<script type="text/x-thebe-config">{json.dumps(config)}</script>\n'
    return block.encode()


class LiveBookHandler(http.server.SimpleHTTPRequestHandler):
    """Serves _build/html, adding the local-server Thebe config to every HTML page."""

    thebe_block = b""

    def do_GET(self) -> None:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
            if not self.path.split("?", 1)[0].endswith("/"):
                super().do_GET()  # let the base class redirect to the slash URL
                return
        if path.suffix != ".html" or not path.is_file():
            super().do_GET()
            return
        html = path.read_bytes()
        where = html.rfind(b"</body>")
        if where >= 0:
            html = html[:where] + self.thebe_block + html[where:]
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(html)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(html)

    def log_message(self, format, *args):  # the base class names it "format"
        if os.environ.get("BPBOOK_SERVE_VERBOSE"):
            super().log_message(format, *args)


def start_jupyter(port: int, token: str, book_port: int) -> subprocess.Popen:
    cmd = [
        sys.executable,
        "-m",
        "jupyter_server",
        "--no-browser",
        f"--ServerApp.ip={HOST}",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={ROOT}",
        # the book's origin, whether opened as 127.0.0.1 or localhost
        f"--ServerApp.allow_origin_pat=^http://(127\\.0\\.0\\.1|localhost):{book_port}$",
        # JupyterLab's server extension, if enabled, must not fetch news or updates
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    return subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.DEVNULL)


def wait_for_jupyter(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"the Jupyter server exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "api", timeout=5):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.25)
    sys.exit(f"the Jupyter server did not answer at {url} within {timeout} s")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--port", type=int, default=8000, help="book port (0: any free port)")
    parser.add_argument(
        "--jupyter-port", type=int, default=8888, help="Jupyter server port (0: any free port)"
    )
    parser.add_argument("--token", default=None, help="Jupyter token (default: random)")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--build", action="store_true", help="rebuild the book first")
    group.add_argument("--no-build", action="store_true", help="never build; serve as is")
    args = parser.parse_args(argv)

    # Both ports are checked first, so that a busy one is reported at once,
    # not after a build of several minutes.
    book_port = args.port or free_port()
    jupyter_port = args.jupyter_port or free_port()
    check_port_free(jupyter_port, "--jupyter-port")
    handler = functools.partial(LiveBookHandler, directory=str(HTML_DIR))
    try:
        server = http.server.ThreadingHTTPServer((HOST, book_port), handler)
    except OSError as error:
        sys.exit(port_problem(book_port, "--port", error))
    book_port = server.server_address[1]

    if args.build or (not args.no_build and not (HTML_DIR / "book" / "index.html").is_file()):
        build_book()
    if not (HTML_DIR / "book" / "index.html").is_file():
        server.server_close()
        sys.exit(f"no built book in {HTML_DIR}; run without --no-build")
    if not (HTML_DIR / "_static" / "thebe" / "index.js").is_file():
        print("warning: _static/thebe/ is missing (npm unavailable at build time?)", flush=True)

    token = args.token or secrets.token_hex(24)
    jupyter_url = f"http://{HOST}:{jupyter_port}/"
    LiveBookHandler.thebe_block = thebe_config_block(jupyter_url, token)

    jupyter = start_jupyter(jupyter_port, token, book_port)

    def shutdown(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)  # also when started in the background
    serving = False
    try:
        wait_for_jupyter(jupyter_url, jupyter)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        serving = True
        print(f"Jupyter server: {jupyter_url} (its token is in the served pages)", flush=True)
        print(f"JupyterLab on that server: {jupyter_url}lab?token={token}", flush=True)
        print(f"Book with live code: http://{HOST}:{book_port}/book/index.html", flush=True)
        print("Press Ctrl+C to stop.", flush=True)
        while jupyter.poll() is None:
            time.sleep(0.5)
        print(f"the Jupyter server exited with code {jupyter.returncode}", flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        if serving:
            server.shutdown()
        server.server_close()
        if jupyter.poll() is None:
            jupyter.terminate()  # SIGTERM: the server shuts its kernels down, then exits
            try:
                jupyter.wait(timeout=20)
            except subprocess.TimeoutExpired:
                jupyter.kill()
                jupyter.wait()


if __name__ == "__main__":
    main()
