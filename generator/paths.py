"""Where the checkout keeps its parts; every default path is resolved here, once."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
TEMPLATES = ROOT / "templates"
MKDOCS_YML = ROOT / "mkdocs.yml"
