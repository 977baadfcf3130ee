"""A bounded load through the gateway, as a client would send it, and the checks that follow.

Each operation is retried on 502/503/504 and on connection errors (a gateway being
restarted), after a short pause, with the same ``Idempotency-Key``; every attempt is timed.
A registration is acknowledged by its 201; a submission by its 201, or, after an attempt
whose answer was lost, by the item being found submitted with its one report.
"""
import sqlite3
import time
import uuid
from collections import Counter
from contextlib import contextmanager

import eventlet
import requests
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from services.common.db import make_engine
from tests.e2e.test_review_api import EVIDENCE
from tests.helpers import TODAY, decision_payload

RETRIED = (502, 503, 504)


class Client:
    def __init__(self, base, tokens, attempt_limit, budget=120):
        self.base, self.tokens = base, tokens
        self.attempt_limit = attempt_limit     # no single attempt may wait longer than this
        self.budget = budget                   # seconds one operation may keep retrying
        self.attempts = []                     # seconds each attempt took
        self.statuses = Counter()              # every answer's status (or "connection error")
        self.requests = 0                      # operations (each acknowledged once)

    def send(self, method, path, user, **kwargs):
        """Until an answer that is not a 5xx of a service being away; the last answer."""
        headers = {"Authorization": f"Bearer {self.tokens[user]}", **kwargs.pop("headers", {})}
        deadline = time.monotonic() + self.budget
        retried = False
        while True:
            started = time.monotonic()
            try:
                reply = requests.request(method, self.base + path, headers=headers,
                                         timeout=self.attempt_limit + 10, **kwargs)
            except requests.RequestException:
                self.attempts.append(time.monotonic() - started)
                self.statuses["connection error"] += 1
            else:
                self.attempts.append(time.monotonic() - started)
                self.statuses[reply.status_code] += 1
                if reply.status_code not in RETRIED:
                    return reply, retried
                if reply.status_code == 503:   # the contract: which service is away
                    body = reply.json()
                    assert body.get("error") == "SERVICE_UNAVAILABLE" and body.get("service"), reply.text
            retried = True
            assert time.monotonic() < deadline, f"{method} {path}: no answer within {self.budget} s"
            eventlet.sleep(0.3)

    def register(self, n, unit_id):
        key = f"fault-{uuid.uuid4().hex[:12]}-{n}"
        payload = decision_payload(n, unit_id=unit_id, decision_date=TODAY.isoformat())
        reply, _ = self.send("POST", "/api/v1/decisions", "shen", json=payload,
                             headers={"Idempotency-Key": key})
        assert reply.status_code == 201, reply.text    # never 409 for its own first registration
        self.requests += 1
        return payload["doc_number"], reply.json()

    def submit(self, item_id):
        body = {"performed_on": TODAY.isoformat(), "evidence": EVIDENCE["SERVE"], "attachments": []}
        reply, retried = self.send("POST", f"/api/v1/items/{item_id}/reports", "min", json=body)
        if reply.status_code == 409 and retried:   # an earlier attempt went through, unanswered
            item, _ = self.send("GET", f"/api/v1/items/{item_id}", "min")
            found = item.json()
            assert item.status_code == 200, (reply.text, item.status_code, item.text)
            assert found["state"] == "submitted" and len(found["reports"]) == 1, (reply.text, found)
        else:
            assert reply.status_code == 201, reply.text
        self.requests += 1
        return item_id


def run_load(client, unit_id, until, clients=6, first=1):
    """``clients`` green threads register a decision and submit its first item, again and
    again, until ``until()`` is true.  Returns ``{doc_number: decision}`` and the items."""
    registered, submitted, numbers = {}, [], iter(range(first, first + 100000))

    def worker():
        while not until():
            n = next(numbers)
            doc_number, decision = client.register(n, unit_id)
            registered[doc_number] = decision
            submitted.append(client.submit(decision["items"][0]["id"]))

    pool = eventlet.GreenPool(clients)
    threads = [pool.spawn(worker) for _ in range(clients)]
    for thread in threads:
        thread.wait()
    return registered, submitted


def rows(url, sql, **params):
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as conn:
        found = conn.execute(text(sql), params).all()
    engine.dispose()
    return found


def eventually(check, timeout, interval=1.0):
    """``check()`` returns a list of problems; until it is empty or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while True:
        problems = check()
        if not problems or time.monotonic() > deadline:
            return problems
        time.sleep(interval)


@contextmanager
def database_lock(url, table):
    """Hold ``table`` of the database at ``url`` locked while the block runs: PostgreSQL
    ``LOCK TABLE … IN ACCESS EXCLUSIVE MODE`` (not even a read gets through), SQLite
    ``BEGIN EXCLUSIVE`` (no other writer)."""
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url.split("sqlite:///", 1)[1], timeout=30, isolation_level=None)
        conn.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            conn.execute("ROLLBACK")
            conn.close()
        return
    engine = make_engine(url)          # psycogreen: waiting for the lock blocks no green thread
    try:
        with engine.connect() as conn:
            transaction = conn.begin()
            conn.execute(text(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE"))
            try:
                yield
            finally:
                transaction.rollback()
    finally:
        engine.dispose()
