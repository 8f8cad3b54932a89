package collecte

import (
	"sync"
	"time"

	"github.com/rickar/cal/v2/fr"
)

// French public holidays come from rickar/cal (fr.Holidays: the eleven
// national holidays, Easter-based ones computed). They are not typed in
// every year: the editor only decides, once per holiday, what happens to
// the collections of that day.

var holidayYears sync.Map // year → map[civil date]name

// HolidayName returns the name of the French public holiday on day (a civil
// date), "" when it is not one.
func HolidayName(day time.Time) string {
	return holidaysOf(day.Year())[day]
}

func holidaysOf(year int) map[time.Time]string {
	if m, ok := holidayYears.Load(year); ok {
		return m.(map[time.Time]string)
	}
	m := make(map[time.Time]string, len(fr.Holidays))
	for _, h := range fr.Holidays {
		actual, _ := h.Calc(year)
		if actual.IsZero() {
			continue
		}
		y, mo, d := actual.Date()
		m[time.Date(y, mo, d, 0, 0, 0, 0, time.UTC)] = h.Name
	}
	holidayYears.Store(year, m)
	return m
}

// Holiday is a public holiday.
type Holiday struct {
	Day  time.Time
	Name string
}

// Holidays lists the public holidays in [from, to), in order.
func Holidays(from, to time.Time) []Holiday {
	var out []Holiday
	for d := from; d.Before(to); d = d.AddDate(0, 0, 1) {
		if n := HolidayName(d); n != "" {
			out = append(out, Holiday{Day: d, Name: n})
		}
	}
	return out
}
