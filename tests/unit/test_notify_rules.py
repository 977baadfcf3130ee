"""Routing, notice texts, signatures, backoff and the webhook address guard."""
import hashlib
import hmac

import pytest

from services.notify.routing import addressees, load_routing, render
from services.notify.webhooks import UnsafeUrl, backoff_seconds, check_url, envelope, sign

ROUTING = load_routing()


def resolver(*addresses):
    return lambda host, port: [(None, None, None, None, (a, port)) for a in addresses]


def test_an_opened_item_reaches_its_unit_and_the_partners_the_rule_book_names():
    payload = {"event_id": "e1", "item_id": 7, "unit_id": 3, "name": "抄送", "due_date": "2021-04-01",
               "partners": ["organization", "united_front"]}
    routes = ROUTING.for_event("case", "item_opened")
    found = [(a.kind, a.unit_id, a.role, r.asks_reply) for r in routes for a in addressees(r, payload)]
    assert found == [("unit", 3, None, False), ("partner", None, "organization", True),
                     ("partner", None, "united_front", True)]


def test_overdue_reaches_the_unit_and_the_review_office():
    route, = ROUTING.for_event("deadline", "deadline_overdue")
    assert [a.kind for a in addressees(route, {"unit_id": 3})] == ["unit", "review"]


def test_notice_texts_say_what_happened_in_chinese():
    route, = ROUTING.for_event("review", "item_rejected")
    text = render(route.body, {"item_id": 5, "problem_category": "本人不表态", "requirement": "补充表态",
                               "rectify_by": "2021-04-10"})
    assert "本人不表态" in text and "2021-04-10" in text
    assert render("{missing}", {}) == "—"


def test_signature_is_hmac_sha256_over_timestamp_and_body():
    body, headers = envelope("d-1", "deadline_overdue", {"b": 1, "a": "甲"}, 1700000000, "s3cret-s3cret-123")
    expected = hmac.new(b"s3cret-s3cret-123", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert headers["X-Platform-Signature"] == f"sha256={expected}" == sign("s3cret-s3cret-123", 1700000000, body)
    assert headers["X-Platform-Delivery"] == "d-1" and headers["X-Platform-Timestamp"] == "1700000000"


def test_backoff_grows_exponentially_with_full_jitter_and_a_cap():
    assert backoff_seconds(1, 2, 600, rng=lambda: 1.0) == 2
    assert backoff_seconds(4, 2, 600, rng=lambda: 1.0) == 16
    assert backoff_seconds(20, 2, 600, rng=lambda: 1.0) == 600
    assert backoff_seconds(4, 2, 600, rng=lambda: 0.25) == 4


@pytest.mark.parametrize("url,addresses,allow_private,problem", [
    ("ftp://example.org/hook", ("93.184.216.34",), False, "http 或 https"),
    ("http://169.254.169.254/latest/meta-data", ("169.254.169.254",), True, "链路本地"),
    ("http://metadata.google.internal/", ("169.254.169.254",), True, "元数据"),
    ("http://[fe80::1]/hook", ("fe80::1",), True, "链路本地"),
    ("http://10.0.0.5/hook", ("10.0.0.5",), False, "内网"),
    ("http://localhost:9000/hook", ("127.0.0.1",), False, "内网"),
    ("http://100.64.0.1/hook", ("100.64.0.1",), True, "100.64.0.0/10"),        # carrier-grade NAT
    ("http://cgnat.example/hook", ("100.127.255.254",), True, "100.64.0.0/10"),
    ("http://h.example/hook", ("::ffff:169.254.169.254",), True, "链路本地"),    # IPv4-mapped
    ("http://h.example/hook", ("64:ff9b::a9fe:a9fe",), True, "链路本地"),        # NAT64
    ("http://h.example/hook", ("::ffff:10.0.0.5",), False, "内网"),
    ("http://h.example:70000/hook", ("93.184.216.34",), False, "端口"),
    ("http://h.example:0/hook", ("93.184.216.34",), False, "端口"),
    ("http://h.example:http/hook", ("93.184.216.34",), False, "端口"),
])
def test_unsafe_webhook_addresses_are_refused(url, addresses, allow_private, problem):
    with pytest.raises(UnsafeUrl, match=problem):
        check_url(url, allow_private=allow_private, resolve=resolver(*addresses))


def test_public_and_allowed_loopback_addresses_pass():
    assert check_url("https://partner.example.org/hook", resolve=resolver("93.184.216.34"))
    assert check_url("http://127.0.0.1:9000/hook", allow_private=True, resolve=resolver("127.0.0.1"))
