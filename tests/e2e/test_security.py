"""Issue 11, security: secrets and tokens, login throttling, roles by verb — through HTTP.

Each test refuses one finding of the probe: a token forged with the secret for a user that
does not exist, or claiming ``system``; the demo secret accepted; the owner locked out by
anyone's wrong passwords; a spray of usernames never throttled; a counter a restart clears;
an unknown username answered faster than a known one; a leader or an admin writing where
they may not; a decision or a user in a unit of the wrong kind.  Clients come from
different loopback addresses (127.0.0.x) to be different client addresses.
"""
import statistics
import time
import uuid
from pathlib import Path

import jwt
import pytest
import requests
import yaml
from requests.adapters import HTTPAdapter
from sqlalchemy.orm import Session

from gateway.auth import InsecureSecret, secret_problem
from gateway.seed import main as seed_main
from gateway.seed import seed
from gateway.service import GatewayService
from services.common import migrate
from services.common.db import make_engine
from services.common.migrate import load_config
from tests.e2e.conftest import ADMIN_PASSWORD
from tests.helpers import count_rows, decision_payload, eventually

ROOT = Path(__file__).resolve().parents[2]
DEMO_SECRET = "local-demo-only-secret-change-me-in-production"


class FromAddress(HTTPAdapter):
    """Connect from a given local address: 127.0.0.2 is another client than 127.0.0.1."""

    def __init__(self, address):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


class Clients:
    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"
        self.sessions = {}

    def login(self, address, username, password):
        if address not in self.sessions:
            session = requests.Session()
            session.mount("http://", FromAddress(address))
            self.sessions[address] = session
        return self.sessions[address].post(self.base + "/api/v1/auth/login",
                                           json={"username": username, "password": password})

    def close(self):
        for session in self.sessions.values():
            session.close()


@pytest.fixture
def clients(web_config_port):
    made = Clients(web_config_port)
    yield made
    made.close()


def seeded(config):
    engine = make_engine(config["GATEWAY_DB_URL"])
    with Session(engine) as session:
        seed(session, ADMIN_PASSWORD)
    engine.dispose()


@pytest.fixture
def gateway(platform_config, runner_factory):
    """The gateway alone (logging in needs nothing else); call again to restart it."""
    running = []

    def start(**settings):
        if running:
            running.pop().stop()
        platform_config.update(settings)
        seeded(platform_config)
        runner = runner_factory(platform_config, GatewayService)
        runner.start()
        running.append(runner)
        return runner
    return start


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def forge(secret, **claims):
    return jwt.encode({"exp": int(time.time()) + 600, "iat": int(time.time()), **claims}, secret, "HS256")


def user_id(api, username):
    api.token(username)   # the district's people are created on first use
    return next(u["id"] for u in api.get("/api/v1/users", "admin").json()["items"] if u["username"] == username)


# -- 1. secrets and tokens -----------------------------------------------------------------
def gateway_config(platform_config, **settings):
    return dict(platform_config, GATEWAY_DB_URL=platform_config["GATEWAY_DB_URL"], **settings)


@pytest.mark.parametrize("secret", [DEMO_SECRET, "change-me", "short-secret", "x" * 31,
                                    "a-long-value-that-still-says-change-me-somewhere"])
def test_the_gateway_refuses_to_start_with_a_demo_or_short_secret(platform_config, container_factory, secret):
    container = container_factory(GatewayService, gateway_config(platform_config, TOKEN_SECRET=secret))
    with pytest.raises(InsecureSecret) as refused:
        container.start()
    assert "TOKEN_SECRET" in str(refused.value) and "PLATFORM_DEMO=1" in str(refused.value)


def test_demo_mode_starts_with_the_demo_secret_and_says_so(platform_config, container_factory, caplog):
    container = container_factory(GatewayService, gateway_config(platform_config, TOKEN_SECRET=DEMO_SECRET,
                                                                 DEMO_MODE=True))
    container.start()
    assert "DEMO MODE" in caplog.text


def test_config_yaml_ships_the_demo_secret_only_for_demo_mode():
    config = load_config(ROOT / "config.yaml")
    assert secret_problem(config["TOKEN_SECRET"]) is not None   # refused ...
    assert config["DEMO_MODE"] is False                         # ... unless PLATFORM_DEMO=1
    assert secret_problem("0123456789abcdef" * 4) is None


