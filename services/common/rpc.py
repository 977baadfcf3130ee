"""RPC with a deadline: a 503 naming the silent service instead of a worker held forever.

nameko 2.14's ``RpcProxy`` waits for a reply with no limit (``RpcReply.result`` is a bare
``Event.wait()``), so with case down every gateway request that asked case held a worker
until all ten were gone and ``/me`` and ``/health`` stopped answering too.  ``TimedRpcProxy``
is the same dependency (the container's one shared reply queue, the caller's context
headers) with a bound on the whole call, publish included:

- the reply does not come within ``RPC_TIMEOUT_SECONDS`` (config.yaml);
- the broker refuses or drops the publish;
- no queue is bound for the service at all (nameko's ``UnknownService``);

each raise :class:`ServiceUnavailable` (503 ``SERVICE_UNAVAILABLE``) naming the service, and
the waiting reply is forgotten (a late answer is acked and dropped by the reply listener).
The request message expires from the service's queue after the same time, so a service
coming back does not work through requests nobody waits for.  A 503 means "not known to
have happened": a client retries it (a registration with its Idempotency-Key).
A service that calls another (review → case) passes ``share=0.5``: it gives up first, so the
gateway relays *which* service was silent rather than timing out on the caller itself.
``ServiceCluster`` is the same for any service by name (the gateway's ``/health``), still
on the one reply queue of the container.

Every call is timed (``platform_rpc_client_seconds{service, method, outcome}``) and carries
the worker's context data, its correlation id included (services/common/logs.py).

The container's reply queue is declared ``x-queue-type: classic`` (:class:`ClassicReplyListener`):
on a vhost whose default queue type is quorum, nameko's durable RPC and event queues become
quorum queues, but a reply queue belongs to one process, lives while it does (``x-expires``)
and holds nothing worth replicating: a reply lost with its node is a timed-out call the
client retries.  :class:`RpcProxy` is nameko's with that reply queue.
"""
import logging
import time
import uuid

import eventlet
from kombu import Queue
from nameko.amqp.publish import UndeliverableMessage
from nameko.exceptions import UnknownService
from nameko.extensions import DependencyProvider
from nameko.rpc import (RPC_REPLY_QUEUE_TEMPLATE, RPC_REPLY_QUEUE_TTL, MethodProxy, ReplyListener, RpcReply,
                        get_rpc_exchange)
from nameko.rpc import RpcProxy as NamekoRpcProxy
from nameko.standalone.rpc import ClusterRpcProxy as NamekoClusterRpcProxy
from nameko.standalone.rpc import SingleThreadedReplyListener

from . import metrics
from .errors import PlatformError, Unavailable

log = logging.getLogger(__name__)

TIMEOUT_KEY = "RPC_TIMEOUT_SECONDS"
DEFAULT_TIMEOUT = 10.0
# A publish to a broker that is gone must fail within the call's bound, not after nameko's
# default of three reconnects 2-5 s apart; the eventlet timeout below is the hard bound.
PUBLISH_RETRY = {"max_retries": 2, "interval_start": 0.2, "interval_step": 0.4, "interval_max": 1}
CONNECT_RETRY = {"max_retries": 2, "interval_start": 0.2, "interval_step": 0.4, "interval_max": 1}

LABELS = {"case": "案件", "review": "报送审核", "deadline": "期限监控", "library": "资料袋",
          "notify": "通知", "gateway": "网关"}


