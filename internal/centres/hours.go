package centres

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"portique/internal/search"
)

// Opening hours are written by editors as text, one rule a line, the way a
// notice on the gate reads:
//
//	Été du 01/03 au 31/10
//	lundi au vendredi : 9h-12h, 14h-18h
//	samedi : 9h-18h
//	Hiver du 01/11 au 28/02
//	lundi au vendredi : 9h-12h, 14h-17h
//	samedi : 9h-17h
//
// A season line (a name, then its first and last day as JJ/MM) starts a
// season; day lines before any season line apply all year. A day line names
// days (full or short names, lists with commas or "et", ranges with "au" or
// a dash) and, after a colon, time ranges ("9h-12h", "9h30 à 12h",
// "09:00-12:00", "24h" for midnight at the end of a day), or a word saying
// closed. Days a season does not name are closed; days outside every season
// are closed. Accents and case do not matter. The words (day names, "du",
// "au", "et", closed) come from the catalogue (Words), so no language is
// written in this file.
//
// Exceptional closures are written one a line too:
//
//	24/12/2026 : inventaire
//	du 02/01/2027 au 05/01/2027 : travaux
//
// The parsers never fail on any input other than by returning line errors
// (they are fuzzed).

// Words are the words of the hours' text, from the catalogue.
type Words struct {
	Weekdays [7]string // Monday first: lundi, mardi…
	Short    [7]string // lun, mar…
	Closed   []string  // fermé…
	From     string    // du
	To       string    // au
	And      string    // et
	AllYear  string    // toute l'année
	Yes      []string  // oui… (the CSV's holiday column)
}

