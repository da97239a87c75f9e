"""`gpu-year serve`: MkDocs' live-reload server around the same build as `gpu-year build`.

Unlike `mkdocs serve`, a failed rebuild (an invalid data edit, a template error) does not leave the
browser waiting: the error is reported and the last good site stays up until the input is fixed.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort
from mkdocs.livereload import LiveReloadServer

from generator import workdir

log = logging.getLogger("mkdocs.gpu-year.serve")


def serve(config_file: Path, dev_addr: str, open_in_browser: bool = False) -> None:
    """Serve a live preview on ``dev_addr`` until interrupted.

    The session works in a directory of its own (generated Markdown and the served site), so a
    ``gpu-year build`` at the same time cannot change what is served, nor the reverse.
    """
    with workdir.RunDir() as run:
        _serve(run, config_file, dev_addr, open_in_browser)


def _serve(run: workdir.RunDir, config_file: Path, dev_addr: str, open_in_browser: bool) -> None:
    site_dir = str(run.site)

    def get_config() -> Any:
        cfg = load_config(config_file=str(config_file), site_dir=site_dir, dev_addr=dev_addr)
        cfg.plugins["gpu-year"].config["build_dir"] = str(run.docs)
        cfg.extra["published"] = False  # links within the preview (overrides/main.html)
        return cfg

    config = get_config()
    config.plugins.on_startup(command="serve", dirty=False)
    host, port = config.dev_addr
    mount_path = urlsplit(config.site_url or "/").path
    serve_url = f"http://{host}:{port}{mount_path}"
    config.site_url = serve_url

    def builder(cfg: Any = None) -> None:
        try:
            if cfg is None:
                cfg = get_config()
                cfg.site_url = serve_url
            build(cfg, serve_url=serve_url)
        except Abort:
            # MkDocs has logged the reason; data and template errors stop the build before it
            # touches the site, so the previous one is still complete.
            log.error("Rebuild failed; still serving the last good site. Fix the input to rebuild.")
        except Exception as e:  # never let the server wait for a build that will not come
            log.error(
                f"Rebuild failed ({type(e).__name__}: {str(e)[:500]}); still serving the last "
                "good site. Fix the input to rebuild."
            )

    server = LiveReloadServer(
        builder=builder, host=host, port=port, root=site_dir, mount_path=mount_path
    )
    try:
        build(config, serve_url=serve_url)  # the first build must succeed
        server.watch(config.config_file_path)
        server = config.plugins.on_serve(server, config=config, builder=builder)
        for item in config.watch:
            server.watch(item)
        try:
            server.serve(open_in_browser=open_in_browser)
        except KeyboardInterrupt:
            log.info("Shutting down...")
        finally:
            server.shutdown()
    finally:
        config.plugins.on_shutdown()
