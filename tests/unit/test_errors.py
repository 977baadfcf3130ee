"""Every platform error crosses RPC typed, and maps to its HTTP status and code.

Errors travel as nameko serialises them (JSON of ``serialize(exc)``); the receiver rebuilds
them with ``deserialize``.  A process that never imported the raising service's module still
gets the right code and status, and the common class for ``except`` (the defect: review got
case's StaleVersion as a bare RemoteError and answered 500)."""
import json
from importlib import import_module

import pytest
from nameko.exceptions import RemoteError, deserialize, serialize

from gateway.entrypoints import error_response
from services.common import errors
from services.common.errors import Conflict, PlatformError, RuleRefused, ValidationFailed

for _service in ("case", "review", "notify", "library", "deadline"):
    import_module(f"services.{_service}.exceptions")


def every_error_class():
    found, todo = [], [PlatformError]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return sorted(found, key=lambda c: (c.__module__, c.__name__))


def over_the_wire(exc):
    return deserialize(json.loads(json.dumps(serialize(exc))))


@pytest.mark.parametrize("cls", every_error_class(), ids=lambda c: f"{c.__name__}-{c.code}")
def test_each_error_arrives_as_itself_and_maps_to_its_status(cls):
    sent = cls("消息", {"field": ["问题"]})
    got = over_the_wire(sent)
    assert type(got) is errors._BY_CODE.get(cls.code, cls) or type(got) is cls
    assert (got.code, got.status, got.message, got.fields) == (cls.code, cls.status, "消息", {"field": ["问题"]})
    reply = error_response(got)
    assert reply.status_code == cls.status
    assert json.loads(reply.get_data()) == {"error": cls.code, "message": "消息", "fields": {"field": ["问题"]}}


@pytest.mark.parametrize("status,base", [(400, ValidationFailed), (409, Conflict), (422, RuleRefused)])
def test_an_error_this_process_never_loaded_keeps_its_code_and_is_caught_by_its_base(status, base):
    wire = {"exc_type": "Unheard", "exc_path": "services.elsewhere.exceptions.Unheard",
            "exc_args": ["别处的错误", {"x": ["y"]}, "UNHEARD_OF", status], "value": "别处的错误"}
    got = deserialize(wire)
    assert isinstance(got, base)
    assert (got.code, got.status, got.fields) == ("UNHEARD_OF", status, {"x": ["y"]})


def test_a_foreign_error_stays_a_remote_error():
    got = over_the_wire(KeyError("boom"))
    assert isinstance(got, RemoteError)
    odd = deserialize({"exc_type": "Odd", "exc_path": "services.x.Odd", "exc_args": ["a"], "value": "a"})
    assert isinstance(odd, RemoteError) and not isinstance(odd, PlatformError)
