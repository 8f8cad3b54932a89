package i18n

import (
	"strconv"
	"sync"
	"time"
)

// French returns the French catalogue, loaded once and shared: for the few
// texts produced outside a request (a revision's default note, the text a
// page block stands for in the search index) and for helpers that have no
// catalogue at hand. It panics if the embedded catalogue is broken, which
// the package's tests rule out.
var French = sync.OnceValue(func() *Catalog { return MustLoad("fr") })

// Month returns the name of a month ("mars").
func (c *Catalog) Month(m time.Month) string { return c.T("date.month." + strconv.Itoa(int(m))) }

// Weekday returns the name of a day of the week ("mardi").
func (c *Catalog) Weekday(d time.Weekday) string { return c.T("date.weekday." + strconv.Itoa(int(d))) }

// Date writes a day in full, as the language does ("mardi 18 mars 2025",
// "dimanche 1er mars 2026"). t is already in the zone it is shown in.
func (c *Catalog) Date(t time.Time) string {
	day := strconv.Itoa(t.Day())
	if t.Day() == 1 {
		day = c.T("date.first_day")
	}
	return c.T("date.long", c.Weekday(t.Weekday()), day, c.Month(t.Month()), t.Year())
}

// DateTime is Date with the time of day ("mardi 18 mars 2025 à 14:30").
func (c *Catalog) DateTime(t time.Time) string {
	return c.T("date.at", c.Date(t), t.Format("15:04"))
}
