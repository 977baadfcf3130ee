"""The import command (导入法规): index folders of regulation markdown files.

    python -m services.library import [FOLDER ...] [--config config.yaml] [--index-dir DIR]

Without folders it indexes ``LIBRARY_CORPUS_DIR`` from the config.  Each malformed file is
reported as ``file:line: problem`` and skipped; the rest are indexed.  The index is written
where the service looks for it, keyed by the corpus's content hash, so a service started on
the same folders reuses it.  Exit status: 0 all indexed, 1 some files skipped, 2 nothing
indexed.
"""
import argparse
import sys
import time
import warnings

import yaml

from . import corpus as corpus_mod, index
from .settings import corpus_folders, resolve, setting


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m services.library")
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("import", help="index folders of regulation markdown files")
    command.add_argument("folders", nargs="*", help="folders of <ID>_<title>_<year>.md files")
    command.add_argument("--config", default="config.yaml")
    command.add_argument("--index-dir", help="where the index is kept (LIBRARY_INDEX_DIR)")
    args = parser.parse_args(argv)
    config = _config(args.config)
    folders = ([resolve(f) for f in args.folders] if args.folders else
               corpus_folders(setting(config, "LIBRARY_CORPUS_DIR")))
    index_dir = resolve(args.index_dir or setting(config, "LIBRARY_INDEX_DIR"))
    return run_import(folders, index_dir)


def run_import(folders, index_dir, out=sys.stdout, err=sys.stderr):
    corpus = corpus_mod.load(folders)
    for problem in corpus.problems:
        print(f"skipped {problem}", file=err)
    for regulation in corpus.regulations.values():
        print(f"{regulation.id}  {regulation.status}  {len(regulation.articles):>4} 条  "
              f"{regulation.title}", file=out)
    if not corpus.regulations:
        print("nothing to index", file=err)
        return 2
    started = time.perf_counter()
    ix, built = index.open_or_build(corpus, index_dir)
    ix.close()
    print(f"{len(corpus.regulations)} regulations, "
          f"{sum(len(r.articles) for r in corpus.regulations.values())} articles: index "
          f"{'built' if built else 'unchanged'} in {time.perf_counter() - started:.1f}s at {index_dir}",
          file=out)
    return 1 if corpus.problems else 0


def _config(path):
    """config.yaml with its ${ENV:default} values resolved, as ``nameko run`` reads it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from nameko.cli.main import setup_yaml_parser
    setup_yaml_parser()
    try:
        with open(path, encoding="utf-8") as handle:
            return yaml.safe_load(handle) or {}
    except FileNotFoundError:
        return {}


if __name__ == "__main__":
    sys.exit(main())
