"""The dead-letter queue: list what failed, and replay it to the queue it came from.

Failed events (see :mod:`shared.entrypoints`) land in one durable queue, ``lianbao.dlq``, each
with its original queue, routing key, attempt count and error in the headers.
"""
from __future__ import annotations

import json

from kombu import Connection, Exchange

from shared.entrypoints import ATTEMPTS_HEADER, ORIGIN_HEADER, dlq_queue


def _connection(config) -> Connection:
    # publisher confirms: a replayed letter is acked off the dead-letter queue only once the broker
    # has taken its copy
    return Connection(config["AMQP_URI"], transport_options={"confirm_publish": True})


def _decode(message) -> object:
    try:
        return message.decode()
    except Exception:
        return message.body.decode("utf-8", "replace") if isinstance(message.body, bytes) else message.body


def _letter(message) -> dict:
    headers = message.headers or {}
    return {
        "queue": headers.get("x-lianbao-queue"),
        "routing_key": headers.get("x-lianbao-routing-key"),
        "source": headers.get("x-lianbao-source"),
        "attempts": headers.get(ATTEMPTS_HEADER),
        "error": headers.get("x-lianbao-error"),
        "body": _decode(message),
    }


def list_dead_letters(config, limit: int = 1000) -> list[dict]:
    """Every dead letter, oldest first, left in the queue (read without acknowledging)."""
    out, held = [], []
    with _connection(config) as conn:
        channel = conn.channel()
        queue = dlq_queue(config)(channel)
        queue.declare()
        try:
            while len(out) < limit:
                message = queue.get(no_ack=False)
                if message is None:
                    break
                held.append(message)
                out.append(_letter(message))
        finally:
            for message in held:  # every letter goes back to the queue: listing never removes one
                message.reject(requeue=True)
            channel.close()
    return out


def replay_dead_letters(config, limit: int = 1000) -> int:
    """Send dead letters back to their original queues with a fresh attempt count; returns how many."""
    count = 0
    with _connection(config) as conn:
        channel = conn.channel()
        queue = dlq_queue(config)(channel)
        queue.declare()
        # only the letters there now: a replayed message that fails again at once (an undecodable
        # body) comes back to this queue while we loop, and must wait for the next replay
        present = queue.queue_declare(passive=True).message_count
        producer = conn.Producer(channel=channel, serializer="json")
        while count < min(limit, present):
            message = queue.get(no_ack=False)
            if message is None:
                break
            headers = {k: v for k, v in (message.headers or {}).items() if not k.startswith("x-lianbao")}
            target = (message.headers or {}).get("x-lianbao-queue")
            origin = (message.headers or {}).get("x-lianbao-routing-key")
            if origin:  # the event type, kept through the retries that follow the replay
                headers[ORIGIN_HEADER] = origin
            if not target:
                message.reject(requeue=True)
                break
            producer.publish(message.body, exchange=Exchange("", type="direct"), routing_key=target,
                             headers=headers, content_type=message.content_type,
                             content_encoding=message.content_encoding)
            message.ack()
            count += 1
        channel.close()
    return count


def dumps(letters) -> str:
    return json.dumps(letters, ensure_ascii=False, indent=2, default=str)
