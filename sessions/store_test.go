package sessions

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func newStore(t *testing.T, secrets ...string) *Store {
	t.Helper()
	var bs [][]byte
	for _, s := range secrets {
		bs = append(bs, []byte(s))
	}
	st, err := New(bs, nil)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// roundTrip saves a changed state and returns the cookie that carries it.
func roundTrip(t *testing.T, s *Store, r *http.Request, change func(*State)) *http.Cookie {
	t.Helper()
	change(s.Get(r))
	w := httptest.NewRecorder()
	if err := s.Save(w, r); err != nil {
		t.Fatal(err)
	}
	cs := w.Result().Cookies()
	if len(cs) != 1 {
		t.Fatalf("%d cookies set", len(cs))
	}
	return cs[0]
}

const secretA = "0123456789abcdef0123456789abcdef-a"
const secretB = "0123456789abcdef0123456789abcdef-b"

func TestCookieFlagsAndEncryption(t *testing.T) {
	tests := []struct {
		name       string
		tls        bool
		proto      string
		wantSecure bool
	}{
		{"plain http", false, "", false},
		{"https", true, "", true},
		{"behind an https proxy", false, "https", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t, secretA)
			r := httptest.NewRequest("GET", "/", nil)
			if tc.tls {
				r = httptest.NewRequest("GET", "https://example.com/", nil)
			}
			if tc.proto != "" {
				r.Header.Set("X-Forwarded-Proto", tc.proto)
			}
			c := roundTrip(t, s, r, func(st *State) { st.APIKey = "tlk_SECRET_KEY_123" })
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure != tc.wantSecure {
				t.Errorf("HttpOnly=%v SameSite=%v Secure=%v", c.HttpOnly, c.SameSite, c.Secure)
			}
			if strings.Contains(c.Value, "SECRET") {
				t.Error("the API key is readable in the cookie")
			}
		})
	}
}

func TestStateSurvivesAndRotationKeepsOldCookies(t *testing.T) {
	old := newStore(t, secretA)
	r := httptest.NewRequest("GET", "/", nil)
	c := roundTrip(t, old, r, func(st *State) {
		st.APIKey = "k-123456789"
		st.CurrentIndexID = "ix1"
		st.AddFlash("info", "hello")
	})
	id := old.Get(r).ID

	tests := []struct {
		name     string
		store    *Store
		wantSame bool
	}{
		{"same key", newStore(t, secretA), true},
		{"rotated, old key kept second", newStore(t, secretB, secretA), true},
		{"key retired", newStore(t, secretB), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r2 := httptest.NewRequest("GET", "/", nil)
			r2.AddCookie(c)
			st := tc.store.Get(r2)
			same := st.ID == id && st.APIKey == "k-123456789" && st.CurrentIndexID == "ix1"
			if same != tc.wantSame {
				t.Errorf("state kept = %v, want %v (%+v)", same, tc.wantSame, st)
			}
			if tc.wantSame {
				if f := st.TakeFlashes(); len(f) != 1 || f[0].Message != "hello" {
					t.Errorf("flashes %v", f)
				}
			}
			if st.CSRFToken == "" {
				t.Error("no CSRF token")
			}
		})
	}
}

func TestTamperedCookieStartsFresh(t *testing.T) {
	s := newStore(t, secretA)
	r := httptest.NewRequest("GET", "/", nil)
	c := roundTrip(t, s, r, func(st *State) { st.APIKey = "k-123456789" })
	c.Value = c.Value[:len(c.Value)-4] + "AAAA"
	r2 := httptest.NewRequest("GET", "/", nil)
	r2.AddCookie(c)
	if st := s.Get(r2); st.APIKey != "" || st.ID == "" {
		t.Errorf("tampered cookie accepted: %+v", st)
	}
}

func TestUnchangedStateWritesNoCookie(t *testing.T) {
	s := newStore(t, secretA)
	r := httptest.NewRequest("GET", "/", nil)
	c := roundTrip(t, s, r, func(st *State) {})
	r2 := httptest.NewRequest("GET", "/", nil)
	r2.AddCookie(c)
	s.Get(r2)
	w := httptest.NewRecorder()
	s.Save(w, r2)
	if len(w.Result().Cookies()) != 0 {
		t.Error("cookie rewritten though nothing changed")
	}
}

func TestSecretsFromEnvOrDataDir(t *testing.T) {
	dir := t.TempDir()
	first, err := LoadSecrets("", dir)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	again, _ := LoadSecrets("", dir)
	if len(first) != 1 || !bytes.Equal(first[0], again[0]) {
		t.Error("the generated key is not kept")
	}
	env, _ := LoadSecrets(secretA+", "+secretB, dir)
	if len(env) != 2 || string(env[0]) != secretA {
		t.Errorf("env secrets %q", env)
	}
	if _, err := New([][]byte{[]byte("short")}, nil); err == nil {
		t.Error("a short secret was accepted")
	}
}

func TestRecentTasksBounded(t *testing.T) {
	var st State
	for i := range MaxRecentTasks + 5 {
		st.AddRecentTask(string(rune('a' + i)))
	}
	st.AddRecentTask("c")
	if len(st.RecentTasks) != MaxRecentTasks || st.RecentTasks[0] != "c" {
		t.Errorf("recent %v", st.RecentTasks)
	}
	st.ForgetTask("c")
	for _, id := range st.RecentTasks {
		if id == "c" {
			t.Error("forgotten task still there")
		}
	}
}
