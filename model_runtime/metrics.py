"""Prometheus metrics of one engine, in a registry of its own (several engines, several tests).

Expose them with ``prometheus_client.generate_latest(metrics.registry)``; the server's
``/metrics`` does. Every name starts with ``kefu_model_``.
"""

from __future__ import annotations

import threading
import time
from collections import deque

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

_LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)
_TEMPERATURE_BUCKETS = (0.0001, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 1.0, 1.2, 1.5, 2.0)
_BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256)


class RuntimeMetrics:
    """The engine's instruments; safe to update from the worker thread."""

    # Tokens/s is averaged over this many seconds of decoding.
    THROUGHPUT_WINDOW_S = 10.0

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        r = self.registry
        self.queue_depth = Gauge(
            "kefu_model_queue_depth", "Requests waiting to join the batch.", registry=r
        )
        self.batch_size = Gauge(
            "kefu_model_batch_size", "Sequences in the running batch.", registry=r
        )
        self.batch_size_per_step = Histogram(
            "kefu_model_batch_size_per_step",
            "Batch size of each decoding step.",
            buckets=_BATCH_BUCKETS,
            registry=r,
        )
        self.time_to_first_token = Histogram(
            "kefu_model_time_to_first_token_seconds",
            "From submission to the first token.",
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.time_per_output_token = Histogram(
            "kefu_model_time_per_output_token_seconds",
            "Mean time between tokens after the first, per request.",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2),
            registry=r,
        )
        self.tokens_per_second = Gauge(
            "kefu_model_tokens_per_second",
            "Generated tokens per second, recent average.",
            registry=r,
        )
        self.generated_tokens = Counter(
            "kefu_model_generated_tokens", "Tokens generated.", registry=r
        )
        self.prompt_tokens = Counter("kefu_model_prompt_tokens", "Prompt tokens read.", registry=r)
        self.requests = Counter(
            "kefu_model_requests", "Finished requests by reason.", ["finish_reason"], registry=r
        )
        self.errors = Counter(
            "kefu_model_errors", "Requests refused or failed, by kind.", ["kind"], registry=r
        )
        self.temperature = Histogram(
            "kefu_model_sampling_temperature",
            "Temperature applied at each decoding step.",
            buckets=_TEMPERATURE_BUCKETS,
            registry=r,
        )
        self.response_cache = Counter(
            "kefu_model_response_cache", "Response cache lookups.", ["result"], registry=r
        )
        self.reloads = Counter("kefu_model_reloads", "Hot reloads completed.", registry=r)
        self._lock = threading.Lock()
        self._recent: deque[tuple[float, int]] = deque()

    def record_step(self, batch_size: int, temperatures: list[float]) -> None:
        """One decoding step that produced ``batch_size`` tokens."""
        now = time.monotonic()
        self.batch_size_per_step.observe(batch_size)
        self.generated_tokens.inc(batch_size)
        for t in temperatures:
            self.temperature.observe(t)
        with self._lock:
            self._recent.append((now, batch_size))
            while self._recent and self._recent[0][0] < now - self.THROUGHPUT_WINDOW_S:
                self._recent.popleft()
            span = max(now - self._recent[0][0], 1e-3) if len(self._recent) > 1 else None
            produced = sum(n for _, n in self._recent)
        if span is not None:
            self.tokens_per_second.set(produced / span)

    def record_idle(self) -> None:
        """The batch emptied: nothing is being generated now."""
        with self._lock:
            self._recent.clear()
        self.tokens_per_second.set(0)
