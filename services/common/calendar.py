"""Working-day calendar (工作日历) and calendar-month arithmetic.  Plain Python, no nameko.

"1 month" is a calendar month: 2021-01-31 + 1 month = 2021-02-28 (clamped to the month
end), never 30 days.

A working day is one the official calendar does not give off.  Each year's arrangement comes
from the first of three sources that has it (``year_status`` says which one was used):

1. ``holidays_file``: the holidays file (``holidays.yaml`` beside this module, or the file
   named by ``HOLIDAYS_PATH``, or whatever ``load_holidays(path)`` was given).  A district
   enters a year there when the State Council publishes 《国务院办公厅关于X年部分节假日安排的
   通知》 before ``chinese_calendar`` has a release with it.  An entered year is the whole
   arrangement of that year.
2. ``chinese_calendar``: the package's data (holidays and make-up workdays, 调休 included).
3. ``statutory_rule``: for a year neither knows, the holidays are computed from
   《全国年节及纪念日放假办法》 (2024年11月10日第四次修订; corpus text L11):

   - 第二条: 元旦 1 day (1月1日); 春节 4 days (农历除夕、正月初一至初三); 清明节 1 day (the
     day of the 清明 solar term); 劳动节 2 days (5月1日、2日); 端午节 1 day (农历五月初五);
     中秋节 1 day (农历八月十五); 国庆节 3 days (10月1日至3日).  The half days of 第三条 and the
     local festivals of 第四条 are not holidays for everyone and are not counted.
   - 第六条: a holiday of 第二条 that falls on a Saturday or Sunday is made up (补假) on a
     working day; it is counted on the first working day(s) after that festival, which is
     where the State Council's notices have put it (checked against 2015–2026: right in every
     year but 2015, whose 中秋 make-up day went into 国庆).
   - 第七条: the 调休 that joins holidays into longer breaks is decided by each year's notice
     and cannot be computed, so none is counted: such a year is approximate, and
     ``year_status`` (shown by every service's ``health``) says its arrangement is not entered.

   Weekends are rest days.  The lunar dates and the 清明 term come from ``lunar_python``.  The
   fallback is logged once per year.
"""
import calendar as _stdlib_calendar
import logging
import os
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import chinese_calendar
import yaml
from lunar_python import Lunar

log = logging.getLogger(__name__)

SHIPPED_HOLIDAYS = Path(__file__).with_name("holidays.yaml")
HOLIDAYS_PATH_SETTING = "HOLIDAYS_PATH"      # environment variable naming a district's own file

SOURCE_FILE, SOURCE_PACKAGE, SOURCE_RULE = "holidays_file", "chinese_calendar", "statutory_rule"
NOTE_NOT_ENTERED = ("该年度国务院调休安排尚未录入，按《全国年节及纪念日放假办法》法定节日及周末计算"
                    "（节日适逢周六、周日的，按第六条在其后工作日补假）")
NOTE_PACKAGE = "该年度国务院节假日安排已录入（chinese_calendar 数据）"
NOTE_FILE = "该年度国务院节假日安排已录入（{notice}）"

_CC_YEARS = range(min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year + 1)
_ENTRY_KEYS = {"holidays": {"name", "date", "from", "to"}, "workdays": {"name", "date"}}
_YEAR_KEYS = {"notice", "document", "holidays", "workdays"}


