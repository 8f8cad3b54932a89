// Independent check of the collection feeds: parses an iCalendar file read
// from stdin with Mozilla's ical.js and prints, as JSON, each event's
// summary, day, UID and the local wall time at which each of its alarms
// rings (a relative TRIGGER applied to the start of the all-day event, as
// a phone does in its own time zone). Used by ics_test.go; not shipped.
import ICAL from 'ical.js';

let input = '';
process.stdin.setEncoding('utf8');
for await (const chunk of process.stdin) input += chunk;

const root = new ICAL.Component(ICAL.parse(input));
const out = [];
for (const ve of root.getAllSubcomponents('vevent')) {
  const ev = new ICAL.Event(ve);
  const alarms = [];
  for (const va of ve.getAllSubcomponents('valarm')) {
    const trigger = va.getFirstPropertyValue('trigger');
    const at = ev.startDate.clone();
    at.isDate = false;
    at.addDuration(trigger);
    alarms.push({ action: va.getFirstPropertyValue('action'), at: at.toString(), text: va.getFirstPropertyValue('description') || '' });
  }
  out.push({
    uid: ev.uid,
    summary: ev.summary,
    day: ev.startDate.toString(),
    allDay: ev.startDate.isDate,
    end: ev.endDate.toString(),
    description: ev.description || '',
    alarms,
  });
}
out.sort((a, b) => a.day.localeCompare(b.day) || a.summary.localeCompare(b.summary));
process.stdout.write(JSON.stringify({ name: root.getFirstPropertyValue('x-wr-calname'), events: out }));
