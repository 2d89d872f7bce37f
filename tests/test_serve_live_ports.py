"""scripts/serve_live.py with a port taken (issue 14, item 11): the README's
first command leaves http.server on port 8000, and the script used to die
with "OSError: [Errno 98] Address already in use". It now says which port
is busy and how to choose another, before building or starting anything."""

import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(("option", "other"), [("--port", "--jupyter-port"),
                                               ("--jupyter-port", "--port")])
def test_serve_live_says_which_port_is_busy(option, other):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "serve_live.py"),
                               "--no-build", option, str(port), other, "0"],
                              capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert f"port {port} on 127.0.0.1 is busy" in proc.stderr
    assert f"choose another port with {option} PORT ({option} 0 picks any free port)" \
        in proc.stderr
