"""docker-compose.yml and the nginx config hang together (no Docker engine here to run them)."""

from __future__ import annotations

from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]


def test_compose_services_start_in_order_with_healthchecks() -> None:
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    services = compose["services"]
    for name in (
        "postgres",
        "redis",
        "app1",
        "app2",
        "nginx",
        "worker",
        "beat",
        "model",
        "migrate",
    ):
        assert name in services, name
    for name, service in services.items():
        for dependency in service.get("depends_on", {}):
            assert dependency in services, f"{name} depends on unknown {dependency}"
    for name in ("postgres", "redis", "app1", "app2", "nginx", "worker", "model"):
        assert "healthcheck" in services[name], f"{name} has no healthcheck"
    assert (
        services["app1"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    )
    gpu = services["model"]["deploy"]["resources"]["reservations"]["devices"][0]
    assert gpu["capabilities"] == ["gpu"]
    env = services["app1"]["environment"]
    assert env["KEFU_MODE"] == "scaled" and env["KEFU_REDIS_URL"].startswith("redis://")
    assert env["KEFU_MODEL_URL"].startswith("http://model:")


def test_nginx_upgrades_websockets_to_both_replicas() -> None:
    conf = (REPO / "deploy" / "nginx.conf").read_text()
    assert "server app1:8000" in conf and "server app2:8000" in conf
    assert "proxy_set_header Upgrade $http_upgrade" in conf
    assert "proxy_set_header Connection $connection_upgrade" in conf
    assert "proxy_read_timeout 3600s" in conf
