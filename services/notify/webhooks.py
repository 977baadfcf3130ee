"""Webhook deliveries: signing, retry schedule, and the guard on where we may send.

Every delivery is JSON, signed with HMAC-SHA256 over ``"{timestamp}.{body}"`` with the
subscription's secret.  Headers a receiver reads:

    X-Platform-Delivery   the delivery id (stable across retries: drop duplicates by it)
    X-Platform-Event      the event type, e.g. deadline_overdue
    X-Platform-Timestamp  seconds since the epoch, as signed
    X-Platform-Signature  "sha256=" + hex HMAC
"""
import hashlib
import hmac
import ipaddress
import json
import random
import socket
from urllib.parse import urlparse

METADATA_HOSTS = {"metadata.google.internal", "metadata", "instance-data"}


class UnsafeUrl(ValueError):
    pass


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def envelope(delivery_id, event_type, payload, timestamp, secret):
    """(body bytes, headers) of one delivery."""
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
    return body, {"Content-Type": "application/json", "X-Platform-Delivery": delivery_id,
                  "X-Platform-Event": event_type, "X-Platform-Timestamp": str(timestamp),
                  "X-Platform-Signature": sign(secret, timestamp, body)}


def backoff_seconds(attempt, base, cap, rng=random.random):
    """Exponential backoff with full jitter: uniform in [0, min(cap, base·2^(attempt-1))]."""
    return rng() * min(cap, base * 2 ** (attempt - 1))


def check_url(url, allow_private=False, resolve=socket.getaddrinfo):
    """Refuse what is not http(s), and link-local, metadata (and private, unless allowed)
    targets — checked on every address the host name resolves to."""
    parts = urlparse(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeUrl("只接受 http 或 https 地址")
    host = parts.hostname.lower()
    if host in METADATA_HOSTS:
        raise UnsafeUrl("不允许指向云平台元数据地址")
    try:
        addresses = {info[4][0] for info in resolve(host, parts.port or 443)}
    except (socket.gaierror, UnicodeError):
        raise UnsafeUrl("无法解析该地址")
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if ip.is_link_local or ip.is_multicast or ip.is_unspecified or ip.is_reserved:
            raise UnsafeUrl("不允许指向链路本地或保留地址（含元数据服务 169.254.169.254）")
        if (ip.is_private or ip.is_loopback) and not allow_private:
            raise UnsafeUrl("不允许指向内网或本机地址")
    return url
