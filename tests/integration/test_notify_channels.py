"""The notify service's other channels and duties on RabbitMQ and a real database: email to a
local SMTP server, subscribers of the review office and of partner roles, the receipt event,
reminders of unanswered notices, inbox filters, and refusals that change nothing."""
import email
import email.policy

import eventlet
import pytest
from nameko.events import event_handler
from nameko.testing.services import entrypoint_waiter
from nameko.testing.utils import get_extension

import tests.integration.test_notify_service as base
from services.case.service import CaseService
from services.common.clock import Clock
from services.common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.common.startup import BuiltAtStartup
from services.notify.service import NotifyService
from tests.helpers import count_rows, eventually

ADMIN, OPERATOR, ORGANISATION, HR = base.ADMIN, base.OPERATOR, base.ORGANISATION, base.HR
REVIEWER, SECRET, call, publish = base.REVIEWER, base.SECRET, base.call, base.publish
TABLES = ("notice", "subscription", "delivery", "outbox")


class SmtpSink:
    """A local SMTP server: accepts mail, or answers 451 to the first ``refuse`` senders."""

    def __init__(self, refuse=0):
        self.refuse, self.messages = refuse, []
        self.sock = eventlet.listen(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.thread = eventlet.spawn(self._serve)

    def _serve(self):
        while True:
            conn, _ = self.sock.accept()
            eventlet.spawn(self._session, conn)

    def _session(self, conn):
        stream = conn.makefile("rwb")
        say = lambda line: (stream.write(line.encode() + b"\r\n"), stream.flush())  # noqa: E731
        say("220 sink")
        for raw in stream:
            verb = raw.decode().strip().split(" ")[0].upper()
            if verb == "DATA":
                say("354 go on")
                lines = []
                for line in stream:
                    if line in (b".\r\n", b".\n"):
                        break
                    lines.append(line)
                self.messages.append(email.message_from_bytes(b"".join(lines), policy=email.policy.default))
                say("250 queued")
            elif verb == "MAIL" and self.refuse:
                self.refuse -= 1
                say("451 try again later")
            elif verb == "QUIT":
                say("221 bye")
                break
            else:
                say("250 ok")
        conn.close()

    def close(self):
        self.thread.kill()
        self.sock.close()


class AckListener:
    """Stands in for the services that want to hear of a receipt."""
    name = "ack_listener"
    heard = []

    @event_handler("notify", "notice_acknowledged")
    def on_ack(self, payload):
        self.heard.append(payload)


@pytest.fixture
def smtp():
    sink = SmtpSink()
    yield sink
    sink.close()


@pytest.fixture
def notify(platform_config, container_factory, smtp):
    platform_config.update(NOTIFY_WEBHOOK_ALLOW_PRIVATE=True, NOTIFY_WEBHOOK_POLL_SECONDS=0.1,
                           NOTIFY_SMTP_HOST="127.0.0.1", NOTIFY_SMTP_PORT=smtp.port,
                           NOTIFY_PUBLIC_URL="https://jiandu.example/", CLOCK_TODAY="2021-03-05")
    container_factory(CaseService, platform_config).start()   # notify asks case for the rule book
    container = container_factory(NotifyService, platform_config)
    container.start()
    get_extension(container, BuiltAtStartup, attr_name="routing").value.webhooks.update(
        max_attempts=3, backoff_base_seconds=0.05, backoff_max_seconds=0.1, timeout_seconds=1)
    return container


def rows(config):
    return count_rows(config["NOTIFY_DB_URL"], *TABLES)


def subscribe(container, **fields):
    return call(container, "subscribe", ADMIN, {"unit_id": 3, "events": ["item_opened"], **fields})


def test_a_unit_mailbox_gets_the_notice_in_chinese_with_a_link_and_a_refusal_is_retried(notify, platform_config,
                                                                                       smtp):
    smtp.refuse = 1
    subscribe(notify, channel="email", email="minzheng@example.org")
    publish(platform_config, "case", "item_opened", base.item_opened("mail-1"))
    eventually(lambda: smtp.messages, lambda found: found, timeout=10)
    message, = smtp.messages
    assert message["To"] == "minzheng@example.org" and message["Subject"] == "执行事项已开启：归档"
    text = message.get_content()
    assert "2021-04-01" in text and "https://jiandu.example/#/items/11" in text
    # The server has the message before notify records the delivery (its commit follows the
    # SMTP reply): wait for the record rather than race it.
    delivered = eventually(lambda: call(notify, "deliveries", ADMIN, {"status": "delivered"})["items"],
                           lambda found: found, timeout=10)
    delivery, = delivered
    assert delivery["attempts"] == 2 and message["X-Platform-Delivery"] == delivery["id"]


def test_subscribers_of_the_review_office_and_of_a_partner_role_get_their_units_events(notify, platform_config):
    review, organisation, finance = base.Receiver([]), base.Receiver([]), base.Receiver([])
    try:
        subscribe(notify, unit_id=1, unit_kind="review", url=review.url, secret=SECRET, events=["item_submitted"])
        subscribe(notify, unit_id=6, unit_kind="partner", partner_role="organization", url=organisation.url,
                  secret=SECRET)
        subscribe(notify, unit_id=8, unit_kind="partner", partner_role="finance", url=finance.url, secret=SECRET)
        publish(platform_config, "case", "item_opened", base.item_opened("role-1", partners=["organization"]))
        publish(platform_config, "review", "item_submitted", {
            "event_id": "sub-1", "report_id": 1, "item_id": 11, "decision_id": 5, "unit_id": 3, "code": "ARCHIVE",
            "round": 1, "performed_on": "2021-03-04", "findings": []})
        eventually(lambda: (review.received, organisation.received), lambda pair: all(pair), timeout=10)
        eventlet.sleep(0.5)
        assert [base.json.loads(b)["event_id"] for _, b in review.received] == ["sub-1"]
        assert [base.json.loads(b)["event_id"] for _, b in organisation.received] == ["role-1"]
        assert finance.received == []
    finally:
        review.close(), organisation.close(), finance.close()


def test_a_receipt_is_announced_and_the_same_event_twice_queues_one_delivery(notify, platform_config,
                                                                             container_factory):
    listener = container_factory(AckListener, platform_config)
    listener.start()
    receiver = base.Receiver([])
    try:
        subscribe(notify, unit_id=6, unit_kind="partner", partner_role="organization", url=receiver.url,
                  secret=SECRET)
        payload = base.item_opened("twice-1")
        publish(platform_config, "case", "item_opened", payload)
        publish(platform_config, "case", "item_opened", payload)
        eventually(lambda: receiver.received, lambda found: found, timeout=10)
        eventlet.sleep(0.5)
        assert len(receiver.received) == 1 and len(call(notify, "deliveries", ADMIN)["items"]) == 1
        notice, = call(notify, "inbox", ORGANISATION, {})["items"]
        assert notice["reply_due"] == "2021-03-12" and "2021-03-12" in notice["body"] and notice["from"]
        with entrypoint_waiter(listener, "on_ack"):
            call(notify, "acknowledge", ORGANISATION, notice["id"], {"feedback": "已归档"})
        heard = AckListener.heard[-1]
        assert (heard["notice_id"], heard["item_id"], heard["unit_id"], heard["feedback"]) == (
            notice["id"], 11, 6, "已归档")
    finally:
        receiver.close()


def test_an_unanswered_notice_raises_one_reminder_after_its_reply_deadline(notify, platform_config):
    publish(platform_config, "case", "item_opened", base.item_opened("late-1", partners=["organization", "hr"]))
    eventually(lambda: call(notify, "inbox", HR, {})["total"], lambda n: n == 1)
    answered, = call(notify, "inbox", ORGANISATION, {})["items"]
    call(notify, "acknowledge", ORGANISATION, answered["id"], {"feedback": "已办"})
    clock = get_extension(notify, Clock).clock
    clock.set("2021-03-12")                      # the deadline itself: not late yet
    call(notify, "remind_unanswered")
    assert call(notify, "inbox", HR, {})["total"] == 1
    clock.set("2021-03-15")
    call(notify, "remind_unanswered")
    call(notify, "remind_unanswered")            # a second sweep reminds no one twice
    box = call(notify, "inbox", HR, {})
    reminder = box["items"][0]
    assert box["total"] == 2 and reminder["title"].startswith("回执逾期：") and reminder["asks_reply"] is False
    assert call(notify, "inbox", ORGANISATION, {})["total"] == 1


def test_inbox_filters_and_pages(notify, platform_config):
    for n in range(3):
        publish(platform_config, "case", "item_opened", base.item_opened(f"page-{n}", item_id=30 + n))
    eventually(lambda: call(notify, "inbox", OPERATOR, {})["total"], lambda n: n == 3)
    first = call(notify, "inbox", OPERATOR, {"per_page": 2})
    assert (first["total"], first["unread"], len(first["items"])) == (3, 3, 2)
    call(notify, "mark_read", OPERATOR, first["items"][0]["id"])
    assert call(notify, "inbox", OPERATOR, {"unread": "true"})["total"] == 2
    assert call(notify, "inbox", OPERATOR, {"page": 2, "per_page": 2})["items"][0]["id"] == first["items"][0]["id"]
    assert call(notify, "inbox", OPERATOR, {"item_id": 31})["total"] == 1
    assert call(notify, "inbox", ORGANISATION, {"asks_reply": "true", "answered": "false"})["total"] == 3
    assert call(notify, "inbox", REVIEWER, {})["total"] == 0          # no notice for the review office


@pytest.mark.parametrize("method,actor,args,error", [
    ("mark_read", HR, ("NOTICE",), NotFound),
    ("acknowledge", HR, ("NOTICE", {"feedback": "不是我的"}), NotFound),
    ("acknowledge", OPERATOR, ("NOTICE", {"feedback": "不是我的"}), Forbidden),   # only partners answer
    ("acknowledge", ADMIN, ("NOTICE", {"feedback": "代填"}), Forbidden),
    ("mark_read", ADMIN, ("NOTICE",), Forbidden),
    ("acknowledge", ORGANISATION, ("NOTICE", {"feedback": 5}), ValidationFailed),
    ("inbox", OPERATOR, ({"per_page": 1000},), ValidationFailed),
    ("subscribe", ADMIN, ({"unit_id": 3, "events": ["item_opened"], "channel": "email"},), ValidationFailed),
    ("subscribe", ADMIN, ({"unit_id": 3, "events": ["no_such_event"], "url": "http://127.0.0.1:1/h",
                           "secret": SECRET},), ValidationFailed),
    ("subscribe", ADMIN, ({"unit_id": 3, "events": ["item_opened"], "url": "gopher://127.0.0.1/h",
                           "secret": SECRET},), ValidationFailed),
    ("subscribe", OPERATOR, ({"unit_id": 3, "events": ["item_opened"], "url": "http://127.0.0.1:1/h",
                              "secret": SECRET},), Forbidden),
    ("deliveries", ADMIN, ({"status": "lost"},), ValidationFailed),
    ("deliveries", OPERATOR, ({},), Forbidden),
    ("redeliver", ADMIN, ("no-such-delivery",), NotFound),
    ("redeliver", OPERATOR, ("no-such-delivery",), Forbidden),
])
def test_refusals_change_nothing(notify, platform_config, method, actor, args, error):
    publish(platform_config, "case", "item_opened", base.item_opened("refuse-1"))
    notice_id = eventually(lambda: call(notify, "inbox", ORGANISATION, {}), lambda box: box["total"])["items"][0]["id"]
    args = tuple(notice_id if a == "NOTICE" else a for a in args)
    before = rows(platform_config)
    with pytest.raises(error):
        call(notify, method, actor, *args)
    assert rows(platform_config) == before
    unchanged, = call(notify, "inbox", ORGANISATION, {})["items"]
    assert unchanged["read_at"] is None and unchanged["acknowledged_at"] is None


def test_a_pending_delivery_cannot_be_redelivered_and_email_needs_smtp(platform_config, container_factory):
    platform_config.update(NOTIFY_WEBHOOK_ALLOW_PRIVATE=True, NOTIFY_WEBHOOK_POLL_SECONDS=60)
    container_factory(CaseService, platform_config).start()
    container = container_factory(NotifyService, platform_config)
    container.start()
    with pytest.raises(ValidationFailed, match="邮件通道未启用"):
        subscribe(container, channel="email", email="minzheng@example.org")
    subscribe(container, url="http://127.0.0.1:9/hook", secret=SECRET)
    publish(platform_config, "case", "item_opened", base.item_opened("pending-1"))
    pending, = eventually(lambda: call(container, "deliveries", ADMIN)["items"], lambda found: found)
    before = rows(platform_config)
    with pytest.raises(Conflict):
        call(container, "redeliver", ADMIN, pending["id"])
    assert rows(platform_config) == before
