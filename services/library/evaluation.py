"""Search quality over the labelled relevance set (相关性评测): recall@k, success@k, MRR.

``recall@k`` is the share of a query's answers found in its first k hits, averaged over the
queries; ``success@k`` the share of queries with at least one answer there; ``MRR`` the mean
of 1/rank of the first answer (0 when none is in the first ``depth`` hits).
"""
from pathlib import Path

import yaml

RELEVANCE = Path(__file__).parent / "relevance.yaml"


def load_cases(path=RELEVANCE):
    cases = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return [{"q": case["q"], "answers": [str(a) for a in case["answers"]]} for case in cases]


def evaluate(ranked, cases, k=5, depth=20):
    """``ranked(query, depth)`` returns hit keys (``"P01:12"``) best first."""
    rows = []
    for case in cases:
        keys = list(ranked(case["q"], depth))
        answers = set(case["answers"])
        found = answers & set(keys[:k])
        first = next((i for i, key in enumerate(keys, 1) if key in answers), None)
        rows.append({"q": case["q"], "answers": case["answers"], "top": keys[:k],
                     "recall": len(found) / len(answers), "rank": first})
    count = len(rows) or 1
    return {
        "queries": len(rows),
        "recall": sum(r["recall"] for r in rows) / count,
        "success": sum(1 for r in rows if r["rank"] and r["rank"] <= k) / count,
        "mrr": sum(1 / r["rank"] for r in rows if r["rank"]) / count,
        "rows": rows,
    }


def library_ranker(library):
    """A ``ranked`` function over :class:`services.library.library.Library`."""
    def ranked(query, depth):
        items = library.search(query, per_page=min(depth, 50))["items"]
        return [f"{hit['regulation_id']}:{hit['article']}" for hit in items]
    return ranked
