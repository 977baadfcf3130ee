import re
from datetime import date, timedelta

import pytest

from services.common import calendar


@pytest.fixture
def holidays_file(tmp_path):
    """Write a holidays file, load it; the shipped file is back in use after the test."""
    def write(text):
        path = tmp_path / "holidays.yaml"
        path.write_text(text, encoding="utf-8")
        return path
    yield write
    calendar.load_holidays(calendar.SHIPPED_HOLIDAYS)


def days(first, last):
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def test_calendar_months_clamp_to_the_month_end():
    assert calendar.add_months(date(2021, 1, 31), 1) == date(2021, 2, 28)
    assert calendar.add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert calendar.add_months(date(2021, 3, 31), -1) == date(2021, 2, 28)
    assert calendar.add_months(date(2021, 12, 15), 2) == date(2022, 2, 15)
    assert calendar.add_months(date(2021, 8, 31), 6) == date(2022, 2, 28)


def test_spring_festival_and_make_up_workdays():
    assert not calendar.is_workday(date(2021, 2, 12))    # 春节
    assert calendar.is_workday(date(2021, 2, 7))         # Sunday, 调休 workday
    assert calendar.is_workday(date(2021, 2, 20))        # Saturday, 调休 workday
    assert calendar.next_workday(date(2021, 2, 11)) == date(2021, 2, 18)


def test_working_day_arithmetic():
    assert calendar.add_workdays(date(2021, 2, 10), 1) == date(2021, 2, 18)
    assert calendar.add_workdays(date(2021, 2, 18), -1) == date(2021, 2, 10)
    assert calendar.workdays_between(date(2021, 2, 10), date(2021, 2, 18)) == 1
    assert calendar.shift(date(2021, 1, 31), months=1, roll_to_workday=True) == date(2021, 3, 1)
    assert calendar.shift(date(2021, 1, 31), months=1) == date(2021, 2, 28)


# -- a year chinese_calendar knows ------------------------------------------------------------
def test_a_year_in_chinese_calendar_uses_its_arrangement():
    assert all(not calendar.is_workday(d) for d in days(date(2025, 10, 1), date(2025, 10, 8)))
    assert calendar.is_workday(date(2025, 10, 11))       # Saturday, 调休 workday
    assert calendar.is_workday(date(2025, 9, 28))        # Sunday, 调休 workday
    assert calendar.year_status(2025) == {
        "year": 2025, "source": "chinese_calendar", "arrangement_entered": True,
        "note": calendar.NOTE_PACKAGE}


# -- 2027: computed from 《全国年节及纪念日放假办法》 --------------------------------------------
def test_new_years_day_2027_is_a_holiday_and_a_deadline_on_it_moves_to_monday():
    assert not calendar.is_workday(date(2027, 1, 1))     # a Friday
    assert calendar.shift(date(2027, 1, 1), roll_to_workday=True) == date(2027, 1, 4)
    assert calendar.shift(date(2026, 12, 1), months=1, roll_to_workday=True) == date(2027, 1, 4)


def test_spring_festival_2027_from_new_years_eve():
    holidays = calendar.holidays_in(2027)
    spring = days(date(2027, 2, 5), date(2027, 2, 8))    # 除夕 (Fri) … 初三 (Mon)
    assert all(holidays[d] == "春节" for d in spring)
    assert not any(calendar.is_workday(d) for d in spring)
    # 第六条: 初一 and 初二 fall on Saturday and Sunday, made up on the next working days
    assert holidays[date(2027, 2, 9)] == holidays[date(2027, 2, 10)] == "春节（补假）"
    assert calendar.next_workday(date(2027, 2, 5)) == date(2027, 2, 11)
    assert calendar.is_workday(date(2027, 2, 4))


def test_the_other_statutory_holidays_of_2027():
    holidays = calendar.holidays_in(2027)
    assert holidays[date(2027, 4, 5)] == "清明节"          # the day of the 清明 solar term
    assert holidays[date(2027, 5, 1)] == holidays[date(2027, 5, 2)] == "劳动节"
    assert holidays[date(2027, 5, 3)] == holidays[date(2027, 5, 4)] == "劳动节（补假）"
    assert holidays[date(2027, 6, 9)] == "端午节"          # 农历五月初五
    assert holidays[date(2027, 9, 15)] == "中秋节"         # 农历八月十五
    assert [holidays[date(2027, 10, n)] for n in (1, 2, 3)] == ["国庆节"] * 3
    assert holidays[date(2027, 10, 4)] == holidays[date(2027, 10, 5)] == "国庆节（补假）"
    assert len(holidays) == 19
    assert calendar.is_workday(date(2027, 10, 6)) and not calendar.is_workday(date(2027, 10, 9))
    assert calendar.workdays_between(date(2027, 4, 2), date(2027, 4, 6)) == 1


def test_the_rule_agrees_with_chinese_calendar_where_both_know():
    for year in (2025, 2026):
        for day in calendar.statutory_holidays(year):
            assert not calendar.is_workday(day), day


