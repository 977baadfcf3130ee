"""Each service's migration history is one line: two revisions on the same parent (two
engineers adding one at once) would leave `upgrade head` ambiguous."""
import pytest
from alembic.script import ScriptDirectory

from services.common.migrate import SERVICES, alembic_config, present


@pytest.mark.parametrize("service", present())
def test_one_head_per_service(service):
    script = ScriptDirectory.from_config(alembic_config(service, "sqlite://"))
    assert len(script.get_heads()) == 1, f"{service} has several heads: {script.get_heads()}"
    assert SERVICES[service]
