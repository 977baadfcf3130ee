"""The HTTP gateway (网关): users, sessions, roles, audit; everything else over RPC."""
from nameko.dependency_providers import Config

from services.common.db import Database
from services.common.metrics import Metrics
from services.common.rpc import ServiceCluster, TimedRpcProxy

from .audit import Audit
from .auth import Auth
from .routes.accounts import AccountRoutes
from .routes.deadlines import DeadlineRoutes
from .routes.docs import DocsRoutes
from .routes.events import EventRoutes
from .routes.imports import ImportRoutes
from .routes.decisions import DecisionRoutes
from .routes.library import LibraryRoutes
from .routes.notices import NoticeRoutes
from .routes.operations import HEALTH_TIMEOUT_SECONDS, OperationsRoutes
from .routes.people import PeopleRoutes
from .routes.reforms import ReformRoutes
from .routes.review import ReviewRoutes
from .routes.stats import StatsRoutes
from .routes.web import WebRoutes

class GatewayService(AccountRoutes, DecisionRoutes, ReviewRoutes, DeadlineRoutes, StatsRoutes, NoticeRoutes,
                     PeopleRoutes, ImportRoutes, ReformRoutes,
                     LibraryRoutes, OperationsRoutes, EventRoutes, DocsRoutes, WebRoutes):
    name = "gateway"

    db = Database("GATEWAY_DB_URL", publishes=False)
    auth = Auth()
    audit = Audit()
    config = Config()
    metrics = Metrics()

    # Every call to a service is bounded by RPC_TIMEOUT_SECONDS (services/common/rpc.py): a
    # service that does not answer is a 503 naming it, and frees the worker.  These override
    # the route mixins' declarations; all share the container's one reply queue.
    case = TimedRpcProxy("case")
    review = TimedRpcProxy("review")
    deadline = TimedRpcProxy("deadline")
    notify = TimedRpcProxy("notify")
    library = TimedRpcProxy("library")
    cluster = ServiceCluster(timeout=HEALTH_TIMEOUT_SECONDS)   # /health: any service by name
