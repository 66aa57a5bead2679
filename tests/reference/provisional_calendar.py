"""Checks greenlane's provisional cn years against an independent reference.

`greenlane calendar provisional --year Y` computes a year's days off from the holiday rules
(《全国年节及纪念日放假办法》, 2024 revision, articles 2 and 6) and a table of lunar dates.
This script recomputes every year from 2025 to 2099 on its own: the lunar festivals with the
`lunardate` package (a table-based Chinese calendar of its own origin), 清明 with the
solar-term formula for the 21st century, and the make-up days (补假) with a separate
implementation of article 6. Any difference is reported with the year and the dates.

Usage: python provisional_calendar.py PATH_TO_GREENLANE_BINARY
Run by scripts/test.sh in a virtual environment that has `lunardate`.
"""

import datetime
import re
import subprocess
import sys

import lunardate

ENTRY = re.compile(r"date: (\d{4}-\d{2}-\d{2}), name: (\S+) \}")


def greenlane_year(binary, year):
    """The days off of `year` as greenlane prints them: {date: name}."""
    out = subprocess.run(
        [binary, "calendar", "provisional", "--year", str(year)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    if "kind: provisional" not in out or "work: []" not in out:
        raise AssertionError(f"{year}: not a provisional year without adjusted working days")
    return {datetime.date.fromisoformat(d): name for d, name in ENTRY.findall(out)}


def qingming(year):
    """The day of 清明 in April, by the 21st-century solar-term formula (C = 4.81)."""
    y = year % 100
    return datetime.date(year, 4, int(y * 0.2422 + 4.81) - y // 4)


def lunar(year, month, day):
    return lunardate.LunarDate(year, month, day).to_solar_date()


def expected_year(year):
    """The days off by articles 2 and 6, computed here without greenlane."""
    spring = lunar(year, 1, 1)
    one = datetime.timedelta(days=1)
    holidays = [
        ("元旦", [datetime.date(year, 1, 1)]),
        ("春节", [spring - one, spring, spring + one, spring + 2 * one]),
        ("清明节", [qingming(year)]),
        ("劳动节", [datetime.date(year, 5, 1), datetime.date(year, 5, 2)]),
        ("端午节", [lunar(year, 5, 5)]),
        ("中秋节", [lunar(year, 8, 15)]),
        ("国庆节", [datetime.date(year, 10, d) for d in (1, 2, 3)]),
    ]
    holidays.sort(key=lambda h: h[1][0])
    off = {}
    owed = []
    for name, days in holidays:
        lost = 0
        for day in days:
            if day.weekday() >= 5 or day in off:
                lost += 1
            off.setdefault(day, name)
        if lost:
            owed.append((name, days[-1], lost))
    for name, last, lost in owed:
        day = last
        for _ in range(lost):
            day += one
            while day.weekday() >= 5 or day in off:
                day += one
            off[day] = name
    return off


def main():
    binary = sys.argv[1]
    passed = failed = 0
    for year in range(2025, 2100):
        got = greenlane_year(binary, year)
        want = expected_year(year)
        if got == want:
            passed += 1
        else:
            failed += 1
            missing = sorted(set(want) - set(got))
            extra = sorted(set(got) - set(want))
            named = sorted(d for d in set(got) & set(want) if got[d] != want[d])
            print(f"{year}: missing {missing}, extra {extra}, other names {named}")
    print(f"provisional years checked against lunardate: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
