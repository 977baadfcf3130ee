""""Today" is the platform's date (CLOCK_TZ), whatever zone the host or container runs in."""
from datetime import date, datetime, timezone

import pytest

from services.common.clock import FixedClock, SystemClock, clock_from, platform_zone


def at(*utc):
    return lambda: datetime(*utc, tzinfo=timezone.utc)


def test_at_23_30_utc_it_is_already_tomorrow_in_beijing():
    clock = SystemClock(platform_zone("Asia/Shanghai"), now=at(2026, 11, 30, 23, 30))
    assert clock.today() == date(2026, 12, 1)
    assert clock.now() == datetime(2026, 11, 30, 23, 30)      # bookkeeping stays in UTC


def test_the_default_zone_is_beijing_and_a_configured_zone_is_obeyed():
    assert clock_from({}).zone.key == "Asia/Shanghai"
    utc = clock_from({"CLOCK_TZ": "UTC"})
    utc._now = at(2026, 11, 30, 23, 30)
    assert utc.today() == date(2026, 11, 30)


def test_clock_today_pins_the_date():
    assert clock_from({"CLOCK_TODAY": "2027-01-04", "CLOCK_TZ": "UTC"}).today() == date(2027, 1, 4)
    assert isinstance(clock_from({"CLOCK_TODAY": "2027-01-04"}), FixedClock)


def test_an_unknown_zone_stops_the_service_naming_it():
    with pytest.raises(ValueError, match="Mars/Olympus"):
        clock_from({"CLOCK_TZ": "Mars/Olympus"})


def test_a_bad_district_holidays_file_stops_the_service_at_start_naming_the_entry(tmp_path):
    from types import SimpleNamespace

    from services.common.calendar import HolidaysFileError, load_holidays
    from services.common.clock import Clock

    bad = tmp_path / "holidays.yaml"
    bad.write_text("2027:\n  notice: 国务院办公厅关于2027年部分节假日安排的通知\n"
                   "  holidays:\n    - {name: 春节, date: 2028-02-05}\n", encoding="utf-8")
    provider = Clock()
    provider.container = SimpleNamespace(config={"HOLIDAYS_PATH": str(bad)})
    try:
        with pytest.raises(HolidaysFileError, match="春节"):
            provider.setup()
    finally:
        load_holidays()            # the shipped file again, for the tests after this one
