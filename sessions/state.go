// Package sessions keeps the web app's per-browser state in an encrypted
// cookie (gorilla/sessions). Import it aliased where gorilla's is also used.
package sessions

// Flash is a one-time message shown on the next page.
type Flash struct {
	Kind    string // "info" | "error"
	Message string
}

// State is what a session holds. It is stored encrypted; APIKey is never
// rendered back to the page.
type State struct {
	// ID names the session; SSE streams are owned by it.
	ID             string
	APIKey         string
	CurrentIndexID string
	CSRFToken      string
	Flashes        []Flash
	// RecentTasks are the ids of the tasks this session created, newest first.
	RecentTasks []string
}

// AddFlash queues a message for the next page.
func (s *State) AddFlash(kind, msg string) { s.Flashes = append(s.Flashes, Flash{kind, msg}) }

// TakeFlashes returns the queued messages and clears them.
func (s *State) TakeFlashes() []Flash {
	f := s.Flashes
	s.Flashes = nil
	return f
}
