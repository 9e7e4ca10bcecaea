package search

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"glimpse/engine/wire"
)

// TestPageNumbersNeverOverflow: a page number near the int limit, in a
// page token or in ?page=, is "no such page", never a negative slice index.
func TestPageNumbersNeverOverflow(t *testing.T) {
	now := time.Now()
	store := newPageStore()
	rs := &resultSet{id: "aaaaaaaaaaaaaaaaaaaaaaaa", limit: 10, hits: make([]hit, 25), expires: now.Add(time.Hour)}
	store.put(rs, now)
	huge := strconv.Itoa(int(^uint(0) >> 1))
	tests := []struct {
		tok  string
		want bool
	}{
		{token(rs.id, 1), true},
		{token(rs.id, 3), true},
		{token(rs.id, 4), false},
		{rs.id + "-" + huge, false},
		{rs.id + "-922337203685477581", false},
	}
	for _, tt := range tests {
		if _, _, ok := store.get(tt.tok, now); ok != tt.want {
			t.Errorf("get(%s) ok = %v, want %v", tt.tok, ok, tt.want)
		}
	}

	s := New(Config{})
	defer s.Close()
	srv := ServeAPI(s, wire.NewMediaLinks("", nil, 0))
	for _, page := range []string{"1", "2", huge, "922337203685477581"} {
		t.Run("embed tasks page "+page, func(t *testing.T) {
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/v1.3/embed/tasks?page="+page, nil))
			if rec.Code != http.StatusOK {
				t.Errorf("page %s: status %d %s", page, rec.Code, rec.Body)
			}
		})
	}
}