// WordsFrom reads the words from the catalogue (t is i18n.Catalog.T):
// comma-separated lists under the keys centres.words.*.
func WordsFrom(t func(key string, args ...any) string) *Words {
	list := func(key string) []string {
		var out []string
		for _, s := range strings.Split(t(key), ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	w := &Words{Closed: list("centres.words.closed"), From: t("centres.words.from"), To: t("centres.words.to"),
		And: t("centres.words.and"), AllYear: t("centres.words.all_year"), Yes: list("centres.words.yes")}
	copy(w.Weekdays[:], list("centres.words.weekdays"))
	copy(w.Short[:], list("centres.words.weekdays_short"))
	return w
}

// Range is an opening of one day, in minutes after midnight; Close is at
// most 1440 (midnight at the end of the day) and after Open.
type Range struct{ Open, Close int }

// MonthDay is a day of the year (29/02 allowed).
type MonthDay struct {
	Month time.Month
	Day   int
}

func (md MonthDay) zero() bool { return md.Month == 0 }

// Season is a period of the year with its weekly hours. A season with zero
// From and To lasts all year. It may run over the new year (01/11 → 28/02).
type Season struct {
	Name     string
	From, To MonthDay
	Days     [7][]Range // by time.Weekday
}

// AllYear reports whether the season lasts all year.
func (s *Season) AllYear() bool { return s.From.zero() }

// Contains reports whether the calendar day of t is in the season.
func (s *Season) Contains(t time.Time) bool { return s.contains(t.Month(), t.Day()) }

// contains reports whether the day (month, day) is in the season.
func (s *Season) contains(m time.Month, d int) bool {
	if s.AllYear() {
		return true
	}
	k, from, to := int(m)*100+d, int(s.From.Month)*100+s.From.Day, int(s.To.Month)*100+s.To.Day
	if from <= to {
		return k >= from && k <= to
	}
	return k >= from || k <= to
}

// Schedule is a centre's regular hours.
type Schedule struct {
	Seasons []Season
}

// Empty reports whether the schedule opens at all.
func (s Schedule) Empty() bool {
	for _, se := range s.Seasons {
		for _, d := range se.Days {
			if len(d) > 0 {
				return false
			}
		}
	}
	return true
}

// Closure is an exceptional closure, whole days From to To included (dates
// at midnight UTC, as calendar days).
type Closure struct {
	From, To time.Time
	Reason   string
}

// LineError is what is wrong with one line of the hours or closures text:
// a catalogue key, its arguments (the line number first).
type LineError struct {
	Line int
	Key  string
	Args []any
}

// Limits of the texts.
const (
	maxLines   = 60
	maxSeasons = 6
	maxRanges  = 4
)

var (
	timeRangeRe = regexp.MustCompile(`(\d{1,2})(?:\s*(?:h|:)\s*(\d{2})?)?\s*(?:-|–|—|\ba\b)\s*(\d{1,2})(?:\s*(?:h|:)\s*(\d{2})?)?`)
	dayMonthRe  = regexp.MustCompile(`(\d{1,2})\s*/\s*(\d{1,2})`)
	dateRe      = regexp.MustCompile(`(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})`)
)

// fold is the comparison form of a line: search.Normalize (case, accents),
// typographic apostrophes made plain.
func fold(s string) string { return strings.TrimSpace(search.Normalize(s)) }

func lines(text string) []string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	return strings.Split(strings.ReplaceAll(text, "\r", "\n"), "\n")
}

// ParseSchedule reads the hours' text.
func ParseSchedule(text string, w *Words) (Schedule, []LineError) {
	var sch Schedule
	var errs []LineError
	ls := lines(text)
	if len(ls) > maxLines {
		return sch, []LineError{{Line: maxLines + 1, Key: "centres.hours.error.too_long", Args: []any{maxLines}}}
	}
	var cur *Season
	for i, raw := range ls {
		n := i + 1
		if !utf8.ValidString(raw) {
			raw = strings.ToValidUTF8(raw, "?")
		}
		line := fold(raw)
		if line == "" {
			continue
		}
		if days, rest, ok := w.dayPrefix(line); ok {
			if days == nil {
				errs = append(errs, LineError{n, "centres.hours.error.day", []any{n, rest}})
				continue
			}
			ranges, e := w.parseRanges(rest, n)
			if e != nil {
				errs = append(errs, *e)
				continue
			}
			if cur == nil {
				sch.Seasons = append(sch.Seasons, Season{})
				cur = &sch.Seasons[len(sch.Seasons)-1]
			}
			for _, d := range days {
				if cur.Days[d] != nil {
					errs = append(errs, LineError{n, "centres.hours.error.day_twice", []any{n, w.Weekdays[(int(d)+6)%7]}})
					continue
				}
				cur.Days[d] = ranges
				if cur.Days[d] == nil {
					cur.Days[d] = []Range{}
				}
			}
			continue
		}
		se, e := w.parseSeason(raw, line, n)
		if e != nil {
			errs = append(errs, *e)
			continue
		}
		if len(sch.Seasons) == maxSeasons {
			errs = append(errs, LineError{n, "centres.hours.error.seasons", []any{n, maxSeasons}})
			continue
		}
		sch.Seasons = append(sch.Seasons, se)
		cur = &sch.Seasons[len(sch.Seasons)-1]
	}
	// Drop the markers of days said closed (an empty, non-nil slice).
	for i := range sch.Seasons {
		for d := range sch.Seasons[i].Days {
			if len(sch.Seasons[i].Days[d]) == 0 {
				sch.Seasons[i].Days[d] = nil
			}
		}
	}
	if len(errs) == 0 {
		if e := overlappingSeasons(sch.Seasons); e != "" {
			errs = append(errs, LineError{0, "centres.hours.error.season_overlap", []any{e}})
		}
	}
	return sch, errs
}

// overlappingSeasons returns the name of a season that shares days with
// another, or "".
func overlappingSeasons(ss []Season) string {
	if len(ss) < 2 {
		return ""
	}
	var owner [13][32]int
	for i := range ss {
		for m := time.January; m <= time.December; m++ {
			for d := 1; d <= 31; d++ {
				if !validMonthDay(m, d) || !ss[i].contains(m, d) {
					continue
				}
				if owner[m][d] != 0 {
					return seasonLabel(&ss[i], i)
				}
				owner[m][d] = i + 1
			}
		}
	}
	return ""
}

func seasonLabel(s *Season, i int) string {
	if s.Name != "" {
		return s.Name
	}
	return strconv.Itoa(i + 1)
}

func validMonthDay(m time.Month, d int) bool {
	if m < time.January || m > time.December || d < 1 {
		return false
	}
	return d <= time.Date(2024, m+1, 0, 0, 0, 0, 0, time.UTC).Day() // 2024: a leap year
}

// weekday returns the weekday named by a folded word (full or short name,
// a trailing s allowed), or -1.
func (w *Words) weekday(word string) time.Weekday {
	word = strings.TrimSuffix(strings.TrimSuffix(word, "."), "s")
	for i := range 7 {
		if word == strings.TrimSuffix(fold(w.Weekdays[i]), "s") || word == fold(w.Short[i]) {
			return time.Weekday((i + 1) % 7)
		}
	}
	return -1
}

// dayPrefix recognises a day line: days (names, lists, ranges), an
// optional colon, the rest. ok is false when the line does not start with
// a day name; days is nil (and rest the word) when the days cannot be read.
func (w *Words) dayPrefix(line string) (days []time.Weekday, rest string, ok bool) {
	to, and := fold(w.To), fold(w.And)
	var out []time.Weekday
	seen := map[time.Weekday]bool{}
	add := func(d time.Weekday) {
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	expand := func(a, b time.Weekday) {
		// Monday-first order, wrapping (samedi au lundi).
		ia, ib := (int(a)+6)%7, (int(b)+6)%7
		for k := 0; k < 7; k++ {
			i := (ia + k) % 7
			add(time.Weekday((i + 1) % 7))
			if i == ib {
				break
			}
		}
	}
	pendingRange := false
	var last time.Weekday = -1
	i := 0
	for i < len(line) {
		// The next field: up to a space or a comma.
		for i < len(line) && (line[i] == ' ' || line[i] == ',' || line[i] == '\t') {
			i++
		}
		j := i
		for j < len(line) && line[j] != ' ' && line[j] != ',' && line[j] != '\t' && line[j] != ':' {
			j++
		}
		field := line[i:j]
		colon := j < len(line) && line[j] == ':'
		if field == "" && !colon {
			break
		}
		switch {
		case field == "":
		case field == and:
		case field == to || field == "-" || field == "–":
			pendingRange = true
		default:
			parts := strings.FieldsFunc(field, func(r rune) bool { return r == '-' || r == '–' })
			var ds []time.Weekday
			for _, p := range parts {
				d := w.weekday(p)
				if d < 0 {
					ds = nil
					break
				}
				ds = append(ds, d)
			}
			if len(ds) == 0 {
				if last < 0 {
					return nil, "", false // not a day line
				}
				if strings.ContainsFunc(field, unicode.IsDigit) || colon {
					if pendingRange {
						return nil, field, true
					}
					return out, strings.TrimSpace(line[i:]), true
				}
				for _, c := range w.Closed {
					if field == fold(c) {
						return out, strings.TrimSpace(line[i:]), true
					}
				}
				return nil, field, true // a word that is no day
			}
			for k, d := range ds {
				if (pendingRange || k > 0) && last >= 0 {
					expand(last, d)
				} else {
					add(d)
				}
				pendingRange = false
				last = d
			}
		}
		i = j
		if colon {
			if last < 0 {
				return nil, "", false
			}
			if pendingRange {
				return nil, field, true
			}
			return out, strings.TrimSpace(line[j+1:]), true
		}
	}
	if last < 0 {
		return nil, "", false
	}
	if pendingRange {
		return nil, line, true
	}
	return out, "", true
}

// parseRanges reads the time ranges of a day line (nil: closed).
func (w *Words) parseRanges(s string, n int) ([]Range, *LineError) {
	if s == "" {
		return nil, &LineError{n, "centres.hours.error.no_hours", []any{n}}
	}
	for _, c := range w.Closed {
		if s == fold(c) {
			return nil, nil
		}
	}
	var out []Range
	locs := timeRangeRe.FindAllStringSubmatchIndex(s, -1)
	last := 0
	and := fold(w.And)
	for _, loc := range locs {
		if gap := s[last:loc[0]]; !separators(gap, and) {
			return nil, &LineError{n, "centres.hours.error.time", []any{n, strings.TrimSpace(gap)}}
		}
		last = loc[1]
		num := func(i int) int {
			if loc[2*i] < 0 {
				return 0
			}
			v, _ := strconv.Atoi(s[loc[2*i]:loc[2*i+1]])
			return v
		}
		oh, om, ch, cm := num(1), num(2), num(3), num(4)
		if oh > 23 || om > 59 || ch > 24 || cm > 59 || (ch == 24 && cm > 0) {
			return nil, &LineError{n, "centres.hours.error.time", []any{n, s[loc[0]:loc[1]]}}
		}
		r := Range{Open: oh*60 + om, Close: ch*60 + cm}
		if r.Close <= r.Open {
			return nil, &LineError{n, "centres.hours.error.order", []any{n, s[loc[0]:loc[1]]}}
		}
		out = append(out, r)
	}
	if gap := s[last:]; !separators(gap, and) || len(out) == 0 {
		return nil, &LineError{n, "centres.hours.error.time", []any{n, strings.TrimSpace(gap)}}
	}
	if len(out) > maxRanges {
		return nil, &LineError{n, "centres.hours.error.ranges", []any{n, maxRanges}}
	}
	slices.SortFunc(out, func(a, b Range) int { return a.Open - b.Open })
	for i := 1; i < len(out); i++ {
		if out[i].Open < out[i-1].Close {
			return nil, &LineError{n, "centres.hours.error.overlap", []any{n}}
		}
	}
	return out, nil
}

// separators reports whether s holds only what may stand between two time
// ranges: spaces, commas, slashes, semicolons, "et".
func separators(s, and string) bool {
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == ',' || r == '/' || r == ';' || r == '+' }) {
		if f != and {
			return false
		}
	}
	return true
}