class ServiceUnavailable(Unavailable):
    """503 ``{"error": "SERVICE_UNAVAILABLE", "message": "…服务暂时不可用…", "service": name}``.

    ``ServiceUnavailable.of("case")``.  The name travels to other processes in ``fields``
    (the one free slot of a platform error's arguments): they rebuild a plain
    ``Unavailable``, and a ``TimedRpcProxy`` turns that back into this class with the same
    name, so review's timeout on case reaches the client as ``"service": "case"``."""

    def __init__(self, message="", fields=None, code=None, status=None, service=None):
        fields = dict(fields or {})
        named = fields.pop("service", None)
        service = service or (named if isinstance(named, str) and named else None)
        super().__init__(message, {**fields, "service": service} if service else fields, code, status)
        self.fields = fields   # the name is not a field problem
        self.service = service

    @classmethod
    def of(cls, service, message=None):
        return cls(message or f"{LABELS.get(service, service)}服务（{service}）暂时不可用，请稍后重试",
                   service=service)

    @classmethod
    def relayed(cls, error, caller_target):
        """The ``Unavailable`` another service answered, naming whom it could not reach."""
        named = (getattr(error, "fields", None) or {}).get("service")
        service = named if isinstance(named, str) and named else caller_target
        return cls.of(service, error.message or None)

    def to_dict(self):
        body = super().to_dict()
        if self.service:
            body = {"error": self.code, "message": self.message, "service": self.service,
                    **({"fields": self.fields} if self.fields else {})}
        return body


def timeout_of(config, share=1.0, timeout=None):
    seconds = float(timeout if timeout is not None else config.get(TIMEOUT_KEY, DEFAULT_TIMEOUT))
    return max(0.1, seconds * share)


class _ClassicReplyQueue:
    """``ReplyListener.setup`` with ``x-queue-type: classic`` among the queue's arguments (they
    must be there before the listener registers: the standalone consumer declares at once)."""

    def setup(self):
        reply_queue_uuid = uuid.uuid4()
        self.routing_key = str(reply_queue_uuid)
        self.queue = Queue(
            RPC_REPLY_QUEUE_TEMPLATE.format(self.container.service_name, reply_queue_uuid),
            exchange=get_rpc_exchange(self.container.config), routing_key=self.routing_key,
            queue_arguments={"x-expires": RPC_REPLY_QUEUE_TTL, "x-queue-type": "classic"})
        self.queue_consumer.register_provider(self)


class ClassicReplyListener(_ClassicReplyQueue, ReplyListener):
    """nameko's reply listener, its queue pinned to the classic type whatever the vhost's default."""


class ClassicStandaloneReplyListener(_ClassicReplyQueue, SingleThreadedReplyListener):
    """The standalone proxy's reply listener, its queue classic as well."""


def ClusterRpcProxy(config, context_data=None, timeout=None):   # noqa: N802 (nameko's name)
    """``nameko.standalone.rpc.ClusterRpcProxy`` answering on a classic reply queue (the
    start-up calls of services/common/startup_rpc.py)."""
    return NamekoClusterRpcProxy(config, context_data=context_data, timeout=timeout,
                                 reply_listener_cls=ClassicStandaloneReplyListener)


class RpcProxy(NamekoRpcProxy):
    """``nameko.rpc.RpcProxy`` answering on a classic reply queue (:class:`ClassicReplyListener`)."""

    rpc_reply_listener = ClassicReplyListener()


