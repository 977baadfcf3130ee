"""Legal bases (法律依据) of the rule book: every reference must name an article of the corpus.

The case service's rule book (``RULEBOOK_PATH``) gives items and sanctions
``legal_basis: [{regulation: S01, article: 203}, …]``.  :func:`check_rulebook` walks the whole
YAML for such references and raises :class:`BadReference` naming each one that resolves to
no article, so a typo in the rule book stops the library at start-up instead of showing an
empty 依据 to a reviewer.
"""
import logging
from pathlib import Path

import yaml

from .corpus import check_references

log = logging.getLogger(__name__)


class BadReference(RuntimeError):
    """The rule book cites an article the corpus does not have."""


def references_in(tree, path="$"):
    """Every mapping with keys ``regulation`` and ``article`` in a parsed YAML tree, with where
    it was found (``$.items[0].legal_basis[1]``)."""
    if isinstance(tree, dict):
        if "regulation" in tree and "article" in tree:
            yield path, tree
        for key, value in tree.items():
            yield from references_in(value, f"{path}.{key}")
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            yield from references_in(value, f"{path}[{index}]")


def load_rulebook(path):
    """The parsed rule book, or None (logged) when there is no file at ``path``."""
    path = Path(path)
    if not path.is_file():
        log.warning("library: no rule book at %s; legal bases not checked", path)
        return None
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def check_rulebook(corpus, tree, source="rule book"):
    """Raise BadReference listing every legal-basis reference in ``tree`` that names no article."""
    if tree is None:
        return
    found = list(references_in(tree))
    bad = {id(ref) for ref in check_references(corpus, [ref for _, ref in found])}
    problems = [f"{where} {{regulation: {ref.get('regulation')}, article: {ref.get('article')}}}"
                for where, ref in found if id(ref) in bad]
    if problems:
        raise BadReference(f"{source}: legal_basis names no article in the library: "
                           + "; ".join(problems))
    log.info("library: %d legal-basis references of the %s resolve", len(found), source)


def sanction_bases(tree):
    """{(kind, type): [references]} from the rule book's ``sanctions`` section (may be empty)."""
    bases = {}
    sanctions = (tree or {}).get("sanctions") if isinstance(tree, dict) else None
    for kind, types in (sanctions or {}).items():
        for name, entry in (types or {}).items():
            if isinstance(entry, dict) and entry.get("legal_basis"):
                bases[(kind, name)] = list(entry["legal_basis"])
    return bases
