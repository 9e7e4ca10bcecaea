package sessions

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	gorilla "github.com/gorilla/sessions"
)

// CookieName is the name of the session cookie.
const CookieName = "glimpse"

// MaxRecentTasks bounds RecentTasks so the cookie stays well under 4 KB.
const MaxRecentTasks = 12

// KeyFile is the file in the data directory that keeps the generated
// session secret when none comes from the environment.
const KeyFile = "session.key"

// Store is the cookie session store: an encrypted, authenticated cookie
// (gorilla/sessions over securecookie) holding a State.
type Store struct {
	cookies *gorilla.CookieStore
	log     *slog.Logger
}

type ctxKey struct{}

// loaded is the per-request cache: the state and its encoding at load time,
// so Save writes a cookie only when something changed.
type loaded struct {
	state    *State
	original []byte
	saved    bool
}

// New builds a store from secrets: the first one seals new cookies, the
// others still open cookies sealed before a rotation. Each secret must be at
// least 32 bytes.
func New(secrets [][]byte, log *slog.Logger) (*Store, error) {
	if len(secrets) == 0 {
		return nil, errors.New("sessions: no secret")
	}
	var pairs [][]byte
	for i, s := range secrets {
		if len(s) < 32 {
			return nil, fmt.Errorf("sessions: secret %d is %d bytes; at least 32 are needed", i+1, len(s))
		}
		// Separate keys for signing and encryption, derived from one secret.
		pairs = append(pairs, derive(s, "hash"), derive(s, "block"))
	}
	cs := gorilla.NewCookieStore(pairs...)
	// gorilla's defaults are Secure=true, SameSite=None, HttpOnly=false:
	// set all three (Secure per request, over https only).
	cs.Options = &gorilla.Options{
		Path:     "/",
		MaxAge:   30 * 24 * 3600,
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Store{cookies: cs, log: log}, nil
}

func derive(secret []byte, purpose string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("glimpse-session-" + purpose))
	return m.Sum(nil)
}

// LoadSecrets returns the session secrets: from env (comma-separated, each
// hex or base64 or plain text of at least 32 bytes) when set, else from
// dataDir/session.key, which is created with 32 random bytes and mode 0600
// on first use.
func LoadSecrets(env, dataDir string) ([][]byte, error) {
	if strings.TrimSpace(env) != "" {
		var out [][]byte
		for _, part := range strings.Split(env, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			out = append(out, decodeSecret(part))
		}
		return out, nil
	}
	path := filepath.Join(dataDir, KeyFile)
	b, err := os.ReadFile(path)
	if err == nil {
		return [][]byte{decodeSecret(strings.TrimSpace(string(b)))}, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("sessions: read key: %w", err)
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("sessions: %w", err)
	}
	secret := make([]byte, 32)
	rand.Read(secret)
	enc := hex.EncodeToString(secret)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) { // another process made it first
			return LoadSecrets("", dataDir)
		}
		return nil, fmt.Errorf("sessions: create key: %w", err)
	}
	if _, err := f.WriteString(enc + "\n"); err != nil {
		f.Close()
		return nil, fmt.Errorf("sessions: write key: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("sessions: write key: %w", err)
	}
	return [][]byte{secret}, nil
}

func decodeSecret(s string) []byte {
	if b, err := hex.DecodeString(s); err == nil && len(b) >= 32 {
		return b
	}
	if b, err := base64.StdEncoding.DecodeString(s); err == nil && len(b) >= 32 {
		return b
	}
	return []byte(s)
}

// Get returns the request's session state, loading it from the cookie once
// per request; a missing or unreadable cookie starts a fresh session.
func (s *Store) Get(r *http.Request) *State {
	if l, ok := r.Context().Value(ctxKey{}).(*loaded); ok {
		return l.state
	}
	l := &loaded{}
	sess, err := s.cookies.Get(r, CookieName)
	if err != nil {
		// A cookie sealed with a retired key or tampered with: start over.
		s.log.Info("session cookie rejected; starting a new session", "err", err)
	}
	if raw, ok := sess.Values["s"].([]byte); ok {
		var st State
		if json.Unmarshal(raw, &st) == nil && st.ID != "" {
			l.state, l.original = &st, raw
		}
	}
	if l.state == nil {
		l.state = &State{ID: randomID(), CSRFToken: randomID()}
	}
	if l.state.CSRFToken == "" {
		l.state.CSRFToken = randomID()
	}
	// Cache on the request itself, as gorilla's registry does, so every
	// later Get in this request (and Save) sees the same *State.
	*r = *r.WithContext(context.WithValue(r.Context(), ctxKey{}, l))
	return l.state
}

// Save writes the cookie when the state changed since it was loaded.
// Calling it again in the same request is a no-op unless it changed again.
func (s *Store) Save(w http.ResponseWriter, r *http.Request) error {
	l, ok := r.Context().Value(ctxKey{}).(*loaded)
	if !ok {
		return nil // the request never looked at its session
	}
	st := l.state
	if len(st.RecentTasks) > MaxRecentTasks {
		st.RecentTasks = st.RecentTasks[:MaxRecentTasks]
	}
	raw, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("sessions: encode: %w", err)
	}
	if bytes.Equal(raw, l.original) {
		return nil
	}
	sess := gorilla.NewSession(s.cookies, CookieName)
	opts := *s.cookies.Options
	opts.Secure = isHTTPS(r)
	sess.Options = &opts
	sess.Values["s"] = raw
	if err := s.cookies.Save(r, w, sess); err != nil {
		return fmt.Errorf("sessions: save: %w", err)
	}
	l.original = raw
	return nil
}

func isHTTPS(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

func randomID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// AddRecentTask puts a task id at the front of RecentTasks, once.
func (s *State) AddRecentTask(id string) {
	out := []string{id}
	for _, t := range s.RecentTasks {
		if t != id && len(out) < MaxRecentTasks {
			out = append(out, t)
		}
	}
	s.RecentTasks = out
}

// ForgetTask removes a task id from RecentTasks.
func (s *State) ForgetTask(id string) {
	out := s.RecentTasks[:0]
	for _, t := range s.RecentTasks {
		if t != id {
			out = append(out, t)
		}
	}
	s.RecentTasks = out
}

// ValidCSRF reports whether token is this session's CSRF token, in
// constant time.
func (s *State) ValidCSRF(token string) bool {
	return token != "" && hmac.Equal([]byte(token), []byte(s.CSRFToken))
}
