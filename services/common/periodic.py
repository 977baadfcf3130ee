"""Background work inside a service process: a managed green thread that repeats a task.

Used for work that must not run inside a request (the outbox relay, audit batches,
webhook deliveries).  A failure is logged and the loop goes on; ``stop()`` ends it.
"""
import logging

import eventlet

log = logging.getLogger(__name__)


class Periodic:
    def __init__(self, interval, work, what):
        self.interval, self.work, self.what = interval, work, what
        self.running = False

    def start(self, container):
        self.running = True
        container.spawn_managed_thread(self._loop, identifier=self.what)

    def stop(self):
        self.running = False

    def _loop(self):
        while self.running:
            eventlet.sleep(self.interval)
            try:
                self.work()
            except Exception:
                log.exception("%s failed; retrying in %s s", self.what, self.interval)