// parseSeason reads a season line: its name (from raw, as typed) and dates.
func (w *Words) parseSeason(raw, line string, n int) (Season, *LineError) {
	bare := strings.TrimSuffix(strings.TrimSpace(line), ":")
	if strings.TrimSpace(bare) == fold(w.AllYear) {
		return Season{}, nil
	}
	ms := dayMonthRe.FindAllStringSubmatch(line, -1)
	if len(ms) != 2 {
		return Season{}, &LineError{n, "centres.hours.error.line", []any{n, strings.TrimSpace(raw)}}
	}
	var mds [2]MonthDay
	for i, m := range ms {
		d, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		if !validMonthDay(time.Month(mo), d) {
			return Season{}, &LineError{n, "centres.hours.error.date", []any{n, m[0]}}
		}
		mds[i] = MonthDay{time.Month(mo), d}
	}
	name := raw
	if i := strings.IndexFunc(raw, unicode.IsDigit); i >= 0 {
		name = raw[:i]
	}
	name = strings.TrimSpace(strings.TrimRight(strings.TrimSpace(name), ":"))
	if f := strings.Fields(name); len(f) > 0 && fold(f[len(f)-1]) == fold(w.From) {
		name = strings.TrimSpace(strings.Join(f[:len(f)-1], " "))
	}
	if utf8.RuneCountInString(name) > 60 {
		name = string([]rune(name)[:60])
	}
	name = strings.Join(strings.Fields(name), " ")
	if f := strings.Fields(fold(name)); len(f) > 0 && w.weekday(strings.Trim(f[0], "-–,")) >= 0 {
		// "lundi du 01/03 au 31/10" would read as a day line once written back.
		return Season{}, &LineError{n, "centres.hours.error.season_name", []any{n, name}}
	}
	return Season{Name: name, From: mds[0], To: mds[1]}, nil
}

