"""Running the dashboard: the store migrated once (prepare), then uvicorn (run) on the
configured address (TLS when a certificate is given), until Ctrl-C or SIGTERM."""

from __future__ import annotations

from cityguard.store import open_store
from cityguard.web.app import create_app
from cityguard.web.auditlog import OK, apply_retention, record
from cityguard.web.config import ServeConfig, check_serve


def prepare(config: ServeConfig) -> int:
    """Check the settings, migrate the store, apply audit retention; the records removed."""
    check_serve(config)
    with open_store(config.store) as st:
        removed = apply_retention(st, config.policy.audit_retention_days)
        record(st, "cityguard", "", "serve.start", OK,
               target=f"{config.host}:{config.port}" + (" tls" if config.tls else ""),
               reason=f"audit retention {config.policy.audit_retention_days} days; "
                      f"{removed} older record(s) removed")
    return removed


def run(config: ServeConfig) -> None:
    """Serve until stopped (prepare() first)."""
    import uvicorn

    uvicorn.run(
        create_app(config), host=config.host, port=config.port,
        ssl_certfile=str(config.cert) if config.cert else None,
        ssl_keyfile=str(config.key) if config.key else None,
        log_level="warning", access_log=False, server_header=False, date_header=True,
        proxy_headers=False, lifespan="on", limit_concurrency=200, timeout_keep_alive=5,
    )
