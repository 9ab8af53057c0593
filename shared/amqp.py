"""RPC reply queues fit for a cluster: transient (non-durable) classic queues.

nameko 2.14 declares every reply queue (``rpc.reply-<caller>-<uuid>``: a service's ``RpcProxy``, the
gateway's, each standalone ``ClusterRpcProxy``) as a *durable* classic queue that expires after five
unused minutes.  On a RabbitMQ cluster a durable classic queue lives on one node; when that node goes,
the queue cannot be declared again from another node ("home node … is down", 404) until the node
returns, so a caller that fails over could not listen for replies any more.  A transient queue is
dropped with its node and declared afresh on the node the caller reconnects to: the replies that
were in flight are lost (the caller times out and retries with its idempotency key), nothing else.
Reply queues are never quorum queues (a reply is worth nothing once its caller is gone).

:func:`transient_reply_queues` patches nameko's ``ReplyListener.setup`` once; the suite's entry
points, runner and commands call it on import.
"""
from __future__ import annotations

_patched = False


def transient_reply_queues() -> None:
    global _patched
    if _patched:
        return
    import uuid

    from kombu import Queue
    from nameko import rpc as nameko_rpc

    def setup(self):  # nameko's ReplyListener.setup, with durable=False
        reply_queue_uuid = uuid.uuid4()
        queue_name = nameko_rpc.RPC_REPLY_QUEUE_TEMPLATE.format(self.container.service_name,
                                                                reply_queue_uuid)
        self.routing_key = str(reply_queue_uuid)
        self.queue = Queue(queue_name, exchange=nameko_rpc.get_rpc_exchange(self.container.config),
                           routing_key=self.routing_key, durable=False,
                           queue_arguments={"x-expires": nameko_rpc.RPC_REPLY_QUEUE_TTL})
        self.queue_consumer.register_provider(self)

    nameko_rpc.ReplyListener.setup = setup
    _patched = True
