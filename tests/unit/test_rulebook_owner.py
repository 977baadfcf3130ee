"""The rule book has one owner: no module outside services/case reads RULEBOOK_PATH, opens
rulebook.yaml or imports case's code.  The others ask case (services/common/startup_rpc.py)
or take what the events carry.  One exception: case's wire-format modules, which describe what
crosses between case and its callers and reach no rule book: its schema modules
(``services.case.schemas``, ``…_schemas``, reused by the gateway's OpenAPI description), the
import workbook's columns (``import_format``, which the gateway reads and writes) and the
身份证号 check digit (``identity``)."""
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT / "services" / "case"
SOURCES = sorted(p for folder in ("services", "gateway") for p in (ROOT / folder).rglob("*.py")
                 if CASE not in p.parents)
FORBIDDEN = [
    (re.compile(r"RULEBOOK_PATH"), "reads RULEBOOK_PATH"),
    (re.compile(r"rulebook\.ya?ml"), "names case's rule-book file"),
    (re.compile(r"^\s*(?:from|import)\s+services\.case\b(?!\.(?:\w*schemas|import_format|identity)\b)", re.M),
     "imports services.case"),
    (re.compile(r"^\s*from\s+\.\.case\b", re.M), "imports case relatively"),
    (re.compile(r"""import_module\(\s*['"]services\.case"""), "imports services.case dynamically"),
]


def test_the_tree_is_scanned():
    names = {p.relative_to(ROOT).as_posix() for p in SOURCES}
    assert {"services/notify/service.py", "services/deadline/service.py", "services/library/service.py",
            "services/review/service.py", "gateway/service.py"} <= names


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_module_outside_case_reads_the_rule_book_or_imports_case(path):
    text = path.read_text(encoding="utf-8")
    problems = [f"{what}: line {text[:found.start()].count(chr(10)) + 1}"
                for pattern, what in FORBIDDEN for found in pattern.finditer(text)]
    assert problems == [], f"{path.relative_to(ROOT)}: " + "; ".join(problems)


WIRE_FORMAT = sorted([*CASE.glob("*schemas.py"), CASE / "import_format.py", CASE / "identity.py"])


@pytest.mark.parametrize("path", WIRE_FORMAT, ids=lambda p: p.name)
def test_case_schemas_that_others_may_import_reach_no_rule_book(path):
    """Case's schema modules import only the standard library, marshmallow, services.common and
    case's plain helpers (the 身份证号 check, other schema modules), never the rule book."""
    text = path.read_text(encoding="utf-8")
    relative = set(re.findall(r"^\s*from\s+\.(\w+)", text, re.M))
    absolute = {name for name in re.findall(r"^\s*(?:from|import)\s+([\w.]+)", text, re.M)
                if not name.startswith(".")}
    assert all(name == "identity" or name.endswith("schemas") for name in relative), relative
    assert not any(name.startswith("services.case") and not name.endswith("schemas") for name in absolute)
    assert not any(pattern.search(text) for pattern, _ in FORBIDDEN[:2])
    assert "rulebook" not in " ".join(relative | absolute)
