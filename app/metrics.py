"""Prometheus metrics of the app, in a registry of its own (several apps can share a process)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

TURN_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class AppMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.connections = Gauge(
            "kefu_ws_connections", "Open customer websocket connections", registry=self.registry
        )
        self.conversations_started = Counter(
            "kefu_conversations_started_total", "Conversations started", registry=self.registry
        )
        self.messages = Counter(
            "kefu_messages_total", "Messages stored, by role", ["role"], registry=self.registry
        )
        self.protocol_errors = Counter(
            "kefu_ws_errors_total", "Error frames sent, by code", ["code"], registry=self.registry
        )
        self.connections_refused = Counter(
            "kefu_ws_connections_refused_total",
            "Customer websockets refused because their address had too many open",
            registry=self.registry,
        )
        self.origin_refused = Counter(
            "kefu_origin_refused_total",
            "Customer-chat requests refused for their page's Origin, by surface",
            ["surface"],
            registry=self.registry,
        )
        self.turn_seconds = Histogram(
            "kefu_turn_seconds",
            "Bot turn latency from start of processing to reply stored, by stage",
            ["stage"],
            buckets=TURN_BUCKETS,
            registry=self.registry,
        )
        self.fallbacks = Counter(
            "kefu_nlu_fallbacks_total", "Turns answered with the fallback", registry=self.registry
        )
        self.silent_turns = Counter(
            "kefu_silent_turns_total",
            "Turns where the engine sent nothing and the app sent a fallback",
            registry=self.registry,
        )
        self.handoffs = Counter(
            "kefu_handoffs_total",
            "Conversations handed from the bot to the queue, by reason",
            ["reason"],
            registry=self.registry,
        )
        self.take_overs = Counter(
            "kefu_take_overs_total", "Conversations an agent took over", registry=self.registry
        )
        self.claims = Counter(
            "kefu_claims_total",
            "Fact-checked claims in knowledge answers, by status (contradicted: caught)",
            ["status"],
            registry=self.registry,
        )
        self.turn_failures = Counter(
            "kefu_turn_failures_total",
            "Turns that failed and sent an apology",
            registry=self.registry,
        )
