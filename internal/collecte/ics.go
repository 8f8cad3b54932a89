package collecte

import (
	"fmt"
	"io"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"
)

// The subscription feeds: one per commune or sector and stream, and one
// with every stream. Each collection is an all-day event (VALUE=DATE, so it
// stays on its day in any time zone and across DST changes) carrying a
// reminder at 19:00 the evening before: TRIGGER -PT5H, relative to the
// start of the day in the phone's own time. Moves decided by the editors
// are already applied; cancelled collections are left out (a client that
// had them removes them at its next refresh, the UID being gone).

// AlarmTrigger rings the reminder five hours before the collection day
// begins: 19:00 the evening before.
const AlarmTrigger = "-PT5H"

// FeedRefresh is how often subscribed calendars are asked to refresh.
const FeedRefresh = "PT12H"

// FeedOptions are the feed's name and texts, written by the caller in the
// site's language (the domain holds no French).
type FeedOptions struct {
	Name        string                               // X-WR-CALNAME
	Summary     func(st Stream) string               // "Collecte : Emballages"
	Description func(c Collection, st Stream) string // moves, holidays, the stream's help
	Alarm       func(st Stream) string               // the reminder's text
	Host        string                               // the site's host name, for UIDs
	URL         string                               // the plan's public page (absolute)
}

// WriteICS writes, as RFC 5545, the collections of the plan for one stream
// (streamID) or every stream (0), stamped now.
func WriteICS(w io.Writer, plan Plan, streamID int64, now time.Time, opt FeedOptions) error {
	cal := ics.NewCalendarFor("Portique")
	cal.SetMethod(ics.MethodPublish)
	cal.SetCalscale("GREGORIAN")
	if opt.Name != "" {
		cal.SetName(opt.Name)
		// VALUE=TEXT: readers that keep unknown X- properties opaque unescape it.
		cal.SetXWRCalName(opt.Name, ics.WithValue(string(ics.ValueDataTypeText)))
	}
	cal.SetRefreshInterval(FeedRefresh)
	cal.SetXPublishedTTL(FeedRefresh)
	host := opt.Host
	if host == "" {
		host = "portique.invalid"
	}
	for _, c := range plan.Collections {
		if c.Cancelled() || (streamID != 0 && c.StreamID != streamID) {
			continue
		}
		st := plan.Stream(c.StreamID)
		uid := fmt.Sprintf("collecte-%d-%s-%d-%d@%s", c.ScheduleID, c.Original.Format("20060102"), plan.Commune.ID, plan.Sector.ID, host)
		e := cal.AddEvent(uid)
		e.SetDtStampTime(now)
		e.SetAllDayStartAt(c.Date)
		e.SetAllDayEndAt(c.Date.AddDate(0, 0, 1))
		e.SetTimeTransparency(ics.TransparencyTransparent)
		if opt.Summary != nil {
			e.SetSummary(oneLine(opt.Summary(st)))
		}
		if opt.Description != nil {
			if d := opt.Description(c, st); d != "" {
				e.SetDescription(strings.ReplaceAll(d, "\r", ""))
			}
		}
		e.AddCategory(oneLine(st.Name))
		if opt.URL != "" {
			e.SetURL(opt.URL)
		}
		al := e.AddAlarm()
		al.SetAction(ics.ActionDisplay)
		al.SetTrigger(AlarmTrigger)
		if opt.Alarm != nil {
			al.SetProperty(ics.ComponentPropertyDescription, oneLine(opt.Alarm(st)))
		}
	}
	return cal.SerializeTo(w, ics.WithNewLineWindows) // RFC 5545 lines end with CRLF
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
