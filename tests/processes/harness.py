"""The platform as it is deployed: each service its own ``nameko run`` process (the Procfile).

In one test process every service's modules are imported together, which hides defects
of contracts between processes (an error type only one side had loaded, an event that
overtakes another).  :class:`Deployment` writes a config file for the test's vhost and
databases, starts each service as its own process, and can stop (SIGTERM or SIGKILL) and
restart any one of them.
"""
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests
import yaml

ROOT = Path(__file__).resolve().parents[2]
SERVICES = {
    "case": "services.case.service:CaseService",
    "review": "services.review.service:ReviewService",
    "deadline": "services.deadline.service:DeadlineService",
    "notify": "services.notify.service:NotifyService",
    "library": "services.library.service:LibraryService",
    "gateway": "gateway.service:GatewayService",
}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Deployment:
    def __init__(self, config, folder, services):
        self.folder = Path(folder)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.config = {key: value for key, value in dict(config).items() if not key.startswith("_")}
        self.config.update({"WEB_SERVER_ADDRESS": f"127.0.0.1:{self.port}",
                            "PLATFORM_SERVICES": [s for s in services if s != "gateway"],
                            "LOGGING": {"version": 1, "root": {"level": "WARNING", "handlers": ["file"]},
                                        "handlers": {"file": {"class": "logging.StreamHandler"}}}})
        self.config_path = self.folder / "deployed.yaml"
        self.config_path.write_text(yaml.safe_dump(self.config, allow_unicode=True), encoding="utf-8")
        self.services = list(services)
        self.procs = {}

    def start(self, *names):
        for name in names or self.services:
            log = open(self.folder / f"{name}.log", "ab")
            env = dict(os.environ, PYTHONWARNINGS="ignore")
            self.procs[name] = subprocess.Popen(
                [sys.executable, "-m", "nameko", "run", "--config", str(self.config_path), SERVICES[name]],
                cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        if "gateway" in (names or self.services):
            self.wait_healthy()

    def stop(self, name, sig=signal.SIGTERM, timeout=20):
        proc = self.procs.pop(name)
        proc.send_signal(sig)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def stop_all(self, timeout=15):
        """Every process at once (each takes a few seconds to drain), killed if it lingers."""
        procs, self.procs = self.procs, {}
        for proc in procs.values():
            proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for proc in procs.values():
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def wait_healthy(self, timeout=60):
        """Until ``/health`` says every service answers (each process has its queues)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, proc in self.procs.items():
                if proc.poll() is not None:
                    raise RuntimeError(f"{name} exited: {self.log(name)[-3000:]}")
            try:
                reply = requests.get(self.base + "/api/v1/health", timeout=5)
                if reply.status_code == 200 and reply.json().get("status") == "ok":
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError("the platform did not become healthy in time")

    def log(self, name):
        return (self.folder / f"{name}.log").read_text(encoding="utf-8", errors="replace")
