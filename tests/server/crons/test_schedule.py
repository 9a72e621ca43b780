"""Cron expressions: seconds as an optional sixth field, time zones with daylight saving,
end_time, and schedules that cannot be used are refused naming the field."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from server.crons.schedule import ScheduleError, check, following, next_slot

NOW = datetime(2026, 3, 28, 12, 0, 0, 500_000, tzinfo=UTC)  # the day before Europe's clocks go forward


def test_five_fields_are_minutes_and_a_sixth_is_seconds() -> None:
    assert next_slot("*/15 * * * *", None, NOW) == datetime(2026, 3, 28, 12, 15, tzinfo=UTC)
    assert next_slot("* * * * * */10", None, NOW) == datetime(2026, 3, 28, 12, 0, 10, tzinfo=UTC)
    assert next_slot("@daily", None, NOW) == datetime(2026, 3, 29, tzinfo=UTC)


def test_a_schedule_is_read_in_its_time_zone_across_daylight_saving() -> None:
    first = next_slot("0 9 * * *", "Europe/Paris", NOW)
    assert first == datetime(2026, 3, 29, 7, tzinfo=UTC)  # 09:00 CEST (UTC+2) on the 29th
    assert next_slot("0 9 * * *", "Europe/Paris", datetime(2026, 3, 27, 12, tzinfo=UTC)) == datetime(
        2026, 3, 28, 8, tzinfo=UTC  # 09:00 CET (UTC+1) the day before
    )


def test_no_slot_after_the_end_time() -> None:
    end = datetime(2026, 3, 28, 12, 10, tzinfo=UTC)
    assert following("*/5 * * * *", None, NOW, end) == datetime(2026, 3, 28, 12, 5, tzinfo=UTC)
    assert following("*/5 * * * *", None, datetime(2026, 3, 28, 12, 10, tzinfo=UTC), end) is None


@pytest.mark.parametrize(
    ("schedule", "timezone", "field"),
    [
        ("every minute", None, "schedule"),
        ("", None, "schedule"),
        ("61 * * * *", None, "schedule"),
        ("0 0 30 2 *", None, "schedule"),
        ("* " * 150, None, "schedule"),
        ("0 9 * * *", "Nowhere/Atlantis", "timezone"),
    ],
)
def test_unusable_schedules_name_the_field(schedule: str, timezone: str | None, field: str) -> None:
    with pytest.raises(ScheduleError) as caught:
        check(schedule, timezone, NOW)
    assert caught.value.field == field and caught.value.message
