import pytest
from ops_processes import dateline_environment


@pytest.fixture
def dateline_env():
    """The environment for a ``dateline`` subprocess working on the test database."""
    return dateline_environment()
