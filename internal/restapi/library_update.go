package restapi

import (
	"fmt"
	"net/http"

	"github.com/razmena/razmena/internal/httpserver"
	"github.com/razmena/razmena/internal/misp"
)

// libraryUpdateAnswer is MISP's save-success of a knowledge library's
// */update, with what the import changed (Razmena's addition): the
// counts, the files not loaded (errors) and the files the library lists
// but that are absent (missing).
type libraryUpdateAnswer struct {
	Saved   bool               `json:"saved"`
	Success bool               `json:"success"`
	Name    string             `json:"name"`
	Message string             `json:"message"`
	URL     string             `json:"url"`
	Result  misp.LibraryResult `json:"result"`
}

// writeLibraryUpdate answers a library update at url with msg and res.
func writeLibraryUpdate(w http.ResponseWriter, r *http.Request, url, msg string, res misp.LibraryResult) error {
	httpserver.WriteJSON(w, r, http.StatusOK, libraryUpdateAnswer{Saved: true, Success: true, Name: msg, Message: msg,
		URL: url, Result: res})
	return nil
}

// storedNothing folds into res an import error after which nothing was
// stored: the error is listed and nothing counts as added, updated or
// unchanged.
func storedNothing(res *misp.LibraryResult, err error) {
	res.Errors = append(res.Errors, err.Error())
	res.Added, res.Updated, res.Unchanged = 0, 0, 0
}

// updateMessage words MISP's message for a taxonomies or warninglists
// update: upToDate when nothing changed or failed, none when nothing could
// be updated, otherwise how many items (noun) were installed or updated
// and how many files failed.
func updateMessage(res misp.LibraryResult, upToDate, none, noun string) string {
	successes, fails := res.Added+res.Updated, len(res.Errors)
	switch {
	case successes == 0 && fails == 0:
		return upToDate
	case successes == 0:
		return none
	}
	msg := fmt.Sprintf("Successfully updated %d %s.", successes, noun)
	if fails > 0 {
		msg += fmt.Sprintf(" However, could not update %d %s.", fails, noun)
	}
	return msg
}
