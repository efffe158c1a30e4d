"""schemathesis against the running app's OpenAPI document, signed in as an admin (so every
operation's handler is reached, not only its auth check): no 500s."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.console_client import Agent, create_account
from tests.servers import ServerProcess

pytestmark = pytest.mark.slow
PASSWORD = "a long enough password"


def test_no_operation_answers_500(trained_data_dir: Path, tmp_path: Path) -> None:
    # The CLI beside this interpreter (make test runs .venv/bin/python without the venv on PATH).
    beside = Path(sys.executable).parent / "st"
    st = str(beside) if beside.exists() else shutil.which("st")
    assert st is not None, "schemathesis is part of the test extra: pip install -e '.[test]'"
    url = f"sqlite:///{tmp_path / 'kefu.db'}"
    create_account(url, "root", PASSWORD, "admin", "Root")
    server = ServerProcess(
        data_dir=trained_data_dir,
        database_url=url,
        env={"KEFU_API_REQUESTS_PER_SECOND": "10000", "KEFU_API_REQUEST_BURST": "10000"},
    ).start()
    try:
        admin = Agent(server.http_url)
        assert admin.login("root", PASSWORD).status_code == 200
        cookie = "; ".join(f"{k}={v}" for k, v in admin.http.cookies.items())
        run = subprocess.run(
            [
                *(st, "run", server.http_url + "/api/openapi.json"),
                *("--checks", "not_a_server_error", "--max-examples", "10"),
                *("--header", f"Cookie: {cookie}", "--header", f"X-CSRF-Token: {admin.csrf}"),
                *("--exclude-path", "/api/v1/auth/logout"),  # would end the session mid-run
            ],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
            cwd=tmp_path,  # schemathesis keeps its example database in the working folder
        )
        assert run.returncode == 0, run.stdout[-6000:]
        assert "Tested: " in run.stdout and "generated" in run.stdout
    finally:
        server.stop()
