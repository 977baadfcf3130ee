"""Schema migrations (Alembic), one history per service.

    python -m services.common.migrate              # upgrade every service to head
    python -m services.common.migrate case gateway # only these
    python -m services.common.migrate --revision case "message"   # autogenerate

Database URLs come from config.yaml (``${ENV:default}`` resolved as nameko does).
Each service's ``migrations/env.py`` is three lines calling :func:`run_env`.
"""
import argparse
import sys
import warnings
from pathlib import Path

import yaml
from alembic import command
from alembic.config import Config

ROOT = Path(__file__).resolve().parents[2]
# service -> (config key of its database URL, folder holding its migrations)
# (The library keeps no SQL database: its index is rebuilt from the corpus.)
SERVICES = {
    "case": ("CASE_DB_URL", ROOT / "services/case/migrations"),
    "review": ("REVIEW_DB_URL", ROOT / "services/review/migrations"),
    "deadline": ("DEADLINE_DB_URL", ROOT / "services/deadline/migrations"),
    "notify": ("NOTIFY_DB_URL", ROOT / "services/notify/migrations"),
    "gateway": ("GATEWAY_DB_URL", ROOT / "gateway/migrations"),
}


def present():
    """Services whose migration history exists in this checkout."""
    return [name for name, (_, folder) in SERVICES.items() if (folder / "env.py").exists()]


def load_config(path=ROOT / "config.yaml"):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from nameko.cli.main import setup_yaml_parser
    setup_yaml_parser()
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def alembic_config(service, url):
    folder = SERVICES[service][1]
    cfg = Config()
    cfg.set_main_option("script_location", str(folder))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(service, url, revision="head"):
    if url.startswith("sqlite:///"):
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(service, url), revision)


def run_env(target_metadata):
    """Body of every migrations/env.py: online migrations against sqlalchemy.url."""
    from alembic import context
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    from .db import normalise_url

    url = normalise_url(context.config.get_main_option("sqlalchemy.url"))
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as connection:
        # batch mode lets SQLite apply ALTER TABLE changes by copying the table.
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=True, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default=str(ROOT / "config.yaml"))
    parser.add_argument("--revision", nargs=2, metavar=("SERVICE", "MESSAGE"))
    parser.add_argument("services", nargs="*")
    args = parser.parse_args(argv)
    config = load_config(args.config)
    if args.revision:
        service, message = args.revision
        cfg = alembic_config(service, config[SERVICES[service][0]])
        command.revision(cfg, message=message, autogenerate=True)
        return 0
    for service in args.services or present():
        url_key, _ = SERVICES[service]
        upgrade(service, config[url_key])
        print(f"migrated {service}")
    return 0


def create_failed_event_table(op):
    """The ``failed_event`` table of services/common/inbox.py, for a service's migration
    (written out here, not from the model, so the migration stays what it was)."""
    import sqlalchemy as sa
    op.create_table(
        "failed_event",
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("handler", sa.String(64), nullable=False),
        sa.Column("mark", sa.String(64), nullable=False),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("first_failed_at", sa.DateTime(), nullable=False),
        sa.Column("last_failed_at", sa.DateTime(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("event_id", "handler"))
    op.create_index("ix_failed_event_due", "failed_event", ["state", "next_attempt_at"])


if __name__ == "__main__":
    sys.exit(main())
