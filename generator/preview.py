"""`gpu-year serve`: MkDocs' live-reload server around the same build as `gpu-year build`.

Unlike `mkdocs serve`, a failed rebuild (an invalid data edit, a template error) does not leave the
browser waiting: the error is reported and the last good site stays up until the input is fixed.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort
from mkdocs.livereload import LiveReloadServer

log = logging.getLogger("mkdocs.gpu-year.serve")


def serve(config_file: Path, dev_addr: str, open_in_browser: bool = False) -> None:
    """Serve a live preview on ``dev_addr`` until interrupted."""
    site_dir = tempfile.mkdtemp(prefix="gpu-year-serve-")

    def get_config() -> Any:
        return load_config(config_file=str(config_file), site_dir=site_dir, dev_addr=dev_addr)

    config = get_config()
    config.plugins.on_startup(command="serve", dirty=False)
    host, port = config.dev_addr
    mount_path = urlsplit(config.site_url or "/").path
    serve_url = f"http://{host}:{port}{mount_path}"
    config.site_url = serve_url

    def builder(cfg: Any = None) -> None:
        if cfg is None:
            cfg = get_config()
            cfg.site_url = serve_url
        try:
            build(cfg, serve_url=serve_url)
        except Abort:
            # MkDocs has logged the reason; data and template errors stop the build before it
            # touches the site, so the previous one is still complete.
            log.error("Rebuild failed; still serving the last good site. Fix the input to rebuild.")

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
        shutil.rmtree(site_dir, ignore_errors=True)
