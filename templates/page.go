// Package templates holds the templ components: layout, pages and the
// fragments that are rendered both in HTTP responses and in SSE events.
package templates

import "glimpse/sessions"

// Page is the view model every full page shares.
type Page struct {
	Title          string
	Backend        string
	CSRFToken      string
	Flashes        []sessions.Flash
	CurrentIndexID string
	// Section is the part of the app the page belongs to (Section*), which
	// the navigation marks.
	Section string
	// Trouble is set when the backend refused the key or gave no answer
	// while this page was made.
	Trouble *Trouble
}

// Trouble is the backend failing a page: Kind "refused" (the key) or
// "unreachable"; Message says what happened, Action labels the link to
// the settings page; Backend names the backend in use, for the badge.
type Trouble struct {
	Kind, Message, Action, Backend string
}

// The sections of the navigation.
const (
	SectionIndexes  = "indexes"
	SectionSearch   = "search"
	SectionTasks    = "tasks"
	SectionSettings = "settings"
)