// ParseClosures reads the exceptional closures' text.
func ParseClosures(text string, w *Words) ([]Closure, []LineError) {
	var out []Closure
	var errs []LineError
	ls := lines(text)
	if len(ls) > maxLines {
		return nil, []LineError{{Line: maxLines + 1, Key: "centres.closures.error.too_long", Args: []any{maxLines}}}
	}
	for i, raw := range ls {
		n := i + 1
		if !utf8.ValidString(raw) {
			raw = strings.ToValidUTF8(raw, "?")
		}
		line := fold(raw)
		if line == "" {
			continue
		}
		head, reason := raw, ""
		if j := strings.Index(raw, ":"); j >= 0 {
			head, reason = raw[:j], strings.TrimSpace(raw[j+1:])
		}
		ds := dateRe.FindAllStringSubmatch(fold(head), -1)
		if len(ds) == 0 || len(ds) > 2 {
			errs = append(errs, LineError{n, "centres.closures.error.line", []any{n, strings.TrimSpace(raw)}})
			continue
		}
		var dates []time.Time
		bad := false
		for _, m := range ds {
			d, _ := strconv.Atoi(m[1])
			mo, _ := strconv.Atoi(m[2])
			y, _ := strconv.Atoi(m[3])
			t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC)
			if y < 2000 || y > 2200 || t.Day() != d || int(t.Month()) != mo {
				errs = append(errs, LineError{n, "centres.closures.error.date", []any{n, m[0]}})
				bad = true
				break
			}
			dates = append(dates, t)
		}
		if bad {
			continue
		}
		c := Closure{From: dates[0], To: dates[len(dates)-1], Reason: reason}
		if c.To.Before(c.From) {
			errs = append(errs, LineError{n, "centres.closures.error.order", []any{n}})
			continue
		}
		if c.To.Sub(c.From) > 366*24*time.Hour {
			errs = append(errs, LineError{n, "centres.closures.error.long", []any{n}})
			continue
		}
		if utf8.RuneCountInString(c.Reason) > 120 {
			c.Reason = string([]rune(c.Reason)[:120])
		}
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b Closure) int { return a.From.Compare(b.From) })
	return out, errs
}

