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
}
