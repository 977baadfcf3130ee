"""One object built from the config when the service starts, handed to every worker.

Rule books, checklists, routing tables and indexes are read and validated here, so a bad
file stops the service at start-up with its error instead of failing a request later.  Data
another service owns (case's rule book) is asked for here too, with
``services.common.startup_rpc.case_rulebook(config)``, and cross-checked against this
service's own files (review's checklists, notify's routes, library's corpus).
"""
from nameko.extensions import DependencyProvider


class BuiltAtStartup(DependencyProvider):
    """``settings = BuiltAtStartup(lambda config: Settings.from_rulebook(case_rulebook(config)["settings"]))``;
    ``close`` (optional) is called with the object when the service stops."""

    def __init__(self, build, close=None):
        self.build = build
        self.close = close

    def setup(self):
        self.value = self.build(self.container.config)

    def stop(self):
        value = getattr(self, "value", None)   # None when setup failed: keep its error
        if self.close is not None and value is not None:
            self.close(value)

    def get_dependency(self, worker_ctx):
        return self.value