class _Loader(yaml.SafeLoader):
    """YAML without implicit timestamps: dates stay text, so a wrong one (2027-02-30) is
    reported by ``_parse_date`` with its entry rather than by the YAML parser."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


class HolidaysFileError(ValueError):
    """A holidays file that cannot be used; ``str()`` names the file, the year and the entry."""


@dataclass(frozen=True)
class _Year:
    source: str
    holidays: dict          # date -> name: the days off
    workdays: dict          # date -> name: weekend days that are working days (调休)
    notice: str = ""


_file = None                # {year: _Year} from the holidays file, loaded on first use
_file_path = None
_years = {}                 # year -> _Year, every year looked at so far
_warned_years = set()


# -- the arrangements ---------------------------------------------------------------------
def load_holidays(path=None):
    """Read and check a holidays file and use it from now on: ``path``, else the file named by
    ``HOLIDAYS_PATH``, else the shipped ``holidays.yaml``.  Raises ``HolidaysFileError`` (and
    keeps what was in use) when the file is wrong.  Returns the years it enters."""
    global _file, _file_path
    path = Path(path or os.environ.get(HOLIDAYS_PATH_SETTING) or SHIPPED_HOLIDAYS)
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except (OSError, yaml.YAMLError) as exc:
        raise HolidaysFileError(f"{path}: cannot be read: {exc}") from exc
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise HolidaysFileError(f"{path}: expected a mapping from the year to its arrangement")
    entered = {}
    for key, entry in raw.items():
        year = _parse_year(path, key)
        if year in entered:
            raise HolidaysFileError(f"{path}: {year} is entered twice")
        entered[year] = _parse_year_entry(f"{path}: {year}", year, entry)
    _file, _file_path = entered, path
    _years.clear()
    return sorted(entered)


def _parse_year(path, key):
    if isinstance(key, bool) or not isinstance(key, (int, str)) or not str(key).isdigit() \
            or len(str(key)) != 4:
        raise HolidaysFileError(f"{path}: {key!r} is not a year (write it as 2027)")
    return int(key)


def _parse_year_entry(where, year, entry):
    if not isinstance(entry, dict):
        raise HolidaysFileError(f"{where}: expected notice, holidays and workdays")
    unknown = set(entry) - _YEAR_KEYS
    if unknown:
        raise HolidaysFileError(f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))}"
                                f" (expected {', '.join(sorted(_YEAR_KEYS))})")
    notice = entry.get("notice")
    if not isinstance(notice, str) or not notice.strip():
        raise HolidaysFileError(f"{where}: notice (the title of the State Council's notice) "
                                "is missing")
    if not isinstance(entry.get("document", ""), str):
        raise HolidaysFileError(f"{where}: document (the notice's number) should be text")
    holidays, workdays = {}, {}
    for kind, target in (("holidays", holidays), ("workdays", workdays)):
        rows = entry.get(kind) or []
        if not isinstance(rows, list):
            raise HolidaysFileError(f"{where} {kind}: expected a list")
        for index, row in enumerate(rows):
            for day, name in _parse_entry(f"{where} {kind}[{index}]", year, kind, row):
                if day in holidays or day in workdays:
                    raise HolidaysFileError(f"{where} {kind}[{index}] ({name}): {day} is "
                                            "entered twice")
                target[day] = name
    return _Year(SOURCE_FILE, holidays, workdays, notice.strip())


def _parse_entry(where, year, kind, row):
    """One ``{name, date}`` / ``{name, from, to}`` row → [(date, name)]."""
    if not isinstance(row, dict):
        raise HolidaysFileError(f"{where}: expected {{name: …, date: YYYY-MM-DD}}, got {row!r}")
    name = row.get("name")
    label = f"{where} ({name})" if name else where
    unknown = set(row) - _ENTRY_KEYS[kind]
    if unknown:
        raise HolidaysFileError(f"{label}: unknown key(s) {', '.join(sorted(map(str, unknown)))}")
    if not isinstance(name, str) or not name.strip():
        raise HolidaysFileError(f"{label}: name is missing")
    if "date" in row:
        if "from" in row or "to" in row:
            raise HolidaysFileError(f"{label}: give either date or from/to, not both")
        first = last = _parse_date(label, year, row["date"])
    elif "from" in row and "to" in row:
        first, last = _parse_date(label, year, row["from"]), _parse_date(label, year, row["to"])
        if last < first:
            raise HolidaysFileError(f"{label}: to {last} is before from {first}")
    else:
        raise HolidaysFileError(f"{label}: date (or from and to) is missing")
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    if kind == "workdays" and first.weekday() < 5:
        raise HolidaysFileError(f"{label}: {first} is a weekday; a make-up workday (调休上班) "
                                "is a Saturday or a Sunday")
    return [(day, name.strip()) for day in days]


def _parse_date(label, year, value):
    if isinstance(value, datetime) or not isinstance(value, (date, str)):
        raise HolidaysFileError(f"{label}: {value!r} is not a date (YYYY-MM-DD)")
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            raise HolidaysFileError(f"{label}: {value!r} is not a date (YYYY-MM-DD)") from None
    if value.year != year:
        raise HolidaysFileError(f"{label}: {value} is not in {year}")
    return value


def statutory_holidays(year: int) -> dict:
    """The days off of ``year`` by 《全国年节及纪念日放假办法》 alone (第二条, and 第六条's 补假),
    without the year's 调休: {date: name}, in date order."""
    spring = _solar(Lunar.fromYmd(year, 1, 1))
    festivals = [
        ("元旦", [date(year, 1, 1)]),
        ("春节", [spring + timedelta(days=n) for n in (-1, 0, 1, 2)]),   # 除夕 … 初三
        ("清明节", [_solar(Lunar.fromYmd(year, 1, 1).getJieQiTable()["清明"])]),
        ("劳动节", [date(year, 5, 1), date(year, 5, 2)]),
        ("端午节", [_solar(Lunar.fromYmd(year, 5, 5))]),
        ("中秋节", [_solar(Lunar.fromYmd(year, 8, 15))]),
        ("国庆节", [date(year, 10, n) for n in (1, 2, 3)]),
    ]
    days = {}
    for name, festival in festivals:
        for day in festival:
            days[day] = f"{days[day]}、{name}" if day in days else name
    for name, festival in sorted(festivals, key=lambda f: f[1][0]):
        owed = sum(1 for day in festival if day.weekday() >= 5)   # 第六条
        day = max(festival)
        while owed:
            day += timedelta(days=1)
            if day.weekday() < 5 and day not in days:
                days[day] = f"{name}（补假）"
                owed -= 1
    return dict(sorted(days.items()))


def _solar(lunar):
    solar = lunar.getSolar() if isinstance(lunar, Lunar) else lunar
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


def _year(year: int) -> _Year:
    """The arrangement of ``year``, built once and kept."""
    found = _years.get(year)
    if found is not None:
        return found
    if _file is None:
        load_holidays()
    if year in _file:
        found = _file[year]
    elif year in _CC_YEARS:
        found = _Year(SOURCE_PACKAGE,
                      {d: n for d, n in chinese_calendar.holidays.items() if d.year == year},
                      {d: n for d, n in chinese_calendar.workdays.items() if d.year == year})
    else:
        if year not in _warned_years:
            _warned_years.add(year)
            log.warning("no official holiday arrangement for %s (not in chinese_calendar nor in "
                        "%s): counting the statutory holidays of 全国年节及纪念日放假办法 and "
                        "weekends, without the year's 调休", year, _file_path)
        found = _Year(SOURCE_RULE, statutory_holidays(year), {})
    _years[year] = found
    return found


def year_status(year: int) -> dict:
    """Where ``year``'s working days come from, and whether its official arrangement is in."""
    found = _year(year)
    note = {SOURCE_PACKAGE: NOTE_PACKAGE, SOURCE_RULE: NOTE_NOT_ENTERED}.get(
        found.source) or NOTE_FILE.format(notice=found.notice)
    return {"year": year, "source": found.source,
            "arrangement_entered": found.source != SOURCE_RULE, "note": note}


def holidays_in(year: int) -> dict:
    """The days off of ``year`` other than ordinary weekends: {date: name}, in date order."""
    return dict(sorted(_year(year).holidays.items()))


# -- arithmetic -----------------------------------------------------------------------------
def add_months(day: date, months: int) -> date:
    """Calendar-month arithmetic, clamped to the last day of the target month."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = _stdlib_calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def is_workday(day: date) -> bool:
    if isinstance(day, datetime):
        day = day.date()
    arrangement = _years.get(day.year) or _year(day.year)
    if day in arrangement.workdays:
        return True
    return day.weekday() < 5 and day not in arrangement.holidays


def next_workday(day: date) -> date:
    """The day itself if it is a working day, else the first working day after it."""
    while not is_workday(day):
        day += timedelta(days=1)
    return day


def add_workdays(day: date, count: int) -> date:
    step = 1 if count >= 0 else -1
    remaining = abs(count)
    while remaining:
        day += timedelta(days=step)
        if is_workday(day):
            remaining -= 1
    return day


def shift(anchor: date, months=0, days=0, workdays=0, roll_to_workday=False) -> date:
    """``anchor`` moved by months, then days, then working days; optionally rolled forward
    to a working day (a deadline falling on a holiday moves to the next working day)."""
    day = add_months(anchor, months) + timedelta(days=days)
    if workdays:
        day = add_workdays(day, workdays)
    return next_workday(day) if roll_to_workday else day


def workdays_between(start: date, end: date) -> int:
    """Working days in (start, end]; negative when end is before start."""
    if end < start:
        return -workdays_between(end, start)
    return sum(1 for n in range(1, (end - start).days + 1) if is_workday(start + timedelta(days=n)))