def test_the_kubernetes_manifest_takes_its_secrets_from_a_secret_the_operator_creates():
    text = (ROOT / "deploy/k8s/platform.yaml").read_text(encoding="utf-8")
    documents = [d for d in yaml.safe_load_all(text) if d]
    assert not [d for d in documents if d["kind"] == "Secret"]
    assert "change-me" not in text and "TOKEN_SECRET:" not in text
    assert "kubectl -n discipline-execution create secret generic platform-secrets" in text
    assert "TOKEN_SECRET=\"$(openssl rand -hex 32)\"" in text
    pods = [d for d in documents if d["kind"] in ("Deployment", "Job")]
    for pod in pods:
        for container in pod["spec"]["template"]["spec"]["containers"]:
            assert {"secretRef": {"name": "platform-secrets"}} in container["envFrom"], pod["metadata"]["name"]


@pytest.mark.parametrize("demo,password,created", [(False, None, False), (True, None, True),
                                                   (False, "a-chosen-admin-password", True)])
def test_the_first_admin_gets_the_demo_password_only_in_demo_mode(tmp_path, monkeypatch, demo, password, created):
    url = f"sqlite:///{tmp_path}/gateway.db"
    migrate.upgrade("gateway", url)
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({"GATEWAY_DB_URL": url, "DEMO_MODE": demo}), encoding="utf-8")
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)
    if password:
        monkeypatch.setenv("ADMIN_PASSWORD", password)
    assert seed_main(["--config", str(config)]) == (0 if created else 2)
    assert count_rows(url, "user_account")["user_account"] == (1 if created else 0)


def test_a_token_for_a_user_that_does_not_exist_or_was_never_issued_is_refused(api):
    secret = api.config["TOKEN_SECRET"]
    admin_id = user_id(api, "admin")
    for claims in ({"sub": "99999", "role": "admin", "jti": uuid.uuid4().hex},   # no such user
                   {"sub": str(admin_id), "role": "admin", "jti": uuid.uuid4().hex},  # never issued
                   {"sub": str(admin_id), "role": "admin"}):                   # no jti at all
        reply = api.http.get("/api/v1/users", headers=bearer(forge(secret, **claims)))
        assert reply.status_code == 401 and reply.json()["error"] == "UNAUTHENTICATED", claims


def test_the_role_and_unit_come_from_the_user_not_from_the_token(api):
    """``role: system`` (or admin) written into a real token of an operator changes nothing."""
    secret = api.config["TOKEN_SECRET"]
    other_unit = api.units["东河区教育局"]
    assert api.post("/api/v1/decisions", "shen", json=decision_payload(unit_id=other_unit)).status_code == 201
    real = jwt.decode(api.token("min"), secret, algorithms=["HS256"])
    assert set(real) == {"sub", "jti", "iat", "exp"}   # the token names no role at all
    for role in ("system", "admin", "reviewer"):
        forged = bearer(forge(secret, **dict(real, role=role, unit_id=other_unit)))
        assert api.http.get("/api/v1/decisions", headers=forged).json()["total"] == 0   # 民政局's: none
        assert api.http.get("/api/v1/users", headers=forged).status_code == 403
    assert api.get("/api/v1/decisions", "shen").json()["total"] == 1


def test_logout_revokes_the_token_and_only_that_one(api):
    first = api.token("min")
    second = api.http.post("/api/v1/auth/login", json={"username": "min", "password": "min-pw-123"}).json()["token"]
    assert jwt.decode(first, options={"verify_signature": False})["jti"] != \
        jwt.decode(second, options={"verify_signature": False})["jti"]
    reply = api.http.post("/api/v1/auth/logout", headers=bearer(first))
    assert reply.status_code == 200 and reply.json() == {"logged_out": True}
    refused = api.http.get("/api/v1/me", headers=bearer(first))
    assert refused.status_code == 401 and "注销" in refused.json()["message"]
    assert api.http.get("/api/v1/me", headers=bearer(second)).status_code == 200
    assert count_rows(api.config["GATEWAY_DB_URL"], "auth_token")["auth_token"] >= 3


