// Reads a JSON array of iCalendar documents on stdin and prints, for each, its events as
// Mozilla ical.js (Thunderbird's parser) reads them: UID, SEQUENCE and every property a
// calendar app shows, so a test can check that a visible change raised SEQUENCE.
import ICAL from "ical.js";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const documents = JSON.parse(Buffer.concat(chunks).toString("utf8"));

const utc = (t) => t.convertToZone(ICAL.Timezone.utcTimezone).toString();

const read = (text) => {
  const root = new ICAL.Component(ICAL.parse(text));
  for (const vtimezone of root.getAllSubcomponents("vtimezone")) {
    ICAL.TimezoneService.register(new ICAL.Timezone(vtimezone));
  }
  return root.getAllSubcomponents("vevent").map((vevent) => {
    const event = new ICAL.Event(vevent);
    const text = (name) => {
      const value = vevent.getFirstPropertyValue(name);
      return value === null ? null : String(value);
    };
    return {
      uid: event.uid,
      sequence: event.sequence,
      shown: {
        status: text("status"),
        summary: event.summary,
        dtstart: utc(event.startDate),
        dtend: utc(event.endDate),
        location: event.location,
        description: event.description,
        url: text("url"),
      },
    };
  });
};

process.stdout.write(JSON.stringify(documents.map(read)));
