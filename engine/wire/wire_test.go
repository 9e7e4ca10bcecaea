package wire

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"testing"
)

// TestWriteError: an API error keeps its status and code even when a caller
// wrapped it with context; anything else is a 500 that does not leak its text.
func TestWriteError(t *testing.T) {
	for _, c := range []struct {
		name   string
		err    error
		status int
		code   string
	}{
		{"api error", NotFound("The video v does not exist."), 404, "resource_not_exist"},
		{"wrapped api error", fmt.Errorf("find video v: %w", NotFound("The video v does not exist.")), 404, "resource_not_exist"},
		{"other error", errors.New("disk /data/engine.db is full"), 500, "internal_error"},
	} {
		rec := httptest.NewRecorder()
		WriteError(rec, c.err)
		var body Error
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatalf("%s: %v in %s", c.name, err, rec.Body)
		}
		if rec.Code != c.status || body.Code != c.code || body.Message == "" {
			t.Errorf("%s: %d %s", c.name, rec.Code, rec.Body)
		}
		if c.status == 500 && body.Message == c.err.Error() {
			t.Errorf("%s: the internal error's text reached the client", c.name)
		}
	}
}