def test_a_deactivated_users_tokens_stop_at_once_and_stay_stopped(api):
    token = api.token("min")
    min_id = user_id(api, "min")
    reply = api.http.patch(f"/api/v1/users/{min_id}", headers=api.headers("admin"), json={"active": False})
    assert reply.status_code == 200 and reply.json()["active"] is False
    assert api.http.get("/api/v1/me", headers=bearer(token)).status_code == 401
    login = api.http.post("/api/v1/auth/login", json={"username": "min", "password": "min-pw-123"})
    assert login.status_code == 401
    api.http.patch(f"/api/v1/users/{min_id}", headers=api.headers("admin"), json={"active": True})
    assert api.http.get("/api/v1/me", headers=bearer(token)).status_code == 401   # revoked, not paused
    assert api.http.post("/api/v1/auth/login", json={"username": "min", "password": "min-pw-123"}).status_code == 200


def test_a_role_change_applies_to_the_tokens_already_issued(api):
    token = bearer(api.token("min"))
    assert api.http.get("/api/v1/stats/decisions", headers=token, params={"by": "unit"}).status_code == 403
    reply = api.http.patch(f"/api/v1/users/{user_id(api, 'min')}", headers=api.headers("admin"),
                           json={"role": "leader", "unit_id": None, "name": "闵领导"})
    assert reply.status_code == 200 and (reply.json()["role"], reply.json()["unit_id"]) == ("leader", None)
    assert api.http.get("/api/v1/stats/decisions", headers=token, params={"by": "unit"}).status_code == 200
    assert api.http.get("/api/v1/me", headers=token).json()["name"] == "闵领导"


def test_patching_users_is_the_admins_and_checked(api):
    min_id, admin_id = user_id(api, "min"), user_id(api, "admin")
    def patch(who, uid, body):
        return api.http.patch(f"/api/v1/users/{uid}", headers=api.headers(who), json=body)

    assert patch("shen", min_id, {"active": False}).status_code == 403
    assert patch("admin", 99999, {"active": False}).status_code == 404
    for body in ({}, {"active": "no"}, {"role": "system"}, {"unit_id": api.units["中共东河区委组织部"]}):
        assert patch("admin", min_id, body).status_code == 400, body
    refused = patch("admin", admin_id, {"active": False})
    assert refused.status_code == 422 and refused.json()["error"] == "SELF_CHANGE"
    assert patch("admin", admin_id, {"role": "leader"}).json()["error"] == "SELF_CHANGE"
    assert api.get("/api/v1/users", "admin").status_code == 200


def test_a_password_change_needs_the_current_one_and_signs_out_the_other_sessions(api):
    current = api.token("min")
    other = api.http.post("/api/v1/auth/login", json={"username": "min", "password": "min-pw-123"}).json()["token"]
    def change(body):
        return api.http.post("/api/v1/me/password", headers=bearer(current), json=body)

    wrong = change({"old": "not-it", "new": "min-new-pw-456"})
    assert wrong.status_code == 403 and "old" in wrong.json()["fields"]
    assert change({"old": "min-pw-123", "new": "short"}).status_code == 400
    assert change({"old": "min-pw-123", "new": "min-pw-123"}).json()["fields"] == {"new": ["新密码不能与当前密码相同"]}
    done = change({"old": "min-pw-123", "new": "min-new-pw-456"})
    assert done.status_code == 200 and done.json() == {"changed": True, "revoked_tokens": 1}
    assert api.http.get("/api/v1/me", headers=bearer(other)).status_code == 401
    assert api.http.get("/api/v1/me", headers=bearer(current)).status_code == 200
    def login(password):
        return api.http.post("/api/v1/auth/login", json={"username": "min", "password": password})

    assert login("min-pw-123").status_code == 401 and login("min-new-pw-456").status_code == 200


# -- 2. login throttling ---------------------------------------------------------------------
def test_wrong_passwords_hold_back_that_address_for_that_account_not_the_owner(gateway, clients):
    gateway()
    for _ in range(5):
        assert clients.login("127.0.0.2", "admin", "guess").status_code == 401
    held = clients.login("127.0.0.2", "admin", ADMIN_PASSWORD)   # even the right password, from there
    assert held.status_code == 429 and held.json()["error"] == "TOO_MANY_ATTEMPTS"
    assert 0 < int(held.headers["Retry-After"]) <= 30
    assert clients.login("127.0.0.3", "admin", ADMIN_PASSWORD).status_code == 200   # the owner, elsewhere
    assert clients.login("127.0.0.2", "nobody", "guess").status_code == 401         # another account


