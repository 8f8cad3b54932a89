package calendar

import (
	"fmt"
	"time"

	"portique/internal/db"
)

// The views and feeds read thousands of times per request. On SQLite the
// driver turns a DATETIME column's text into a time.Time by trying layouts
// with time.Parse (two full parses per value, and a fixed zone allocated
// when the offset is not the machine's): about a quarter of the rows'
// reading time. timeCol and sqlTime let the hot queries read the text and
// parse the one layout the driver writes directly. PostgreSQL's
// TIMESTAMPTZ arrives as a time.Time already and is taken as it is.

// timeCol is the select-list expression for a time column read into a
// sqlTime: on SQLite a unary plus (a no-op on text) makes it an expression,
// which the driver hands over as text instead of parsing it by its declared
// type.
func timeCol(q db.Querier, col string) string {
	if q.Dialect() == db.SQLite {
		return "+" + col
	}
	return col
}

// sqlTime scans a time column selected with timeCol, as UTC.
type sqlTime time.Time

func (t *sqlTime) Scan(v any) error {
	switch x := v.(type) {
	case time.Time:
		*t = sqlTime(x.UTC())
		return nil
	case string:
		return t.parse(x)
	case []byte:
		return t.parse(string(x))
	}
	return fmt.Errorf("calendar: cannot scan %T into a time", v)
}

// parse reads "2006-01-02 15:04:05.999999999-07:00" (the driver's
// _time_format=sqlite, also with a T or a Z), and hands anything else to
// the layouts the driver itself accepts.
func (t *sqlTime) parse(s string) error {
	if v, ok := parseSQLiteTime(s); ok {
		*t = sqlTime(v)
		return nil
	}
	for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", "2006-01-02T15:04:05.999999999-07:00",
		"2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02",
		"2006-01-02 15:04:05.999999999 -0700 MST"} {
		if v, err := time.Parse(layout, trimZ(s)); err == nil {
			*t = sqlTime(v.UTC())
			return nil
		}
	}
	return fmt.Errorf("calendar: unreadable time %q", s)
}

func trimZ(s string) string {
	if len(s) > 0 && s[len(s)-1] == 'Z' {
		return s[:len(s)-1]
	}
	return s
}

// parseSQLiteTime parses YYYY-MM-DD[ T]hh:mm:ss[.fraction](±hh:mm|Z).
func parseSQLiteTime(s string) (time.Time, bool) {
	if len(s) < 20 || s[4] != '-' || s[7] != '-' || (s[10] != ' ' && s[10] != 'T') || s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	num := func(a, b int) (int, bool) {
		n := 0
		for i := a; i < b; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	y, ok1 := num(0, 4)
	mo, ok2 := num(5, 7)
	d, ok3 := num(8, 10)
	h, ok4 := num(11, 13)
	mi, ok5 := num(14, 16)
	sec, ok6 := num(17, 19)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59 {
		return time.Time{}, false
	}
	i, nsec := 19, 0
	if s[i] == '.' {
		i++
		digits := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			if digits < 9 {
				nsec = nsec*10 + int(s[i]-'0')
				digits++
			}
			i++
		}
		if digits == 0 {
			return time.Time{}, false
		}
		for ; digits < 9; digits++ {
			nsec *= 10
		}
	}
	offset := 0
	switch rest := s[i:]; {
	case rest == "Z":
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		oh, ok1 := num(i+1, i+3)
		om, ok2 := num(i+4, i+6)
		if !ok1 || !ok2 || oh > 23 || om > 59 {
			return time.Time{}, false
		}
		offset = oh*3600 + om*60
		if rest[0] == '-' {
			offset = -offset
		}
	default:
		return time.Time{}, false
	}
	v := time.Date(y, time.Month(mo), d, h, mi, sec, nsec, time.UTC)
	if v.Day() != d { // 31 April and the like: time.Parse refuses them
		return time.Time{}, false
	}
	return v.Add(-time.Duration(offset) * time.Second), true
}
