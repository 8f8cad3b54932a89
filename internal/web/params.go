package web

import (
	"net/http"
	"strconv"

	"portique/internal/db"
)

// pathID parses a numeric path parameter ({id}…); a forged or malformed id
// is a 404, never a 500.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, db.ErrNotFound
	}
	return id, nil
}
