package templates

import (
	"fmt"
	"slices"
	"strconv"

	"glimpse/webfmt"
)

// IndexView is one index as the pages show it.
type IndexView struct {
	ID, Name   string
	Models     []ModelView
	Thumbnails bool // the thumbnail addon is on
	VideoCount int
	Duration   string // all its videos, "2:40" (webfmt.Clock), "" when unknown
	Created    string
	Current    bool
}

// ModelView is one model of an index with its options.
type ModelView struct {
	Name    string
	Options []string
}

// Pager links the pages of a paged list.
type Pager struct {
	Page, TotalPages int
	PrevURL, NextURL string
}

// IndexesView is the home page: the indexes and the form that makes one.
type IndexesView struct {
	Indexes []IndexView
	Pager   Pager
	// Form is the new-index form as last sent, when it was refused.
	Form *NewIndexForm
}

// NewIndexForm is a refused new-index form: what was sent, and why not.
type NewIndexForm struct {
	Name             string
	Marengo, Pegasus []string
	Thumbnail        bool
	Error            string
}

// Ticks reports whether a model option box is ticked: all are on a fresh
// form, the sent ones on a refused form.
func (v IndexesView) Ticks(model, option string) bool {
	if v.Form == nil {
		return true
	}
	sent := v.Form.Marengo
	if model == "pegasus" {
		sent = v.Form.Pegasus
	}
	return slices.Contains(sent, option)
}

// ThumbnailTicked reports whether the thumbnail addon box is ticked.
func (v IndexesView) ThumbnailTicked() bool { return v.Form == nil || v.Form.Thumbnail }

// OptionsChanged reports a refused form whose model options are not the
// defaults (all ticked), so that they are shown.
func (v IndexesView) OptionsChanged() bool {
	if v.Form == nil {
		return false
	}
	return len(v.Form.Marengo) != 2 || len(v.Form.Pegasus) != 2 || !v.Form.Thumbnail
}

// FormName and FormError are the refused form's name and reason, or "".
func (v IndexesView) FormName() string {
	if v.Form == nil {
		return ""
	}
	return v.Form.Name
}

func (v IndexesView) FormError() string {
	if v.Form == nil {
		return ""
	}
	return v.Form.Error
}

// VideoView is one video of an index.
type VideoView struct {
	ID, IndexID string
	Title       string // the title, else the file name
	Filename    string
	Duration    string
	Indexed     string // date it was indexed
	IndexedISO  string
	Thumbnail   string
	WatchURL    string
}

// IndexPageView is an index's page: its videos, the upload zone and the
// session's recent tasks in this index.
type IndexPageView struct {
	Index  IndexView
	Videos []VideoView
	Pager  Pager
	Tasks  []TaskView
	// Stream is the SSE URL of the session's task events.
	Stream         string
	MaxUploadBytes int64
	// VideosError says why the video list could not be loaded.
	VideosError string
}

// TaskView is one indexing task: the card on the index page, in an SSE
// event, and a row of the tasks page.
type TaskView struct {
	ID, IndexID, IndexName, VideoID string
	Status                          string // the API's status word
	Filename                        string
	Progress                        float64
	HasProgress                     bool
	// Failure is the reason in plain words when Status is failed;
	// FailureDetail what the API said, shown behind a disclosure.
	Failure       string
	FailureDetail string
	// FileAtFault is set when the file itself failed (damaged, too short):
	// Retry asks for a file instead of sending the same one again.
	FileAtFault bool
	Thumbnail   string
	WatchURL    string
	Duration    string
	Created     string
	Updated     string
	// Gone is set when the API no longer knows the task.
	Gone bool
}

// Done reports a terminal status.
func (t TaskView) Done() bool { return t.Status == "ready" || t.Status == "failed" || t.Gone }

// StatusLabel is the status in words.
func (t TaskView) StatusLabel() string {
	switch t.Status {
	case "uploading":
		return "Uploading"
	case "validating":
		return "Validating"
	case "pending":
		return "Pending"
	case "queued":
		return "Queued"
	case "indexing":
		if t.HasProgress {
			return fmt.Sprintf("Indexing %d%%", int(t.Progress))
		}
		return "Indexing"
	case "ready":
		return "Ready"
	case "failed":
		return "Failed"
	}
	if t.Gone {
		return "Deleted"
	}
	return t.Status
}

// ProgressValue is the value of the card's progress bar: the indexing
// percentage, or a rough position for the steps before it.
func (t TaskView) ProgressValue() string {
	switch t.Status {
	case "indexing":
		if t.HasProgress {
			return strconv.Itoa(int(t.Progress))
		}
		return "" // indeterminate
	case "ready":
		return "100"
	}
	return ""
}

// TasksView is the tasks page.
type TasksView struct {
	Tasks        []TaskView
	Indexes      []IndexView
	FilterIndex  string
	FilterStatus string
	Statuses     []string
	Pager        Pager
	Stream       string
}

// SettingsView is the settings page. The key itself is never in it.
type SettingsView struct {
	HasOwnKey      bool
	DefaultBackend string
	// KeyError says why a key just pasted was not saved.
	KeyError string
	// Check is how the backend in use answered a cheap call as this page
	// was made; Working false means Check says what went wrong.
	Check   string
	Working bool
}

// ConfirmView asks before something is deleted.
type ConfirmView struct {
	Heading, Message string
	Action           string // URL the form posts to
	Button           string
	CancelURL        string
}

// IndexURL is the URL of an index's page.
func IndexURL(id string) string { return webfmt.IndexURL(id) }

// TaskURL is the URL of a task's details.
func TaskURL(id string) string { return webfmt.TaskURL(id) }

// TaskEvent is the SSE event name that carries a task's card.
func TaskEvent(id string) string { return "task-" + id }

// NewTaskEvent carries the card of a task the session just created, so
// that its other tabs show it too.
const NewTaskEvent = "task-new"

// UploadEvent is the SSE event name that carries an upload's progress
// toward the API, before the task exists.
func UploadEvent(clientID string) string { return "upload-" + clientID }

// HumanBytes writes a byte count for people.
func HumanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return strconv.FormatInt(n, 10) + " B"
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "KMGTPE"[exp])
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func joinWords(words []string) string {
	out := ""
	for i, w := range words {
		if i > 0 {
			out += ", "
		}
		out += w
	}
	return out
}
