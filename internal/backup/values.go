package backup

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// The portable types of the archive's columns, and how a value of each is
// written in a row (JSON):
//
//	integer    a JSON number (64-bit, exact)
//	real       a JSON number
//	text       a JSON string
//	boolean    true or false (SQLite's 0/1 become booleans)
//	timestamp  a string, RFC 3339 with nanoseconds, in UTC
//	blob       a string, standard base64
//
// NULL is null whatever the type.
const (
	typeInteger   = "integer"
	typeReal      = "real"
	typeText      = "text"
	typeBoolean   = "boolean"
	typeTimestamp = "timestamp"
	typeBlob      = "blob"
)

// timeLayouts are the ways a timestamp may be spelt in a SQLite text column
// that the driver did not turn into a time (rows written by hand, or by a
// migration's literal), tried in order.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02",
}

func parseTime(s string) (time.Time, bool) {
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// encodeValue turns a value read from either engine into its portable JSON
// form for a column of type typ. SQLite's loose typing is tolerated (an
// integer in a text column is written as text); a value that cannot be
// represented is an error naming it.
func encodeValue(typ string, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch typ {
	case typeInteger:
		switch x := v.(type) {
		case int64:
			return x, nil
		case int32:
			return int64(x), nil
		case int:
			return int64(x), nil
		case bool:
			if x {
				return int64(1), nil
			}
			return int64(0), nil
		case float64:
			if x == float64(int64(x)) {
				return int64(x), nil
			}
		case string:
			if n, err := strconv.ParseInt(x, 10, 64); err == nil {
				return n, nil
			}
		case []byte:
			if n, err := strconv.ParseInt(string(x), 10, 64); err == nil {
				return n, nil
			}
		}
	case typeReal:
		switch x := v.(type) {
		case float64:
			return x, nil
		case float32:
			return float64(x), nil
		case int64:
			return float64(x), nil
		case string:
			if f, err := strconv.ParseFloat(x, 64); err == nil {
				return f, nil
			}
		case []byte:
			if f, err := strconv.ParseFloat(string(x), 64); err == nil {
				return f, nil
			}
		}
	case typeText:
		switch x := v.(type) {
		case string:
			return x, nil
		case []byte:
			return string(x), nil
		case int64:
			return strconv.FormatInt(x, 10), nil
		case float64:
			return strconv.FormatFloat(x, 'g', -1, 64), nil
		case bool:
			return strconv.FormatBool(x), nil
		case time.Time:
			return x.UTC().Format(time.RFC3339Nano), nil
		}
	case typeBoolean:
		switch x := v.(type) {
		case bool:
			return x, nil
		case int64:
			return x != 0, nil
		case string:
			if b, err := strconv.ParseBool(x); err == nil {
				return b, nil
			}
		}
	case typeTimestamp:
		switch x := v.(type) {
		case time.Time:
			return x.UTC().Format(time.RFC3339Nano), nil
		case string:
			if t, ok := parseTime(x); ok {
				return t.Format(time.RFC3339Nano), nil
			}
			return x, nil // kept as spelt; the restore says if it cannot read it
		case []byte:
			if t, ok := parseTime(string(x)); ok {
				return t.Format(time.RFC3339Nano), nil
			}
			return string(x), nil
		}
	case typeBlob:
		switch x := v.(type) {
		case []byte:
			return base64.StdEncoding.EncodeToString(x), nil
		case string:
			return base64.StdEncoding.EncodeToString([]byte(x)), nil
		}
	}
	return nil, fmt.Errorf("backup: a %T value in a %s column", v, typ)
}

// decodeValue turns a portable JSON value back into what the driver of the
// target takes for a column of type typ (the target's type: an integer
// column of one engine may be a boolean of the other's older schema, so 0/1
// and true/false cross over).
func decodeValue(typ string, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch typ {
	case typeInteger:
		switch x := v.(type) {
		case json.Number:
			return x.Int64()
		case bool:
			if x {
				return int64(1), nil
			}
			return int64(0), nil
		case string:
			return strconv.ParseInt(x, 10, 64)
		}
	case typeReal:
		switch x := v.(type) {
		case json.Number:
			return x.Float64()
		case string:
			return strconv.ParseFloat(x, 64)
		}
	case typeText:
		switch x := v.(type) {
		case string:
			return x, nil
		case json.Number:
			return x.String(), nil
		case bool:
			return strconv.FormatBool(x), nil
		}
	case typeBoolean:
		switch x := v.(type) {
		case bool:
			return x, nil
		case json.Number:
			n, err := x.Int64()
			return n != 0, err
		}
	case typeTimestamp:
		if s, ok := v.(string); ok {
			if t, ok := parseTime(s); ok {
				return t, nil
			}
		}
	case typeBlob:
		if s, ok := v.(string); ok {
			return base64.StdEncoding.DecodeString(s)
		}
	}
	return nil, fmt.Errorf("backup: cannot read %v as %s", v, typ)
}
