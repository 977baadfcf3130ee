"""资料袋 search: index build time, query latency p50/p99 and relevance (recall@5, MRR) over the
labelled queries of services/library/relevance.yaml — beside SQLite FTS5 with the trigram
tokenizer on the same corpus and the same queries, in the same run.

    .venv/bin/python bench/bench_library.py [--rounds 20] [--no-rpc]

Targets (issue 5): p99 < 20 ms, recall@5 ≥ 0.9, better relevance than FTS5.  Search is timed
in-process on a fresh temporary index, and again through RabbitMQ: a ``nameko run`` of the
library service in a fresh vhost, called with a standalone RPC proxy (skip with --no-rpc).

The FTS5 baseline indexes the same articles (one row each) and asks, for each query, for any
of its character trigrams (``"留党察" OR "党察看" OR …``), ranked by FTS5's bm25(); trigram
matching cannot see words of one or two characters, which is the point of comparing.
"""
import argparse
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from services.library import analysis, corpus, evaluation, index  # noqa: E402
from services.library.library import Library  # noqa: E402

CORPUS = ROOT / "services/library/corpus"
HAN_RUN = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]+")


def pct(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def timed(fn, *args, **kwargs):
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - started


# -- ours ---------------------------------------------------------------------------------
def whoosh_side(cases, rounds, folder):
    _, jieba_load = timed(analysis.segmenter)
    loaded, parse = timed(corpus.load, [CORPUS])
    (ix, _), build = timed(index.open_or_build, loaded, folder)
    ix.close()
    (ix, built), reopen = timed(index.open_or_build, loaded, folder)
    assert not built
    ix.close()
    library = Library.open([CORPUS], folder)
    cold = [timed(library.search, case["q"])[1] for case in cases]   # first sight of each term
    warm = [timed(library.search, case["q"])[1] for _ in range(rounds) for case in cases]
    quality = evaluation.evaluate(evaluation.library_ranker(library), cases)
    plain = Library(library.corpus, index.Searcher(library.searcher.ix, synonyms={}))
    no_synonyms = evaluation.evaluate(evaluation.library_ranker(plain), cases)
    library.close()
    return {"jieba_load": jieba_load, "parse": parse, "build": build, "reopen": reopen,
            "cold": cold, "warm": warm, "quality": quality, "no_synonyms": no_synonyms,
            "docs": sum(len(r.articles) + bool(r.preamble) for r in loaded.regulations.values()),
            "regulations": len(loaded.regulations)}


# -- through RabbitMQ --------------------------------------------------------------------------
def rpc_side(cases, rounds, folder):
    """search() over RPC to a ``nameko run`` library service in a fresh vhost."""
    from nameko.exceptions import UnknownService
    from nameko.standalone.rpc import ClusterRpcProxy

    from bench.bench_registration import make_vhost, start_case

    client, vhost = make_vhost()
    amqp = f"pyamqp://guest:guest@127.0.0.1:5672/{vhost}"
    env = dict(os.environ, AMQP_URI=amqp, LIBRARY_INDEX_DIR=str(folder))
    case = start_case(env, tempfile.mkdtemp(prefix="bench-case-"))   # library checks the rule book's legal bases at start-up
    service = subprocess.Popen([str(ROOT / ".venv/bin/nameko"), "run", "--config", "config.yaml",
                                "services.library.service:LibraryService"], env=env, cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    actor = {"user_id": 1, "role": "reviewer", "unit_id": None}
    try:
        with ClusterRpcProxy({"AMQP_URI": amqp}, timeout=30) as cluster:
            for _ in range(120):                          # until the service has started
                try:
                    cluster.library.health()
                    break
                except UnknownService:
                    time.sleep(0.5)
            cold = [timed(cluster.library.search, actor, case["q"])[1] for case in cases]
            warm = [timed(cluster.library.search, actor, case["q"])[1]
                    for _ in range(rounds) for case in cases]
    finally:
        for proc in (service, case):
            proc.terminate()
            proc.wait(timeout=10)
        client.delete_vhost(vhost)
    return {"cold": cold, "warm": warm}


# -- SQLite FTS5, trigram tokenizer --------------------------------------------------------------
def fts5_side(cases, rounds):
    version = tuple(int(x) for x in sqlite3.sqlite_version.split("."))
    if version < (3, 34, 0):
        return {"skipped": f"SQLite {sqlite3.sqlite_version} has no trigram tokenizer (needs 3.34)"}
    loaded = corpus.load([CORPUS])
    db = sqlite3.connect(":memory:")
    started = time.perf_counter()
    db.execute("CREATE VIRTUAL TABLE article USING fts5(key UNINDEXED, title, chapter, body, "
               "tokenize='trigram')")
    db.executemany("INSERT INTO article VALUES (?, ?, ?, ?)",
                   [(f"{doc['regulation_id']}:{doc['number']}", doc["title"], doc["chapter"], doc["body"])
                    for doc in index.documents(loaded)])
    db.commit()
    build = time.perf_counter() - started

    def ranked(query, depth):
        grams = trigrams(query)
        if not grams:
            return []
        match = " OR ".join('"' + g + '"' for g in grams)
        rows = db.execute("SELECT key FROM article WHERE article MATCH ? ORDER BY bm25(article) LIMIT ?",
                          (match, depth)).fetchall()
        return [row[0] for row in rows]

    cold = [timed(ranked, case["q"], 10)[1] for case in cases]
    warm = [timed(ranked, case["q"], 10)[1] for _ in range(rounds) for case in cases]
    quality = evaluation.evaluate(ranked, cases)
    return {"build": build, "cold": cold, "warm": warm, "quality": quality}


def trigrams(query):
    grams = []
    for run in HAN_RUN.findall(query):
        grams += [run[i:i + 3] for i in range(len(run) - 2)]
    return list(dict.fromkeys(grams))


# -- report ----------------------------------------------------------------------------------
def free_text(quality, cases):
    """The same figures without the citation queries (政务处分法第八条 …), which FTS5 cannot parse."""
    cited = {case["q"] for case in cases if re.search(r"第.+条", case["q"])}
    rows = [row for row in quality["rows"] if row["q"] not in cited]
    count = len(rows) or 1
    return {"n": len(rows), "recall": sum(r["recall"] for r in rows) / count,
            "mrr": sum(1 / r["rank"] for r in rows if r["rank"]) / count}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20, help="warm passes over the queries")
    parser.add_argument("--no-rpc", action="store_true", help="skip the timing through RabbitMQ")
    args = parser.parse_args()
    cases = evaluation.load_cases()
    with tempfile.TemporaryDirectory() as folder:
        ours = whoosh_side(cases, args.rounds, folder)
        rpc = None if args.no_rpc else rpc_side(cases, args.rounds, folder)
    fts = fts5_side(cases, args.rounds)

    print(f"corpus: {ours['regulations']} regulations, {ours['docs']} articles; {len(cases)} labelled queries; "
          f"{args.rounds} warm rounds; SQLite {sqlite3.sqlite_version}")
    print(f"whoosh+jieba  index build {ours['build']:.2f} s (corpus parse {ours['parse']:.2f} s, "
          f"jieba dictionary load {ours['jieba_load']:.2f} s); "
          f"reopen unchanged {ours['reopen'] * 1000:.0f} ms")
    if "skipped" in fts:
        print("FTS5 trigram  " + fts["skipped"])
    else:
        print(f"FTS5 trigram  index build {fts['build']:.2f} s (in memory)")
    print()
    print(f"{'':16}{'p50 ms':>8}{'p99 ms':>8}{'cold p99':>10}{'recall@5':>10}{'success@5':>11}{'MRR':>7}"
          f"{'free-text recall@5/MRR':>25}")
    rows = [("whoosh+jieba", ours, ours["quality"]), ("  over RPC", rpc, None),
            ("  no synonyms", None, ours["no_synonyms"])]
    if "skipped" not in fts:
        rows.append(("FTS5 trigram", fts, fts["quality"]))
    for name, timing, quality in rows:
        if timing is None and quality is None:
            continue
        times = (f"{pct(timing['warm'], .5):8.2f}{pct(timing['warm'], .99):8.2f}"
                 f"{pct(timing['cold'], .99):10.2f}" if timing else " " * 26)
        if quality is None:
            print(f"{name:16}{times}{'(same ranking)':>20}")
            continue
        free = free_text(quality, cases)
        print(f"{name:16}{times}{quality['recall']:10.3f}{quality['success']:11.3f}{quality['mrr']:7.3f}"
              f"{free['recall']:>15.3f} / {free['mrr']:.3f}")
    p99 = pct(ours["warm"], .99)
    recall = ours["quality"]["recall"]
    verdict = [f"p99 {p99:.1f} ms {'<' if p99 < 20 else '≥'} 20 ms",
               f"recall@5 {recall:.3f} {'≥' if recall >= 0.9 else '<'} 0.9"]
    if "skipped" not in fts:
        better = recall > fts["quality"]["recall"] and ours["quality"]["mrr"] > fts["quality"]["mrr"]
        verdict.append(f"{'better' if better else 'NOT better'} than FTS5 on recall@5 and MRR")
    print("\ntargets: " + "; ".join(verdict))
    print(f"(warm latency spread: mean {statistics.mean(ours['warm']) * 1000:.2f} ms, "
          f"max {max(ours['warm']) * 1000:.2f} ms over {len(ours['warm'])} searches)")


if __name__ == "__main__":
    main()
