"""`cityguard serve`: the city posture dashboard over the store, in a browser."""

from __future__ import annotations

from pathlib import Path

import typer

from cityguard.cli._options import StoreOpt


def serve(
    bind: str = typer.Option("127.0.0.1:8080", "--bind", metavar="HOST:PORT",
                             help="Where to listen (beyond loopback: --cert and --key needed)."),
    cert: Path = typer.Option(None, "--cert", help="TLS certificate (PEM) for HTTPS."),
    key: Path = typer.Option(None, "--key", help="TLS private key (PEM)."),
    store: StoreOpt = None,
    lang: str = typer.Option("zh", "--lang", help="zh | en (this command's messages)"),
) -> None:
    """Serve the city posture dashboard (sign in with an account from `cityguard users add`)."""
    from cityguard.cli import console
    from cityguard.policy.messages import t
    from cityguard.store import describe
    from cityguard.web.config import ServeConfig, parse_bind, policy_from_env
    from cityguard.web.server import prepare, run

    host, port = parse_bind(bind)
    config = ServeConfig(store=store, host=host, port=port, cert=cert, key=key,
                         policy=policy_from_env())
    prepare(config)
    scheme = "https" if config.tls else "http"
    shown = f"[{host}]" if ":" in host else host
    console.success(t("serve.listening", lang, url=f"{scheme}://{shown}:{port}/",
                      store=describe(store)))
    run(config)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
