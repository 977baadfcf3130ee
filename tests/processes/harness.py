"""The platform as it is deployed: each service its own ``nameko run`` process.

In one test process every service's modules are imported together, which hides defects
of contracts between processes (an error type only one side had loaded, an event that
overtakes another).  :class:`Deployment` writes a config file for the test's vhost and
databases, starts each service as its own process, and can stop (SIGTERM or SIGKILL) and
restart any one of them.  :class:`SupervisedDeployment` runs them as ``make run`` does,
under supervisord with ``deploy/supervisord.conf``: a process killed is started again by
the supervisor, not by the test.
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
SUPERVISOR_CONF = ROOT / "deploy" / "supervisord.conf"
GROUP = "platform:"      # the conf's [group:platform]
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


class SupervisedDeployment(Deployment):
    """Every service and the gateway under supervisord (``deploy/supervisord.conf``, the file
    ``make run`` uses), on this test's config.  ``kill(name)`` sends a signal to the running
    process and leaves the restart to the supervisor; ``stop``/``start`` ask supervisorctl."""

    def __init__(self, config, folder, services=tuple(SERVICES)):
        super().__init__(config, folder, services)
        bin_dir = Path(sys.executable).parent
        self.run_dir = self.folder / "supervisor"
        self.run_dir.mkdir(exist_ok=True)
        self.ctl_command = [str(bin_dir / "supervisorctl"), "-c", str(SUPERVISOR_CONF)]
        self.env = dict(os.environ, PYTHONWARNINGS="ignore", PLATFORM_ROOT=str(ROOT),
                        PLATFORM_BIN=str(bin_dir), PLATFORM_CONFIG=str(self.config_path),
                        PLATFORM_RUN=str(self.run_dir), PLATFORM_LOGS=str(self.folder))
        self.supervisord = None

    def start(self, *names):
        if self.supervisord is None:
            out = open(self.folder / "supervisord.out", "ab")
            self.supervisord = subprocess.Popen(
                [self.ctl_command[0].replace("supervisorctl", "supervisord"), "-c", str(SUPERVISOR_CONF)],
                cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
            self._until(lambda: (self.run_dir / "supervisor.sock").exists(), 20, "supervisord's socket")
            for name in set(SERVICES) - set(self.services):
                self.ctl("stop", GROUP + name)
        else:
            for name in names:
                self.ctl("start", GROUP + name)
        if not names or "gateway" in names:
            self.wait_healthy(timeout=120)

    def ctl(self, *args):
        done = subprocess.run(self.ctl_command + list(args), env=self.env, capture_output=True,
                              text=True, timeout=60)
        return done.stdout.strip()

    def pid(self, name):
        """The running process's pid, or 0 (stopped, or being started again)."""
        answer = self.ctl("pid", GROUP + name)
        return int(answer) if answer.isdigit() else 0

    def status(self):
        """``{name: state}`` as supervisord sees them (RUNNING, STARTING, BACKOFF…)."""
        return {name.removeprefix(GROUP): state for name, state, *_ in
                (line.split() for line in self.ctl("status").splitlines() if line.strip())}

    def kill(self, name, sig=signal.SIGKILL, restarted_within=60):
        """Signal the running process (kill -9 by default); wait for the supervisor to have
        started another.  Returns ``(old_pid, new_pid)``."""
        old = self._until(lambda: self.pid(name), 60, f"{name} running")
        os.kill(old, sig)
        new = self._until(lambda: (lambda p: p if p not in (0, old) else 0)(self.pid(name)),
                          restarted_within, f"supervisord restarting {name}")
        return old, new

    def stop(self, name, sig=signal.SIGTERM, timeout=20):
        if sig == signal.SIGKILL and self.pid(name):
            os.kill(self.pid(name), sig)
        self.ctl("stop", GROUP + name)

    def stop_all(self, timeout=60):
        if self.supervisord is None:
            return
        children = [self.pid(name) for name in self.services]
        self.supervisord.send_signal(signal.SIGTERM)    # supervisord stops every program, at once
        try:
            self.supervisord.wait(timeout)
        except subprocess.TimeoutExpired:
            self.supervisord.kill()
            self.supervisord.wait()
        for pid in children:     # each program runs in its own process group: none outlives the test
            _signal_nameko(pid, signal.SIGKILL)
        self.supervisord = None

    @staticmethod
    def _until(fetch, timeout, what):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = fetch()
            if value:
                return value
            time.sleep(0.2)
        raise RuntimeError(f"timed out waiting for {what}")


def _signal_nameko(pid, sig):
    """Signal ``pid`` if it is still one of the platform's nameko processes."""
    try:
        if pid and b"nameko" in Path(f"/proc/{pid}/cmdline").read_bytes():
            os.kill(pid, sig)
    except (FileNotFoundError, ProcessLookupError):
        pass
