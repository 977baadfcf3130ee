"""The rule book has one owner: no module outside services/case reads RULEBOOK_PATH, opens
rulebook.yaml or imports case's code.  The others ask case (services/common/startup_rpc.py)
or take what the events carry."""
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
    (re.compile(r"^\s*(?:from|import)\s+services\.case\b", re.M), "imports services.case"),
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
