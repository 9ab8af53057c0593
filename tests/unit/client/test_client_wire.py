"""The client's wire format and key policy (no broker): what nameko's RPC expects and answers."""
import json

import pytest

from lianbao.client import AUTO, Client, RemoteError, choose_key, decode_reply, encode_request
from shared.errors import Conflict, NotFound, RuleViolation, ValidationFailed

pytestmark = pytest.mark.timeout(60)


def test_request_body_is_args_and_kwargs_json_and_context_travels_as_nameko_headers():
    body, headers = encode_request(({"campaign_id": "c1", "名称": "满意度"},), {"strict": True},
                                   actor="office-system", idempotency_key="k-1", call_id="client.x")
    assert json.loads(body) == {"args": [{"campaign_id": "c1", "名称": "满意度"}], "kwargs": {"strict": True}}
    assert "满意度".encode() in body  # UTF-8, not escaped
    assert headers == {"nameko.actor": "office-system", "nameko.idempotency_key": "k-1",
                       "nameko.call_id_stack": ["client.x"]}


def test_no_header_for_missing_actor_or_key_and_nan_is_refused():
    _, headers = encode_request((), None)
    assert headers == {}
    with pytest.raises(ValueError):
        encode_request((float("nan"),))


def test_reply_result_is_returned():
    assert decode_reply(b'{"result": {"count": 3}, "error": null}') == {"count": 3}


@pytest.mark.parametrize("cls", [ValidationFailed, NotFound, Conflict, RuleViolation])
def test_named_errors_come_back_as_the_same_class_with_field_and_details(cls):
    reply = {"result": None, "error": {"exc_type": cls.__name__, "exc_path": f"shared.errors.{cls.__name__}",
                                       "exc_args": ["bad value", "forms[2].answers", [{"field": "x"}]],
                                       "value": "forms[2].answers: bad value"}}
    with pytest.raises(cls) as caught:
        decode_reply(json.dumps(reply))
    assert type(caught.value) is cls
    assert caught.value.field == "forms[2].answers"
    assert caught.value.details == [{"field": "x"}]
    assert caught.value.http_status == cls.http_status


def test_other_errors_are_remote_errors_naming_the_type():
    reply = {"result": None, "error": {"exc_type": "ValueError", "exc_path": "builtins.ValueError",
                                       "exc_args": ["boom"], "value": "boom"}}
    with pytest.raises(RemoteError) as caught:
        decode_reply(json.dumps(reply))
    assert caught.value.exc_type == "ValueError" and caught.value.value == "boom"
    assert caught.value.exc_path == "builtins.ValueError"


def test_key_policy_fresh_key_per_command_none_for_a_read_given_key_kept():
    first, second = choose_key(AUTO, False), choose_key(AUTO, False)
    assert len(first) == 32 and first != second
    assert choose_key(AUTO, True) is None
    assert choose_key("office-7", False) == "office-7"
    assert choose_key("office-7", True) == "office-7"
    assert choose_key(None, False) is None
    with pytest.raises(ValueError):
        choose_key("", False)
    with pytest.raises(ValueError):
        choose_key(7, False)


def test_client_defaults_and_attribute_sugar_do_not_connect(monkeypatch):
    monkeypatch.setenv("BROKER_URL", "pyamqp://u:p@broker:5672/")
    client = Client(actor="a")
    assert client.url == "amqp://u:p@broker:5672/"
    calls = []
    monkeypatch.setattr(client, "call", lambda *a, **k: calls.append((a, k)) or "ok")
    assert client.survey.get_campaign({"campaign_id": "c"}, idempotent=True, strict=True) == "ok"
    (args, kwargs), = calls
    assert args == ("survey", "get_campaign", {"campaign_id": "c"})
    assert kwargs["kwargs"] == {"strict": True} and kwargs["idempotent"] is True
    assert client._connection is None
    with pytest.raises(AttributeError):
        client._private


def test_a_none_field_stringified_by_nameko_comes_back_as_none():
    reply = {"result": None, "error": {"exc_type": "Conflict", "exc_path": "shared.errors.Conflict",
                                       "exc_args": ["exists", "None", "None"], "value": "exists"}}
    with pytest.raises(Conflict) as caught:
        decode_reply(json.dumps(reply))
    assert caught.value.field is None and caught.value.details is None
    assert caught.value.message == "exists"
