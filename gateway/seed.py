"""First admin and the district's units, created only where absent (idempotent).

    python -m gateway.seed [--config config.yaml]

The admin password comes from ADMIN_PASSWORD.  Its default (shown by ``make run``) is in
the README for anyone to read, so the first admin is created with it only in demo mode
(``DEMO_MODE`` / PLATFORM_DEMO=1); otherwise seeding stops and says to set ADMIN_PASSWORD.
"""
import argparse
import os
import sys

from sqlalchemy.orm import Session

from services.common.db import make_engine
from services.common.migrate import load_config

from . import directory
from .auth import demo_mode

DEMO_ADMIN_PASSWORD = "admin-2026!"

# The district's units: 审理室, a few 主体责任部门, and the four partner departments.
DISTRICT_UNITS = [
    {"name": "东河区纪委监委案件审理室", "kind": "review", "partner_role": None},
    {"name": "东河区民政局", "kind": "responsible", "partner_role": None},
    {"name": "东河区教育局", "kind": "responsible", "partner_role": None},
    {"name": "东河区人民法院", "kind": "responsible", "partner_role": None},
    {"name": "东河区河东街道办事处", "kind": "responsible", "partner_role": None},
    {"name": "中共东河区委组织部", "kind": "partner", "partner_role": "organization"},
    {"name": "东河区人力资源和社会保障局", "kind": "partner", "partner_role": "hr"},
    {"name": "东河区财政局", "kind": "partner", "partner_role": "finance"},
    {"name": "中共东河区委统战部", "kind": "partner", "partner_role": "united_front"},
]


def seed(session, admin_password):
    existing = {unit.name for unit in directory.list_units(session)}
    created = [directory.create_unit(session, dict(u)) for u in DISTRICT_UNITS if u["name"] not in existing]
    if directory.find_user(session, "admin") is None:
        directory.create_user(session, {"username": "admin", "password": admin_password,
                                        "name": "系统管理员", "role": "admin", "unit_id": None})
    session.commit()
    return created


def main(argv=None):
    parser = argparse.ArgumentParser(description="create the first admin and the district's units")
    parser.add_argument("--config", default="config.yaml")
    args = parser.parse_args(argv)
    config = load_config(args.config)
    engine = make_engine(config["GATEWAY_DB_URL"])
    password = os.environ.get("ADMIN_PASSWORD") or DEMO_ADMIN_PASSWORD
    with Session(engine) as session:
        if (password == DEMO_ADMIN_PASSWORD and not demo_mode(config)
                and directory.find_user(session, "admin") is None):
            print("refusing to create the first admin with the demo password: set ADMIN_PASSWORD "
                  "(or PLATFORM_DEMO=1 for a local demo)", file=sys.stderr)
            return 2
        created = seed(session, password)
    print(f"seeded {len(created)} units; admin user present")
    return 0


if __name__ == "__main__":
    sys.exit(main())