def test_the_hold_grows_with_each_failure_and_ends(gateway, clients):
    gateway(LOGIN_DELAY_SECONDS=1)
    for _ in range(5):
        clients.login("127.0.0.2", "admin", "guess")
    assert clients.login("127.0.0.2", "admin", ADMIN_PASSWORD).status_code == 429
    time.sleep(1.1)
    assert clients.login("127.0.0.2", "admin", "guess").status_code == 401   # a 6th failure: 2 s now
    time.sleep(1.1)
    held = clients.login("127.0.0.2", "admin", ADMIN_PASSWORD)
    assert held.status_code == 429 and held.headers["Retry-After"] == "1"
    time.sleep(1.0)
    assert clients.login("127.0.0.2", "admin", ADMIN_PASSWORD).status_code == 200
    # the success forgot the pair's failures: the next mistake is not held back
    assert clients.login("127.0.0.2", "admin", "guess").status_code == 401
    assert clients.login("127.0.0.2", "admin", ADMIN_PASSWORD).status_code == 200


def test_spraying_usernames_from_one_address_is_throttled(gateway, clients):
    gateway()
    answers = [clients.login("127.0.0.4", f"user{n}", "Passw0rd!").status_code for n in range(30)]
    assert answers == [401] * 20 + [429] * 10
    assert clients.login("127.0.0.5", "admin", ADMIN_PASSWORD).status_code == 200


def test_the_throttle_outlives_a_restart_of_the_gateway(gateway, clients):
    gateway()
    for _ in range(5):
        clients.login("127.0.0.2", "admin", "guess")
    gateway()   # stopped and started again
    assert clients.login("127.0.0.2", "admin", ADMIN_PASSWORD).status_code == 429


def test_an_unknown_username_costs_as_long_as_a_wrong_password(gateway, clients):
    gateway()
    known, unknown = [], []
    for n in range(8):   # four attempts per address: never held back
        for who, times in (("admin", known), (f"ghost{n}", unknown)):
            began = time.perf_counter()
            assert clients.login(f"127.0.1.{n // 4 + 1}", who, "wrong-password").status_code == 401
            times.append(time.perf_counter() - began)
    ratio = statistics.median(unknown) / statistics.median(known)
    assert 0.6 < ratio < 1.6, (statistics.median(known), statistics.median(unknown))


def test_every_failure_is_audited_with_the_username_tried(gateway, clients, platform_config):
    gateway()
    clients.login("127.0.0.6", "ghost", "guess")
    for _ in range(5):
        clients.login("127.0.0.7", "admin", "guess")
    token = clients.login("127.0.0.8", "admin", ADMIN_PASSWORD).json()["token"]
    rows = requests.get(clients.base + "/api/v1/audit", headers=bearer(token),
                        params={"path": "/api/v1/auth/login", "per_page": 100}).json()["items"]
    tried = [(r["username"], r["status"], r["remote_addr"], r["action"]) for r in reversed(rows)]
    assert tried[0] == ("ghost", 401, "127.0.0.6", "登录")
    assert tried[1:6] == [("admin", 401, "127.0.0.7", "登录")] * 5
    assert tried[6][:2] == ("admin", 200) and rows[0]["user_id"] is not None


# -- 3. roles by verb ------------------------------------------------------------------------
SERVE = {"served_on": "2021-03-05", "recipients": ["张三1", "东河区民政局"], "receipt_signed": True, "unit_seal": True}
ANNOUNCE = {"announced_on": "2021-03-08", "scope": "全体干部大会", "announcers": ["李四", "王五"],
            "attendance": 30, "statement": "接受处分"}


def _approved(api, item_id, evidence):
    report = api.post(f"/api/v1/items/{item_id}/reports", "min",
                      json={"performed_on": "2021-03-10", "evidence": evidence}).json()
    assert api.post(f"/api/v1/reports/{report['id']}/approve", "shen", json={}).status_code == 200


