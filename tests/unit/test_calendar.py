from datetime import date

from services.common import calendar


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


def test_unknown_years_fall_back_to_weekdays(caplog):
    assert calendar.is_workday(date(2031, 1, 1))         # a Wednesday; holiday data unknown
    assert not calendar.is_workday(date(2031, 1, 4))     # Saturday
    assert "no official holiday data for 2031" in caplog.text


def test_working_day_arithmetic():
    assert calendar.add_workdays(date(2021, 2, 10), 1) == date(2021, 2, 18)
    assert calendar.add_workdays(date(2021, 2, 18), -1) == date(2021, 2, 10)
    assert calendar.workdays_between(date(2021, 2, 10), date(2021, 2, 18)) == 1
    assert calendar.shift(date(2021, 1, 31), months=1, roll_to_workday=True) == date(2021, 3, 1)
    assert calendar.shift(date(2021, 1, 31), months=1) == date(2021, 2, 28)
