"""Which web pages may talk to the customer chat: the widget Origin allowlist.

A browser sends the page's Origin with every websocket handshake and cross-site request.
Without a check any website could open ``/ws/chat`` and read a store's bot on the store's
behalf. ``KEFU_WIDGET_ORIGINS`` lists the sites that embed the widget
(``https://shop.example,https://www.shop.example``); the server's own pages and, unless the
list says otherwise, pages on this machine (``localhost``, ``127.0.0.1``) are allowed too.
A request without an Origin is no browser's: it is allowed (it carries no one's cookies).
``*`` allows every site.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = ["WidgetOrigins", "normalise_origin"]

_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
_LOOPBACK = frozenset({"localhost", "127.0.0.1", "[::1]", "::1"})


def normalise_origin(origin: str) -> str | None:
    """``scheme://host[:port]`` in lower case without a default port, or None when
    ``origin`` is not one (``null``, a path, garbage)."""
    try:
        parts = urlsplit(origin.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname or parts.path not in ("", "/"):
        return None
    host = parts.hostname.casefold()
    if ":" in host:
        host = f"[{host}]"
    if port is None or port == _DEFAULT_PORTS[parts.scheme]:
        return f"{parts.scheme}://{host}"
    return f"{parts.scheme}://{host}:{port}"


@dataclass(frozen=True, slots=True)
class WidgetOrigins:
    """The allowlist, read once from settings (``KEFU_WIDGET_ORIGINS``)."""

    listed: frozenset[str]
    any_origin: bool = False
    loopback: bool = True

    @classmethod
    def parse(cls, setting: str | None) -> WidgetOrigins:
        """From the comma-separated setting; raises ValueError naming a malformed entry."""
        items = [item.strip() for item in (setting or "").split(",") if item.strip()]
        if "*" in items:
            return cls(frozenset(), any_origin=True)
        listed = set()
        for item in items:
            origin = normalise_origin(item)
            if origin is None:
                raise ValueError(
                    f"KEFU_WIDGET_ORIGINS: {item!r} is not an origin like https://shop.example"
                )
            listed.add(origin)
        # An explicit list is the whole truth; unset, this machine's pages may embed it.
        return cls(frozenset(listed), loopback=not listed)

    def allows(self, origin: str | None, host: str | None) -> bool:
        """Whether a request from page ``origin`` to this server (``Host: host``) may use
        the customer chat."""
        if origin is None or self.any_origin:
            return True
        normal = normalise_origin(origin)
        if normal is None:
            return False
        if normal in self.listed:
            return True
        netloc = urlsplit(normal).netloc
        if host and netloc == _without_default_port(host.casefold(), normal):
            return True  # the server's own pages
        hostname = urlsplit(normal).hostname or ""
        return self.loopback and (hostname in _LOOPBACK or f"[{hostname}]" in _LOOPBACK)


def _without_default_port(host: str, origin: str) -> str:
    """``Host`` as the origin's netloc would read it (``shop.example:443`` -> ``shop.example``
    for an https origin)."""
    scheme = urlsplit(origin).scheme
    suffix = f":{_DEFAULT_PORTS.get(scheme)}"
    return host[: -len(suffix)] if host.endswith(suffix) else host
