"""Asking case at start-up: retried with backoff while case is not up, given up naming the call."""
import pytest
from nameko.exceptions import RpcTimeout, UnknownService

from services.common.errors import NotFound
from services.common.startup_rpc import StartupCallFailed, call_at_startup, case_rulebook


class FakeClock:
    def __init__(self):
        self.now, self.slept = 0.0, []

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


def proxy_answering(outcomes, calls):
    """A ClusterRpcProxy stand-in: each use takes the next outcome (an exception or an answer)."""
    class Method:
        def __init__(self, service, name):
            self.service, self.name = service, name

        def __call__(self, *args):
            calls.append((self.service, self.name, args))
            outcome = outcomes.pop(0)
            if isinstance(outcome, Exception):
                raise outcome
            return outcome

    class Service:
        def __init__(self, service):
            self.service = service

        def __getattr__(self, name):
            return Method(self.service, name)

    class Proxy:
        def __init__(self, config, timeout=None):
            assert timeout and timeout > 0

        def __enter__(self):
            return type("Cluster", (), {"__getattr__": lambda _, service: Service(service)})()

        def __exit__(self, *exc):
            return False

    return Proxy


def test_it_asks_again_with_growing_delays_until_case_answers():
    clock, calls = FakeClock(), []
    proxy = proxy_answering([UnknownService("case"), RpcTimeout(), ConnectionRefusedError(), {"items": []}], calls)
    book = case_rulebook({}, proxy=proxy, sleep=clock.sleep, monotonic=clock.monotonic)
    assert book == {"items": []}
    assert clock.slept == [0.2, 0.4, 0.8]
    assert calls[0] == ("case", "rulebook_summary", ({"user_id": None, "role": "system", "unit_id": None,
                                                       "partner_role": None},))


def test_it_gives_up_after_the_configured_wait_naming_the_call():
    clock = FakeClock()
    proxy = proxy_answering([UnknownService("case")] * 100, [])
    with pytest.raises(StartupCallFailed, match=r"case\.rulebook_summary did not answer within 3 s"):
        call_at_startup({"STARTUP_WAIT_SECONDS": 3}, "case", "rulebook_summary", {}, proxy=proxy,
                        sleep=clock.sleep, monotonic=clock.monotonic)
    assert clock.now <= 3 and max(clock.slept) <= 5


def test_an_error_case_answers_is_not_retried():
    clock = FakeClock()
    proxy = proxy_answering([NotFound("no such thing")], [])
    with pytest.raises(NotFound):
        call_at_startup({}, "case", "rulebook_summary", {}, proxy=proxy, sleep=clock.sleep,
                        monotonic=clock.monotonic)
    assert clock.slept == []
