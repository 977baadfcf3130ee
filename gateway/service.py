"""The HTTP gateway (网关): users, sessions, roles, audit; everything else over RPC."""
from nameko.dependency_providers import Config

from services.case import exceptions as _case_errors  # noqa: F401  (registers typed RPC errors)
from services.common.db import Database
from services.common.metrics import Metrics

from .audit import Audit
from .auth import Auth
from .routes.accounts import AccountRoutes
from .routes.decisions import DecisionRoutes
from .routes.operations import OperationsRoutes


class GatewayService(AccountRoutes, DecisionRoutes, OperationsRoutes):
    name = "gateway"

    db = Database("GATEWAY_DB_URL", publishes=False)
    auth = Auth()
    audit = Audit()
    config = Config()
    metrics = Metrics()
