"""The floor every gateway figure is held against, on the same broker in the same run:
a raw AMQP request/reply with kombu, and a bare nameko RPC.

    python bench/floor.py echo-server AMQP_URI    # (internal) the raw AMQP echo responder
"""
import sys
import time
import uuid

from kombu import Connection, Consumer, Exchange, Producer, Queue

ECHO_QUEUE = "bench-echo"


def echo_server(amqp_uri):
    """Answers every message on ECHO_QUEUE to its reply_to queue, until killed."""
    with Connection(amqp_uri) as conn:
        channel = conn.channel()
        producer = Producer(channel)

        def on_message(body, message):
            producer.publish(body, routing_key=message.properties["reply_to"],
                             correlation_id=message.properties["correlation_id"])
            message.ack()

        queue = Queue(ECHO_QUEUE, Exchange(""), routing_key=ECHO_QUEUE, auto_delete=True)
        with Consumer(channel, [queue], callbacks=[on_message]):
            print("ready", flush=True)
            while True:
                conn.drain_events()


def amqp_roundtrips(amqp_uri, count):
    """Latencies (s) of ``count`` sequential request/replies through the echo server."""
    latencies = []
    with Connection(amqp_uri) as conn:
        channel = conn.channel()
        reply = Queue(f"bench-reply-{uuid.uuid4().hex}", exclusive=True, auto_delete=True)
        producer = Producer(channel)
        got = []
        with Consumer(channel, [reply], callbacks=[lambda body, msg: (got.append(body), msg.ack())]):
            for n in range(count):
                got.clear()
                start = time.perf_counter()
                producer.publish({"n": n}, routing_key=ECHO_QUEUE, reply_to=reply.name,
                                 correlation_id=str(n))
                while not got:
                    conn.drain_events(timeout=5)
                latencies.append(time.perf_counter() - start)
    return latencies


class PingService:
    """A bare nameko RPC: the floor for any nameko call."""
    name = "bench_ping"

    from nameko.rpc import rpc

    @rpc
    def ping(self, value=None):
        return value


if __name__ == "__main__" and sys.argv[1:2] == ["echo-server"]:
    echo_server(sys.argv[2])
