// Independent check of Portique's iCalendar output: parses a feed read from
// stdin with Mozilla's ical.js and prints, as JSON, every occurrence that
// starts in [argv[2], argv[3]) (ISO instants), with exceptions applied.
// Used by internal/calendar/ics_test.go; not shipped.
import ICAL from 'ical.js';

const from = ICAL.Time.fromJSDate(new Date(process.argv[2]), true);
const to = ICAL.Time.fromJSDate(new Date(process.argv[3]), true);

let input = '';
process.stdin.setEncoding('utf8');
for await (const chunk of process.stdin) input += chunk;

const root = new ICAL.Component(ICAL.parse(input));
for (const tz of root.getAllSubcomponents('vtimezone')) {
  ICAL.TimezoneService.register(tz);
}

const masters = new Map();
const exceptions = [];
for (const ve of root.getAllSubcomponents('vevent')) {
  const ev = new ICAL.Event(ve);
  if (ev.isRecurrenceException()) exceptions.push(ev);
  else masters.set(ev.uid, ev);
}
for (const ex of exceptions) {
  const m = masters.get(ex.uid);
  if (!m) throw new Error('exception without its series: ' + ex.uid);
  m.relateException(ex);
}

const out = [];
const props = (comp) => {
  const x = {};
  for (const p of comp.getAllProperties()) {
    if (p.name.startsWith('x-portique-')) x[p.name] = p.getFirstValue();
  }
  return x;
};
for (const ev of masters.values()) {
  const tzid = ev.startDate.timezone || (ev.startDate.zone && ev.startDate.zone.tzid) || '';
  const it = ev.iterator();
  let next;
  let guard = 0;
  while ((next = it.next()) && guard++ < 100000) {
    const d = ev.getOccurrenceDetails(next);
    if (d.startDate.compare(to) >= 0 && d.recurrenceId.compare(to) >= 0) break;
    if (d.startDate.compare(from) < 0 || d.startDate.compare(to) >= 0) continue;
    out.push({
      uid: ev.uid,
      summary: d.item.summary,
      location: d.item.location || '',
      start: d.startDate.toUnixTime(),
      end: d.endDate.toUnixTime(),
      local: d.startDate.toString(),
      allDay: d.startDate.isDate,
      tzid,
      x: props(d.item.component),
    });
    if (!ev.isRecurring()) break;
  }
}
out.sort((a, b) => a.start - b.start || a.summary.localeCompare(b.summary));
process.stdout.write(JSON.stringify(out));
