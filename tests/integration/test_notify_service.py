"""The notify service on RabbitMQ with a real HTTP receiver on loopback: notices from
events, idempotence, signed deliveries, retries, dead-lettering and per-subscriber order."""
import hashlib
import hmac
import json
from datetime import datetime, timezone

import eventlet
import pytest
from eventlet import wsgi
from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_hook
from nameko.testing.utils import get_extension

from services.case.service import CaseService
from services.common.errors import NotFound, ValidationFailed
from services.common.startup import BuiltAtStartup
from services.notify.exceptions import AlreadyAcknowledged
from services.notify.service import NotifyService
from tests.helpers import eventually

ADMIN = {"user_id": 1, "role": "admin", "unit_id": None}
REVIEWER = {"user_id": 2, "role": "reviewer", "unit_id": 1}
OPERATOR = {"user_id": 3, "role": "operator", "unit_id": 3}
ORGANISATION = {"user_id": 4, "role": "partner", "unit_id": 6, "partner_role": "organization"}
HR = {"user_id": 5, "role": "partner", "unit_id": 7, "partner_role": "hr"}
SECRET = "a-secret-of-sixteen-plus"


class Receiver:
    """A webhook endpoint whose answers the test scripts: 'ok', 'fail', or 'slow'."""

    def __init__(self, script):
        self.script, self.received = list(script), []
        self.sock = eventlet.listen(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/hook"
        self.thread = eventlet.spawn(wsgi.server, self.sock, self.app, log_output=False)

    def app(self, environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        self.received.append((dict((k[5:], v) for k, v in environ.items() if k.startswith("HTTP_")), body))
        mode = self.script.pop(0) if self.script else "ok"
        if mode == "slow":
            eventlet.sleep(3)
        status = "200 OK" if mode in ("ok", "slow") else "500 Internal Server Error"
        start_response(status, [("Content-Type", "text/plain")])
        return [b"done"]

    def close(self):
        self.thread.kill()
        self.sock.close()


@pytest.fixture
def notify(platform_config, container_factory):
    platform_config.update(NOTIFY_WEBHOOK_ALLOW_PRIVATE=True, NOTIFY_WEBHOOK_POLL_SECONDS=0.1)
    container_factory(CaseService, platform_config).start()   # notify asks case for the rule book
    container = container_factory(NotifyService, platform_config)
    routing = get_extension(container, BuiltAtStartup, attr_name="routing")
    container.start()
    # Fast retries for the test: 3 attempts, 50 ms base.
    routing.value.webhooks.update(max_attempts=3, backoff_base_seconds=0.05, backoff_max_seconds=0.1,
                                    timeout_seconds=1)
    return container


def call(container, method, *args):
    with entrypoint_hook(container, method) as hook:
        return hook(*args)


def publish(config, source, event_type, payload):
    event_dispatcher(config)(source, event_type, payload)


def item_opened(event_id, item_id=11, partners=("organization",)):
    # Real events carry occurred_at, stamped by the publishing service's outbox.
    return {"event_id": event_id, "occurred_at": datetime.now(timezone.utc).replace(tzinfo=None).isoformat(),
            "item_id": item_id, "decision_id": 5, "unit_id": 3, "code": "ARCHIVE",
            "name": "归档", "due_date": "2021-04-01", "partners": list(partners)}


def test_an_event_becomes_notices_for_the_right_inboxes_once(notify, platform_config):
    payload = item_opened("evt-1")
    publish(platform_config, "case", "item_opened", payload)
    publish(platform_config, "case", "item_opened", payload)        # delivered twice
    inbox = eventually(lambda: call(notify, "inbox", ORGANISATION, {}), lambda box: box["total"] >= 1)
    assert inbox["total"] == 1 and inbox["items"][0]["asks_reply"] is True
    assert inbox["items"][0]["link"] == "#/items/11"
    assert call(notify, "inbox", OPERATOR, {})["total"] == 1
    assert call(notify, "inbox", HR, {})["total"] == 0
    notice_id = inbox["items"][0]["id"]
    with pytest.raises(NotFound):
        call(notify, "acknowledge", HR, notice_id, {"feedback": "x"})
    with pytest.raises(ValidationFailed):
        call(notify, "acknowledge", ORGANISATION, notice_id, {"feedback": "长" * 2001})
    acked = call(notify, "acknowledge", ORGANISATION, notice_id, {"feedback": "已存入档案"})
    assert acked["feedback"] == "已存入档案"
    with pytest.raises(AlreadyAcknowledged):
        call(notify, "acknowledge", ORGANISATION, notice_id, {"feedback": "again"})
    seen_by_review = call(notify, "notices_for_item", REVIEWER, 11)
    assert [(n["role"], n["feedback"]) for n in seen_by_review] == [("organization", "已存入档案")]


def test_deliveries_are_signed_retried_and_parked_as_dead(notify, platform_config):
    flaky, dead = Receiver(["fail", "ok"]), Receiver(["fail"] * 10)
    try:
        for receiver in (flaky, dead):
            call(notify, "subscribe", ADMIN, {"unit_id": 3, "url": receiver.url, "secret": SECRET,
                                              "events": ["item_opened"]})
        publish(platform_config, "case", "item_opened", item_opened("evt-2"))
        eventually(lambda: call(notify, "deliveries", ADMIN), lambda d: {x["state"] for x in d["items"]} ==
                   {"delivered", "dead"}, timeout=15)
        headers, body = flaky.received[-1]
        signed = hmac.new(SECRET.encode(), f"{headers['X_PLATFORM_TIMESTAMP']}.".encode() + body,
                          hashlib.sha256).hexdigest()
        assert headers["X_PLATFORM_SIGNATURE"] == f"sha256={signed}"
        assert json.loads(body)["event_id"] == "evt-2"
        assert len(flaky.received) == 2 and len(dead.received) == 3       # max_attempts
        # The same delivery id on every attempt: the receiver can drop duplicates by it.
        assert len({h["X_PLATFORM_DELIVERY"] for h, _ in flaky.received}) == 1
        parked = [d for d in call(notify, "deliveries", ADMIN, "dead")["items"]]
        assert len(parked) == 1 and parked[0]["last_error"] == "HTTP 500"
        dead.script = ["ok"]
        call(notify, "redeliver", ADMIN, parked[0]["id"])
        eventually(lambda: call(notify, "deliveries", ADMIN, "dead")["items"], lambda d: d == [], timeout=10)
    finally:
        flaky.close(), dead.close()


def test_a_slow_subscriber_does_not_hold_up_another_and_order_is_kept(notify, platform_config):
    slow, quick = Receiver(["slow"]), Receiver([])
    try:
        for receiver in (slow, quick):
            call(notify, "subscribe", ADMIN, {"unit_id": 3, "url": receiver.url, "secret": SECRET,
                                              "events": ["item_opened"]})
        for n in range(3):
            publish(platform_config, "case", "item_opened", item_opened(f"evt-order-{n}", item_id=20 + n))
        eventually(lambda: len(quick.received), lambda n: n == 3, timeout=10)
        assert len(slow.received) <= 1            # still waiting on its first answer
        order = [json.loads(body)["event_id"] for _, body in quick.received]
        assert order == ["evt-order-0", "evt-order-1", "evt-order-2"]
        # Its first answer outlasts the timeout, so that delivery is retried under the same
        # id; dropping duplicates by that id, as a receiver should, the order is intact.
        eventually(lambda: len(slow.received), lambda n: n >= 4, timeout=15)
        unique = list(dict.fromkeys((h["X_PLATFORM_DELIVERY"], json.loads(b)["event_id"]) for h, b in slow.received))
        assert [event for _, event in unique] == order
    finally:
        slow.close(), quick.close()


@pytest.mark.parametrize("url,problem", [
    ("ftp://example.org/hook", "http 或 https"),
    ("http://169.254.169.254/latest/meta-data", "链路本地"),
])
def test_unsafe_subscriptions_are_refused_and_nothing_is_stored(notify, url, problem):
    with pytest.raises(ValidationFailed, match=problem):
        call(notify, "subscribe", ADMIN, {"unit_id": 3, "url": url, "secret": SECRET, "events": ["item_opened"]})
    assert call(notify, "subscriptions", ADMIN)["items"] == []