def test_only_the_addressed_partner_answers_and_nobody_writes_as_a_leader(api):
    api.user("lingdao", "leader")
    decision = api.post("/api/v1/decisions", "shen", json=decision_payload(
        unit_id=api.unit_id, person__political_status="民主党派", person__democratic_party="民盟",
        sanctions=[{"kind": "government", "type": "开除"}])).json()
    items = {i["code"]: i["id"] for i in decision["items"]}
    _approved(api, items["SERVE"], SERVE)
    _approved(api, items["ANNOUNCE"], ANNOUNCE)
    partner_notice = eventually(
        lambda: [n for n in api.get("/api/v1/notices", "tongzhan").json()["items"] if n["asks_reply"]],
        lambda found: found)[0]
    unit_notice = api.get("/api/v1/notices", "min").json()["items"][0]
    review_notice = eventually(lambda: api.get("/api/v1/notices", "lingdao").json()["items"], bool)[0]
    assert unit_notice["asks_reply"] is False

    for who, notice in (("lingdao", review_notice), ("admin", partner_notice), ("admin", unit_notice)):
        for verb in ("read", "ack"):
            reply = api.post(f"/api/v1/notices/{notice['id']}/{verb}", who, json={"feedback": "代填"})
            assert reply.status_code == 403 and reply.json()["error"] == "FORBIDDEN", (who, verb)
    ack = api.post(f"/api/v1/notices/{unit_notice['id']}/ack", "min", json={"feedback": "x"})
    assert ack.status_code == 403 and ack.json()["fields"]["permission"] == ["notice.ack"]
    assert api.post(f"/api/v1/notices/{unit_notice['id']}/read", "min").status_code == 200

    mine = next(n for n in api.get("/api/v1/notices", "tongzhan").json()["items"] if n["id"] == partner_notice["id"])
    assert mine["acknowledged_at"] is None and mine["read_at"] is None   # nobody answered for them
    assert api.post(f"/api/v1/notices/{partner_notice['id']}/ack", "tongzhan",
                    json={"feedback": "已知悉"}).status_code == 200
    assert api.get("/api/v1/notices", "lingdao").status_code == 200   # the leader still reads


@pytest.mark.parametrize("unit", ["中共东河区委组织部", "东河区纪委监委案件审理室"])
def test_decisions_only_for_people_of_responsible_units(api, unit):
    before = count_rows(api.config["CASE_DB_URL"], "decision", "person")
    reply = api.post("/api/v1/decisions", "shen", json=decision_payload(unit_id=api.units[unit]))
    assert reply.status_code == 400 and "person.unit_id" in reply.json()["fields"]
    assert "主体责任部门" in reply.json()["fields"]["person.unit_id"][0]
    assert count_rows(api.config["CASE_DB_URL"], "decision", "person") == before


@pytest.mark.parametrize("role,unit,ok", [
    ("operator", "中共东河区委组织部", False), ("operator", "东河区纪委监委案件审理室", False),
    ("partner", "东河区民政局", False), ("reviewer", "东河区民政局", False), ("reviewer", None, False),
    ("operator", None, False), ("operator", "东河区民政局", True), ("partner", "东河区财政局", True),
    ("reviewer", "东河区纪委监委案件审理室", True), ("leader", None, True), ("leader", "东河区民政局", True),
    ("admin", None, True),
])
def test_users_only_in_units_of_their_kind(api, role, unit, ok):
    reply = api.post("/api/v1/users", "admin", json={
        "username": f"u-{role}", "password": "long-enough-pw", "name": "某人",
        "role": role, "unit_id": api.units[unit] if unit else None})
    assert reply.status_code == (201 if ok else 400), reply.text
    if not ok:
        assert "unit_id" in reply.json()["fields"]


def test_two_requests_creating_one_username_at_once_give_one_user_and_one_409(api):
    """Both pass the lookup before either inserts: the unique index decides, answered as 409
    (it was a 500), and the trail records both."""
    import eventlet

    unit = api.units["东河区民政局"]
    for n in range(4):
        body = {"username": f"racer{n}", "password": "racer-pw-12345", "name": "并发", "role": "operator",
                "unit_id": unit}
        replies = list(eventlet.GreenPool().imap(lambda _: api.post("/api/v1/users", "admin", json=body),
                                                 range(2)))
        assert sorted(r.status_code for r in replies) == [201, 409], [r.text for r in replies]
    users = api.get("/api/v1/users", "admin").json()["items"]
    assert sorted(u["username"] for u in users if u["username"].startswith("racer")) == [
        "racer0", "racer1", "racer2", "racer3"]
