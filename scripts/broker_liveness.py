"""Liveness of one service process: does it hold an open AMQP connection to its broker?

    python scripts/broker_liveness.py [--pid PID] [--config config.yaml]

Exit 0 when process PID (default 1, the container's ``nameko run``) has an ESTABLISHED TCP
connection to the broker port of ``AMQP_URI``; 1 (naming what it found) otherwise.  A nameko
service that lost its broker either exits (an RPC reply it could not send kills the
container; Kubernetes or supervisord starts it again) or sits retrying the connection with
no socket open: this probe catches the second, so the Kubernetes liveness probe restarts it.
It reads only /proc (the process's socket inodes and the kernel's TCP table): no broker
traffic, no reply queue, and it answers for this process, not for whichever replica of the
service picks up an RPC.
"""
import argparse
import os
import re
import sys
from pathlib import Path
from urllib.parse import urlparse

ESTABLISHED = "01"
DEFAULT_AMQP_PORT = 5672


def broker_port(amqp_uri):
    return urlparse(amqp_uri.replace("pyamqp://", "amqp://", 1)).port or DEFAULT_AMQP_PORT


def amqp_uri_from(config_path):
    """AMQP_URI as nameko would read it: the environment wins, then the ``${AMQP_URI:default}``
    of the config file."""
    if os.environ.get("AMQP_URI"):
        return os.environ["AMQP_URI"]
    text = Path(config_path).read_text(encoding="utf-8")
    found = re.search(r"^AMQP_URI:\s*\$\{AMQP_URI:(.*)\}\s*$", text, re.M) or \
        re.search(r"^AMQP_URI:\s*(\S+)\s*$", text, re.M)
    return found.group(1) if found else f"amqp://127.0.0.1:{DEFAULT_AMQP_PORT}/"


def socket_inodes(pid):
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:["):-1])
    return inodes


def established_to(pid, port):
    """Remote ``host:port`` of the process's ESTABLISHED TCP connections to ``port``."""
    mine = socket_inodes(pid)
    found = []
    for table in ("tcp", "tcp6"):
        path = Path(f"/proc/{pid}/net/{table}")
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            remote, state, inode = fields[2], fields[3], fields[9]
            address, remote_port = remote.rsplit(":", 1)
            if state == ESTABLISHED and int(remote_port, 16) == port and inode in mine:
                found.append(f"{address}:{port}")
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pid", type=int, default=1)
    parser.add_argument("--config", default="config.yaml")
    parser.add_argument("--amqp-uri", default=None)
    args = parser.parse_args(argv)
    port = broker_port(args.amqp_uri or amqp_uri_from(args.config))
    try:
        connections = established_to(args.pid, port)
    except OSError as exc:
        print(f"cannot read process {args.pid}: {exc}")
        return 1
    if not connections:
        print(f"process {args.pid} has no open connection to the broker (port {port})")
        return 1
    print(f"process {args.pid}: {len(connections)} broker connection(s) on port {port}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