// FormatTime writes minutes after midnight as the text reads them: 9h,
// 9h30, 24h.
func FormatTime(min int) string {
	if min%60 == 0 {
		return fmt.Sprintf("%dh", min/60)
	}
	return fmt.Sprintf("%dh%02d", min/60, min%60)
}

// FormatRanges writes a day's ranges: "9h-12h, 14h-18h".
func FormatRanges(rs []Range) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = FormatTime(r.Open) + "-" + FormatTime(r.Close)
	}
	return strings.Join(parts, ", ")
}

// DayGroup is a run of days with the same hours, Monday first.
type DayGroup struct {
	Days   []time.Weekday
	Ranges []Range
}

// Groups lists a season's open days, consecutive days with the same hours
// together, Monday first.
func (s *Season) Groups() []DayGroup {
	var out []DayGroup
	for i := 0; i < 7; i++ {
		d := time.Weekday((i + 1) % 7)
		rs := s.Days[d]
		if len(rs) == 0 {
			continue
		}
		if k := len(out) - 1; k >= 0 && slices.Equal(out[k].Ranges, rs) && out[k].Days[len(out[k].Days)-1] == time.Weekday(i%7) {
			out[k].Days = append(out[k].Days, d)
			continue
		}
		out = append(out, DayGroup{Days: []time.Weekday{d}, Ranges: rs})
	}
	return out
}

func (w *Words) dayName(d time.Weekday) string { return w.Weekdays[(int(d)+6)%7] }

// Format writes a schedule in the text ParseSchedule reads.
func (s Schedule) Format(w *Words) string {
	var b strings.Builder
	for i := range s.Seasons {
		se := &s.Seasons[i]
		switch {
		case !se.AllYear():
			name := se.Name
			if name != "" {
				name += " "
			}
			fmt.Fprintf(&b, "%s%s %02d/%02d %s %02d/%02d\n", name, w.From, se.From.Day, se.From.Month, w.To, se.To.Day, se.To.Month)
		case len(s.Seasons) > 1 || se.Name != "":
			b.WriteString(capitalize(w.AllYear) + "\n")
		}
		for _, g := range se.Groups() {
			var days string
			switch len(g.Days) {
			case 1:
				days = w.dayName(g.Days[0])
			case 2:
				days = w.dayName(g.Days[0]) + " " + w.And + " " + w.dayName(g.Days[1])
			default:
				days = w.dayName(g.Days[0]) + " " + w.To + " " + w.dayName(g.Days[len(g.Days)-1])
			}
			fmt.Fprintf(&b, "%s : %s\n", days, FormatRanges(g.Ranges))
		}
	}
	return strings.TrimSpace(b.String())
}

// FormatClosures writes closures in the text ParseClosures reads.
func FormatClosures(cs []Closure, w *Words) string {
	var b strings.Builder
	for _, c := range cs {
		if c.From.Equal(c.To) {
			b.WriteString(c.From.Format("02/01/2006"))
		} else {
			fmt.Fprintf(&b, "%s %s %s %s", w.From, c.From.Format("02/01/2006"), w.To, c.To.Format("02/01/2006"))
		}
		if c.Reason != "" {
			b.WriteString(" : " + c.Reason)
		}
		b.WriteByte('\n')
	}
	return strings.TrimSpace(b.String())
}

func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
