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
# Shared address space (RFC 6598): the carrier's NAT, not ours; Python counts it neither
# private nor global, so it is named here and refused like a private address.
CARRIER_NAT = ipaddress.ip_network("100.64.0.0/10")
NAT64 = ipaddress.ip_network("64:ff9b::/96")      # an IPv4 address in IPv6 clothing


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
    try:
        parts = urlparse(url)
        port = parts.port          # ValueError past 65535 or not a number
    except ValueError:
        raise UnsafeUrl("网址无效（端口应为1至65535）")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeUrl("只接受 http 或 https 地址")
    if port == 0:
        raise UnsafeUrl("网址无效（端口应为1至65535）")
    host = parts.hostname.lower()
    if host in METADATA_HOSTS:
        raise UnsafeUrl("不允许指向云平台元数据地址")
    try:
        addresses = {info[4][0] for info in resolve(host, port or (443 if parts.scheme == "https" else 80))}
    except (socket.gaierror, UnicodeError, ValueError, OSError):
        raise UnsafeUrl("无法解析该地址")
    for address in addresses:
        ip = _unwrapped(ipaddress.ip_address(address.split("%")[0]))
        if ip.is_link_local or ip.is_multicast or ip.is_unspecified or ip.is_reserved:
            raise UnsafeUrl("不允许指向链路本地或保留地址（含元数据服务 169.254.169.254）")
        if ip.version == 4 and ip in CARRIER_NAT:
            raise UnsafeUrl("不允许指向运营商级NAT地址（100.64.0.0/10）")
        if (ip.is_private or ip.is_loopback) and not allow_private:
            raise UnsafeUrl("不允许指向内网或本机地址")
    return url


def _unwrapped(ip):
    """The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d) or NAT64 (64:ff9b::a.b.c.d)
    IPv6 address, which reaches that IPv4 host; any other address as it is."""
    if ip.version == 6:
        if ip.ipv4_mapped:
            return ip.ipv4_mapped
        if ip in NAT64:
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip
