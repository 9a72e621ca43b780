"""Cron expressions (croniter): validation and the next slot, in a time zone, stored in UTC.

Five fields as in crontab (minute hour day month weekday), `@hourly`-style nicknames, and an
optional sixth field of seconds (croniter's order: it comes last), e.g. `*/10 * * * * *`
fires every ten seconds. A schedule is read in `timezone` (IANA name, default UTC), so
`0 9 * * *` in Europe/Paris follows daylight saving time.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter

MAX_SCHEDULE_CHARS = 200


class ScheduleError(ValueError):
    """A schedule or time zone that cannot be used; `field` names the request field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def zone(name: str | None) -> tzinfo:
    """The IANA zone `name` (None: UTC)."""
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError("timezone", f"unknown time zone {name!r} (an IANA name such as 'Europe/Paris')") from None


def next_slot(schedule: str, timezone: str | None, after: datetime) -> datetime:
    """The first slot of `schedule` strictly after `after`, in UTC."""
    start = after.astimezone(zone(timezone))
    try:
        found = croniter(schedule, start).get_next(datetime)
    except (ValueError, KeyError, TypeError) as exc:  # croniter's errors are ValueErrors
        raise ScheduleError("schedule", f"{schedule!r} never fires: {exc}") from None
    return found.astimezone(UTC)


def check(schedule: str, timezone: str | None, now: datetime) -> datetime:
    """Refuse an expression croniter cannot read (or that never fires); returns its first slot."""
    if len(schedule) > MAX_SCHEDULE_CHARS:
        raise ScheduleError("schedule", f"longer than {MAX_SCHEDULE_CHARS} characters")
    zone(timezone)
    if not schedule.strip() or not croniter.is_valid(schedule):
        raise ScheduleError(
            "schedule",
            f"{schedule!r} is not a cron expression (five fields 'minute hour day month weekday', "
            "an optional sixth of seconds, or a nickname such as @hourly)",
        )
    return next_slot(schedule, timezone, now)


def following(schedule: str, timezone: str | None, after: datetime, end_time: datetime | None) -> datetime | None:
    """The next slot after `after`, or None when it falls past `end_time` (the cron is over)."""
    slot = next_slot(schedule, timezone, after)
    if end_time is not None and slot > end_time:
        return None
    return slot


__all__ = ["MAX_SCHEDULE_CHARS", "ScheduleError", "check", "following", "next_slot", "zone"]
