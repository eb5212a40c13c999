// Reads an iCalendar document on stdin and prints its events as JSON, the way Thunderbird's
// parser (Mozilla ical.js) understands them: each VTIMEZONE is registered first, as
// Thunderbird does, then every VEVENT's start and end are read in their own zone and in UTC.
import ICAL from "ical.js";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const root = new ICAL.Component(ICAL.parse(Buffer.concat(chunks).toString("utf8")));

for (const vtimezone of root.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(new ICAL.Timezone(vtimezone));
}

const pad = (n) => String(n).padStart(2, "0");
const wall = (t) =>
  `${t.year}-${pad(t.month)}-${pad(t.day)}T${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}`;
const utc = (t) => wall(t.convertToZone(ICAL.Timezone.utcTimezone)) + "Z";

const events = root.getAllSubcomponents("vevent").map((vevent) => {
  const event = new ICAL.Event(vevent);
  return {
    uid: event.uid,
    summary: event.summary,
    status: vevent.getFirstPropertyValue("status"),
    sequence: event.sequence,
    zone: event.startDate.zone ? event.startDate.zone.tzid : null,
    start_local: wall(event.startDate),
    end_local: wall(event.endDate),
    start_utc: utc(event.startDate),
    end_utc: utc(event.endDate),
  };
});
process.stdout.write(JSON.stringify(events));
