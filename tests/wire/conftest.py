from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def deliveries_dir(settings, tmp_path):
    """Raw deliveries of each test go to its own folder."""
    settings.DATELINE_DELIVERIES_DIR = tmp_path / "deliveries"
    return settings.DATELINE_DELIVERIES_DIR


@pytest.fixture
def fixture_bytes():
    return lambda name: (FIXTURES / name).read_bytes()
