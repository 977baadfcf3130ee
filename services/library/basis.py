"""Legal bases (法律依据) of the rule book: every reference must name an article of the corpus.

The rule book is case's: the library asks for it at start-up (``case.rulebook_summary``, see
``services/common/startup_rpc.py``) and never reads its file.  Items and sanctions carry
``legal_basis: [{regulation: S01, article: 203}, …]``, and so do the reform section (以案促改)
and its tasks; :func:`check_rulebook` raises
:class:`BadReference` naming each one that resolves to no article (``items[0] SERVE
legal_basis[1] {regulation: S01, article: 2030}``), so a typo in the rule book stops the
library at start-up instead of showing an empty 依据 to a reviewer.
"""
import logging

from .corpus import check_references

log = logging.getLogger(__name__)


class BadReference(RuntimeError):
    """The rule book cites an article the corpus does not have."""


def references_in(book):
    """Every legal-basis reference of the rule book (as case serves it), with the entry that
    cites it: ``items[4] TREATMENT legal_basis[0]``, ``sanctions.party.留党察看 legal_basis[0]``."""
    for index, item in enumerate((book or {}).get("items") or ()):
        for number, ref in enumerate(item.get("legal_basis") or ()):
            yield f"items[{index}] {item.get('code')} legal_basis[{number}]", ref
    for sanction in (book or {}).get("sanctions") or ():
        for number, ref in enumerate(sanction.get("legal_basis") or ()):
            yield f"sanctions.{sanction.get('kind')}.{sanction.get('type')} legal_basis[{number}]", ref
    for index, rule in enumerate(((book or {}).get("restrictions") or {}).get("rules") or ()):
        for number, ref in enumerate(rule.get("legal_basis") or ()):
            yield f"restrictions.rules[{index}] {rule.get('purpose')} legal_basis[{number}]", ref
    reforms = (book or {}).get("reforms") or {}
    for number, ref in enumerate(reforms.get("legal_basis") or ()):
        yield f"reforms.legal_basis[{number}]", ref
    for index, task in enumerate(reforms.get("tasks") or ()):
        for number, ref in enumerate(task.get("legal_basis") or ()):
            yield f"reforms.tasks[{index}] {task.get('code')} legal_basis[{number}]", ref


def check_rulebook(corpus, book, source="case's rule book"):
    """Raise BadReference listing every legal-basis reference in ``book`` that names no article."""
    if book is None:
        return
    found = list(references_in(book))
    bad = {id(ref) for ref in check_references(corpus, [ref for _, ref in found])}
    problems = [f"{where} {{regulation: {ref.get('regulation')}, article: {ref.get('article')}}}"
                for where, ref in found if id(ref) in bad]
    if problems:
        raise BadReference(f"{source}: legal_basis names no article in the library: "
                           + "; ".join(problems))
    log.info("library: %d legal-basis references of the %s resolve", len(found), source)


def sanction_bases(book):
    """{(kind, type): [references]} from the rule book's sanctions (may be empty)."""
    return {(s.get("kind"), s.get("type")): list(s["legal_basis"])
            for s in (book or {}).get("sanctions") or () if s.get("legal_basis")}
