"""Asking another service while this one starts (the rule book from case, …).

A service that needs another's data to start (deadline's thresholds, library's legal bases,
review's item codes, notify's partner roles: all in case's rule book) calls it from a
``BuiltAtStartup`` build function through :func:`call_at_startup`, which retries with backoff
until the other service answers: services start in any order (``make run`` starts them all at
once), so "case is not up yet" is normal for a few seconds.  Past ``STARTUP_WAIT_SECONDS``
(config, default 300) it gives up with an error naming the call, and the service stops.

An error the other service answers (a typed platform error) is not retried: it is raised.
"""
import logging
import socket
import time

import eventlet
from amqp.exceptions import ConnectionError as AmqpConnectionError
from kombu.exceptions import OperationalError
from nameko.exceptions import RpcTimeout, UnknownService
from .actor import SYSTEM
from .rpc import ClusterRpcProxy     # nameko's, on a classic reply queue

log = logging.getLogger(__name__)

DEFAULT_WAIT_SECONDS = 300
ATTEMPT_TIMEOUT_SECONDS = 10       # one call; a request left in a queue nobody consumes yet
FIRST_DELAY, MAX_DELAY = 0.2, 5.0  # seconds between attempts: 0.2, 0.4, … capped at 5
# Not there yet: no queue for the service, no answer in time, no broker connection.
NOT_YET = (UnknownService, RpcTimeout, AmqpConnectionError, OperationalError, socket.error)


class StartupCallFailed(RuntimeError):
    """The service asked at start-up never answered; the message names the call."""


def call_at_startup(config, service, method, *args, wait=None, proxy=ClusterRpcProxy,
                    sleep=eventlet.sleep, monotonic=time.monotonic):
    """``service.method(*args)`` over RPC, retried with backoff until it answers or ``wait``
    seconds (default: config ``STARTUP_WAIT_SECONDS``) have passed."""
    wait = float(config.get("STARTUP_WAIT_SECONDS") or DEFAULT_WAIT_SECONDS) if wait is None else wait
    give_up_at, delay, attempts = monotonic() + wait, FIRST_DELAY, 0
    while True:
        attempts += 1
        timeout = max(0.1, min(ATTEMPT_TIMEOUT_SECONDS, give_up_at - monotonic()))
        try:
            with proxy(config, timeout=timeout) as cluster:
                return getattr(getattr(cluster, service), method)(*args)
        except NOT_YET as err:
            if monotonic() + delay > give_up_at:
                raise StartupCallFailed(
                    f"{service}.{method} did not answer within {wait:g} s ({attempts} attempts, "
                    f"last: {type(err).__name__}: {err}); is the {service} service running?") from err
            log.info("waiting for %s.%s (%s); asking again in %.1f s", service, method,
                     type(err).__name__, delay)
            sleep(delay)
            delay = min(delay * 2, MAX_DELAY)


def case_rulebook(config, **kwargs):
    """The rule book as case serves it (``case.rulebook_summary``): items with code, name,
    legal_basis and partners; sanctions with legal_basis; settings; partner_roles."""
    return call_at_startup(config, "case", "rulebook_summary", SYSTEM.dump(), **kwargs)