class TimedMethodProxy(MethodProxy):
    def __init__(self, worker_ctx, service_name, method_name, reply_listener, timeout, **options):
        options.setdefault("retry_policy", PUBLISH_RETRY)
        # Nobody waits for the answer past the timeout: a request still queued then (its
        # service down or swamped) expires instead of running when the service is back.
        options.setdefault("expiration", timeout)
        super().__init__(worker_ctx, service_name, method_name, reply_listener, **options)
        self.timeout = timeout

    def __call__(self, *args, **kwargs):
        started = time.monotonic()
        correlation_id = str(uuid.uuid4())
        timer = eventlet.Timeout(self.timeout)
        outcome = "error"
        try:
            reply = self._publish(correlation_id, args, kwargs)
            result = reply.result()
            outcome = "ok"
            return result
        except eventlet.Timeout as exc:
            if exc is not timer:
                raise
            outcome = "timeout"
            log.warning("%s.%s gave no answer in %.1f s", self.service_name, self.method_name,
                        time.monotonic() - started)
            raise ServiceUnavailable.of(self.service_name) from None
        except ServiceUnavailable:
            outcome = "unavailable"
            raise
        except Unavailable as exc:  # the callee could not reach a service of its own
            outcome = "unavailable"
            raise ServiceUnavailable.relayed(exc, self.service_name) from None
        except PlatformError as exc:
            outcome = "error" if metrics.is_fault(exc) else "refused"
            raise
        finally:
            timer.cancel()
            self.reply_listener._reply_events.pop(correlation_id, None)
            metrics.observe_rpc(self.service_name, self.method_name, outcome, time.monotonic() - started)

    def call_async(self, *args, **kwargs):
        raise NotImplementedError("TimedRpcProxy calls wait for their answer, within the timeout")

    def _publish(self, correlation_id, args, kwargs):
        """``MethodProxy._call`` with the correlation id known to the caller (to forget the
        reply on a timeout) and broker failures turned into a 503."""
        reply_event = self.reply_listener.get_reply_event(correlation_id)
        try:
            self.publisher.publish(
                {"args": args, "kwargs": kwargs},
                exchange=get_rpc_exchange(self.container.config),
                routing_key=f"{self.service_name}.{self.method_name}",
                mandatory=True,  # with publish confirms: no queue bound raises at once
                reply_to=self.reply_listener.routing_key,
                correlation_id=correlation_id,
                extra_headers=self.get_message_headers(self.worker_ctx),
                transport_options=dict(CONNECT_RETRY))
        except eventlet.Timeout:
            raise
        except Exception as exc:  # UndeliverableMessage, or the broker is gone
            if _no_queue(exc):
                log.warning("no %s service is running (no queue bound)", self.service_name)
            else:
                log.warning("could not ask %s.%s: %r", self.service_name, self.method_name, exc)
            raise ServiceUnavailable.of(self.service_name) from None
        return RpcReply(reply_event)


def _no_queue(exc):
    return isinstance(exc, (UndeliverableMessage, UnknownService))


class TimedServiceProxy:
    def __init__(self, worker_ctx, service_name, reply_listener, timeout, **options):
        self.worker_ctx, self.service_name = worker_ctx, service_name
        self.reply_listener, self.timeout, self.options = reply_listener, timeout, options

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return TimedMethodProxy(self.worker_ctx, self.service_name, name, self.reply_listener,
                                self.timeout, **self.options)


class TimedRpcProxy(RpcProxy):
    """``case = TimedRpcProxy("case")``: as ``RpcProxy``, each call bounded by
    ``RPC_TIMEOUT_SECONDS`` × ``share`` (or ``timeout`` seconds when given)."""

    def __init__(self, target_service, share=1.0, timeout=None, **options):
        super().__init__(target_service, **options)
        self.share, self.fixed_timeout = share, timeout

    def setup(self):
        self.timeout = timeout_of(self.container.config, self.share, self.fixed_timeout)

    def get_dependency(self, worker_ctx):
        return TimedServiceProxy(worker_ctx, self.target_service, self.rpc_reply_listener,
                                 self.timeout, **self.options)


class _Cluster:
    def __init__(self, worker_ctx, reply_listener, timeout):
        self._worker_ctx, self._reply_listener, self._timeout = worker_ctx, reply_listener, timeout

    def __getattr__(self, service):
        if service.startswith("__"):
            raise AttributeError(service)
        return TimedServiceProxy(self._worker_ctx, service, self._reply_listener, self._timeout)

    __getitem__ = __getattr__


class ServiceCluster(DependencyProvider):
    """``services = ServiceCluster(timeout=2)``; ``self.services["case"].health()``: any
    service by name, on the container's one reply queue (never a queue per call)."""

    rpc_reply_listener = ClassicReplyListener()

    def __init__(self, share=1.0, timeout=None):
        self.share, self.fixed_timeout = share, timeout

    def setup(self):
        self.timeout = timeout_of(self.container.config, self.share, self.fixed_timeout)

    def get_dependency(self, worker_ctx):
        return _Cluster(worker_ctx, self.rpc_reply_listener, self.timeout)
