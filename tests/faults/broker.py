"""A RabbitMQ node of the test's own, on free ports, that the test may stop and start again.

The shared broker on 5672 is never restarted by a test.  This node has its own name
(``fault<port>@localhost``), AMQP and distribution ports, data and log folders, an empty
plugin list (no management listener to collide with the shared node's) and a config file
of its own (the machine's ``/etc/rabbitmq/rabbitmq.conf`` pins 5672).  It runs in the
foreground as a child of the test; ``restart()`` stops it (SIGTERM: a clean shutdown) and
starts it again on the same ports and data, so durable queues and their messages survive,
as on a real broker restart.
"""
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from tests.processes.harness import free_port

SERVER = next((p for p in ("/usr/lib/rabbitmq/bin/rabbitmq-server", shutil.which("rabbitmq-server") or "")
               if p and os.access(p, os.X_OK)), None)


def listening(port, host="127.0.0.1"):
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


class RabbitNode:
    def __init__(self, folder):
        if SERVER is None:
            raise RuntimeError("rabbitmq-server is not installed")
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port, self.dist_port = free_port(), free_port()
        self.name = f"fault{self.port}@localhost"
        self.amqp_uri = f"pyamqp://guest:guest@127.0.0.1:{self.port}/"
        (self.folder / "enabled_plugins").write_text("[].\n")
        (self.folder / "rabbitmq.conf").write_text(f"listeners.tcp.local = 127.0.0.1:{self.port}\n")
        (self.folder / "rabbitmq-env.conf").write_text("")
        self.env = dict(
            os.environ, HOME=str(self.folder),     # its own Erlang cookie
            RABBITMQ_NODENAME=self.name, RABBITMQ_NODE_PORT=str(self.port),
            RABBITMQ_DIST_PORT=str(self.dist_port),
            RABBITMQ_MNESIA_BASE=str(self.folder / "mnesia"), RABBITMQ_LOG_BASE=str(self.folder / "log"),
            RABBITMQ_ENABLED_PLUGINS_FILE=str(self.folder / "enabled_plugins"),
            RABBITMQ_CONFIG_FILE=str(self.folder / "rabbitmq.conf"),
            RABBITMQ_CONF_ENV_FILE=str(self.folder / "rabbitmq-env.conf"),
            RABBITMQ_PID_FILE=str(self.folder / "rabbitmq.pid"))
        self.proc = None
        self.starts = 0

    def start(self, timeout=60):
        out = open(self.folder / "server.out", "ab")
        self.proc = subprocess.Popen([SERVER], env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.starts += 1
        deadline = time.monotonic() + timeout
        while not listening(self.port):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"RabbitMQ node {self.name} did not start: "
                                   + (self.folder / "server.out").read_text(errors="replace")[-2000:])
            time.sleep(0.2)
        return self

    def stop(self, timeout=60):
        if self.proc is None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.proc = None
        while listening(self.port):
            time.sleep(0.1)

    def restart(self, down_seconds=0.0):
        """Stop, stay down ``down_seconds``, start on the same ports and data."""
        self.stop()
        time.sleep(down_seconds)
        return self.start()
