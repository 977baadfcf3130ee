"""A throw-away PostgreSQL database per benchmark run, on the machine's server (trust auth)."""
import uuid

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

PG_ADMIN = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"


def fresh_database(prefix="bench"):
    """``(name, url)`` of a new, empty database."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return name, PG_ADMIN.rsplit("/", 1)[0] + "/" + name


def drop_database(name):
    admin = create_engine(PG_ADMIN, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
