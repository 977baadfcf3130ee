"""Where the library finds its data, from config (``LIBRARY_CORPUS_DIR`` …) with defaults.

Relative paths are taken from the working directory if they exist there, else from the
project root, so ``nameko run`` and the import command work from anywhere in the checkout.
"""
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULTS = {"LIBRARY_CORPUS_DIR": "services/library/corpus",
            "LIBRARY_INDEX_DIR": "var/library-index",
            "LIBRARY_TEMPLATE_DIR": "services/library/templates"}


def setting(config, key):
    return config.get(key) or DEFAULTS[key]


def resolve(value):
    """A configured path: as given if absolute or present, else under the project root."""
    path = Path(str(value))
    return path if path.is_absolute() or path.exists() else ROOT / path


def corpus_folders(value):
    """``LIBRARY_CORPUS_DIR``: one folder, several separated by ``:``, or a YAML list."""
    parts = value if isinstance(value, (list, tuple)) else str(value).split(":")
    return [resolve(part) for part in parts if str(part).strip()]
