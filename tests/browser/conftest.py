"""Browser tests: the platform started by the test (the e2e fixtures), Debian's Chromium
driven by Playwright in a process of its own (tests/browser/driver.py).  They need the built
client (scripts/build-web.sh) and /usr/bin/chromium (`apt-get install -y chromium`); on one
backend only (SQLite): the flows exercise the client, the database is the e2e suite's concern."""
import json
import os
import shutil
import sys
from pathlib import Path

import pytest
from eventlet.green import subprocess   # the platform keeps serving while the browser runs

from services.library.service import LibraryService
from tests.e2e.conftest import platform  # noqa: F401  (the e2e fixture, shared)

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"


def pytest_collection_modifyitems(config, items):
    browser = [i for i in items if Path(str(i.fspath)).parent == Path(__file__).parent]
    drop = [i for i in browser if getattr(i, "callspec", None) and i.callspec.params.get("db_backend") != "sqlite"]
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = [i for i in items if i not in drop]


@pytest.fixture
def api(platform):  # noqa: F811
    """The whole platform, the library included (the decision and item pages cite the law)."""
    return platform(LibraryService)


@pytest.fixture(scope="session")
def client_built():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install -y chromium)")
    if shutil.which("node"):
        run = subprocess.run([str(ROOT / "scripts/build-web.sh"), "--if-stale"], capture_output=True, timeout=600)
        assert run.returncode == 0, run.stdout.decode() + run.stderr.decode()
    assert (ROOT / "gateway/web/dist/index.html").is_file(), "the web client is not built: scripts/build-web.sh"


@pytest.fixture
def browse(client_built, web_config_port, db_backend, platform_config):
    """Run a flow of tests/browser/flows.py against the platform; its result."""
    base = f"http://127.0.0.1:{web_config_port}"

    def run(flow, **args):
        spec = json.dumps({"flow": flow, "base": base, "today": platform_config["CLOCK_TODAY"], "args": args},
                          ensure_ascii=False)
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        done = subprocess.run([sys.executable, "-m", "tests.browser.driver", spec], cwd=ROOT, env=env,
                              capture_output=True, timeout=300)
        out, err = done.stdout.decode(), done.stderr.decode()
        assert done.returncode == 0, f"flow {flow} failed:\n{err[-6000:]}\n{out[-2000:]}"
        return json.loads(out.strip().splitlines()[-1])
    return run
