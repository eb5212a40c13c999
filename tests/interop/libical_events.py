"""Reads an iCalendar document on stdin and prints its events' instants as JSON, the way
libical (Evolution, GNOME Calendar) reads them. Runs under the system python3 with Debian's
gir1.2-ical-3.0 and python3-gi (not the project's venv): ``/usr/bin/python3 libical_events.py``.
"""

import json
import sys

import gi

gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib  # noqa: E402

root = ICalGLib.Component.new_from_string(sys.stdin.read())
zones = {}
tz_comp = root.get_first_component(ICalGLib.ComponentKind.VTIMEZONE_COMPONENT)
while tz_comp is not None:
    zone = ICalGLib.Timezone.new()
    zone.set_component(tz_comp.clone())
    zones[zone.get_tzid()] = zone
    tz_comp = root.get_next_component(ICalGLib.ComponentKind.VTIMEZONE_COMPONENT)


def as_utc(prop_time, tzid):
    """Seconds since the epoch of a DTSTART/DTEND read in its own zone (libical's conversion)."""
    zone = zones[tzid] if tzid and not prop_time.is_utc() else ICalGLib.Timezone.get_utc_timezone()
    return int(prop_time.as_timet_with_zone(zone))


def tzid_of(event, kind):
    prop = event.get_first_property(kind)
    param = prop.get_first_parameter(ICalGLib.ParameterKind.TZID_PARAMETER)
    return param.get_tzid() if param is not None else None


events = []
event = root.get_first_component(ICalGLib.ComponentKind.VEVENT_COMPONENT)
while event is not None:
    start_tzid = tzid_of(event, ICalGLib.PropertyKind.DTSTART_PROPERTY)
    end_tzid = tzid_of(event, ICalGLib.PropertyKind.DTEND_PROPERTY)
    events.append(
        {
            "uid": event.get_uid(),
            "start_utc": as_utc(event.get_dtstart(), start_tzid),
            "end_utc": as_utc(event.get_dtend(), end_tzid),
        }
    )
    event = root.get_next_component(ICalGLib.ComponentKind.VEVENT_COMPONENT)
json.dump(events, sys.stdout)