# -- a year nobody entered -------------------------------------------------------------------
def test_a_year_neither_source_knows_is_computed_and_said_to_be_approximate(caplog, monkeypatch):
    monkeypatch.setattr(calendar, "_warned_years", set())
    monkeypatch.setattr(calendar, "_years", {})
    assert not calendar.is_workday(date(2031, 1, 1))     # 元旦, a Wednesday
    assert not calendar.is_workday(date(2031, 1, 22))    # 除夕 (春节 2031: 1月23日)
    assert not calendar.is_workday(date(2031, 1, 27))    # 初三 is a Saturday: 补假 on Monday
    assert calendar.is_workday(date(2031, 1, 28))
    assert not calendar.is_workday(date(2031, 10, 1))    # 国庆节 and 中秋节 on one day
    assert calendar.holidays_in(2031)[date(2031, 10, 1)] == "中秋节、国庆节"
    assert not calendar.is_workday(date(2031, 1, 4))     # Saturday
    assert calendar.year_status(2031) == {
        "year": 2031, "source": "statutory_rule", "arrangement_entered": False,
        "note": calendar.NOTE_NOT_ENTERED}
    assert calendar.NOTE_NOT_ENTERED.startswith(
        "该年度国务院调休安排尚未录入，按《全国年节及纪念日放假办法》法定节日及周末计算")
    warnings = [r for r in caplog.records if "no official holiday arrangement for 2031" in r.message]
    assert len(warnings) == 1                            # once per year, however often asked


def test_the_shipped_holidays_file_enters_no_year():
    assert calendar.load_holidays(calendar.SHIPPED_HOLIDAYS) == []


# -- a district's holidays file ------------------------------------------------------------
FILE_2027 = """
2027:
  notice: 国务院办公厅关于2027年部分节假日安排的通知（测试数据）
  holidays:
    - {name: 元旦, from: 2027-01-01, to: 2027-01-03}
    - {name: 春节, from: 2027-02-05, to: 2027-02-12}
  workdays:
    - {name: 春节, date: 2027-02-20}
"2025":
  notice: 测试：覆盖2025年
  holidays:
    - {name: 国庆节, date: "2025-10-01"}
"""


def test_a_holidays_file_extends_and_overrides(holidays_file):
    assert calendar.load_holidays(holidays_file(FILE_2027)) == [2025, 2027]
    assert not calendar.is_workday(date(2027, 2, 11))    # entered
    assert calendar.is_workday(date(2027, 2, 20))        # Saturday, entered as 调休 workday
    assert calendar.is_workday(date(2027, 5, 3))         # the file is the whole year: no 补假
    assert calendar.year_status(2027) == {
        "year": 2027, "source": "holidays_file", "arrangement_entered": True,
        "note": "该年度国务院节假日安排已录入（国务院办公厅关于2027年部分节假日安排的通知（测试数据））"}
    assert calendar.year_status(2025)["source"] == "holidays_file"
    assert calendar.is_workday(date(2025, 10, 2))        # chinese_calendar no longer used for 2025
    assert calendar.year_status(2026)["source"] == "chinese_calendar"


def test_the_holidays_file_can_be_named_by_the_setting(holidays_file, monkeypatch):
    monkeypatch.setenv("HOLIDAYS_PATH", str(holidays_file(FILE_2027)))
    assert calendar.load_holidays() == [2025, 2027]


@pytest.mark.parametrize("text, error", [
    ("2027:\n  notice: 通知\n  holidays:\n    - {name: 春节, date: 2028-02-05}\n",
     "2027 holidays[0] (春节): 2028-02-05 is not in 2027"),
    ("2027:\n  notice: 通知\n  holidays:\n    - {name: 元旦, date: 2027-01-01}\n"
     "    - {name: 春节, date: 2027-02-30}\n",
     "2027 holidays[1] (春节): '2027-02-30' is not a date"),
    ("2027:\n  notice: 通知\n  holidays:\n    - {name: 春节, from: 2027-02-12, to: 2027-02-05}\n",
     "2027 holidays[0] (春节): to 2027-02-05 is before from 2027-02-12"),
    ("2027:\n  notice: 通知\n  workdays:\n    - {name: 春节, date: 2027-02-17}\n",
     "2027 workdays[0] (春节): 2027-02-17 is a weekday"),
    ("2027:\n  notice: 通知\n  holidays:\n    - {name: 元旦, from: 2027-01-01, to: 2027-01-03}\n"
     "  workdays:\n    - {name: 元旦, date: 2027-01-02}\n",
     "2027 workdays[0] (元旦): 2027-01-02 is entered twice"),
    ("2027:\n  notice: 通知\n  holidays:\n    - {date: 2027-01-01}\n",
     "2027 holidays[0]: name is missing"),
    ("2027:\n  holidays: []\n", "2027: notice"),
    ("2027:\n  notice: 通知\n  holiday: []\n", "2027: unknown key(s) holiday"),
    ("twenty:\n  notice: 通知\n", "'twenty' is not a year"),
], ids=["outside its year", "no such day", "range backwards", "make-up day on a weekday",
        "holiday and workday", "no name", "no notice", "misspelt key", "not a year"])
def test_a_bad_holidays_file_is_refused_naming_the_entry(holidays_file, text, error):
    before = calendar.year_status(2027)
    with pytest.raises(calendar.HolidaysFileError, match=re.escape(error)):
        calendar.load_holidays(holidays_file(text))
    assert calendar.year_status(2027) == before          # what was in use stays in use
