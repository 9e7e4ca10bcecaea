package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

func TestIndexLifecycle(t *testing.T) {
	b := newBrowser(t)
	id := b.createIndex("Holiday clips")

	doc, _ := b.get("/")
	row := doc.Find(`[data-testid=index-row][data-index-id="` + id + `"]`)
	if got := strings.TrimSpace(row.Find("[data-testid=index-name]").Text()); got != "Holiday clips" {
		t.Fatalf("index row name %q", got)
	}
	// Creating it made it the current index.
	if row.Find("[data-testid=current-index]").Length() != 1 {
		t.Error("new index is not the current one")
	}
	if !strings.Contains(row.Text(), "marengo3.0: visual, audio") || !strings.Contains(row.Text(), "thumbnails") {
		t.Errorf("models not shown: %q", row.Text())
	}

	doc, _ = b.post("/indexes/"+id+"/rename", url.Values{"name": {"Summer clips"}})
	if got := text(doc, `[data-index-id="`+id+`"] [data-testid=index-name]`); got != "Summer clips" {
		t.Errorf("after rename: %q", got)
	}
	if !strings.Contains(text(doc, "#flash"), "renamed") {
		t.Errorf("no flash after rename: %q", text(doc, "#flash"))
	}

	other := b.createIndex("Other")
	doc, _ = b.post("/indexes/"+id+"/select", nil)
	if doc.Find(`[data-index-id="`+id+`"] [data-testid=current-index]`).Length() != 1 ||
		doc.Find(`[data-index-id="`+other+`"] [data-testid=current-index]`).Length() != 0 {
		t.Error("select did not move the current index")
	}

	doc, status := b.get("/indexes/" + id + "/delete")
	if status != 200 || doc.Find("[data-testid=confirm] form").AttrOr("action", "") != "/indexes/"+id+"/delete" {
		t.Fatalf("no confirmation page (%d)", status)
	}
	// Nothing is deleted by looking at the confirmation.
	if doc, _ := b.get("/"); doc.Find(`[data-index-id="`+id+`"]`).Length() != 1 {
		t.Fatal("index gone before confirming")
	}
	doc, _ = b.post("/indexes/"+id+"/delete", nil)
	if doc.Find(`[data-index-id="`+id+`"]`).Length() != 0 {
		t.Error("index still listed after delete")
	}
	if _, status := b.get("/indexes/" + id); status != http.StatusNotFound {
		t.Errorf("deleted index page: %d", status)
	}
}

func TestCreateIndexRejectsBadInput(t *testing.T) {
	b := newBrowser(t)
	tests := []struct {
		name string
		form url.Values
		want string
	}{
		{"no name", url.Values{"name": {"  "}, "marengo": {"visual"}}, "Give the index a name."},
		{"long name", url.Values{"name": {strings.Repeat("x", 101)}, "marengo": {"visual"}}, "too long"},
		{"no model", url.Values{"name": {"x"}}, "Pick at least one model option"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc, status := b.post("/indexes", tc.form)
			if status != http.StatusBadRequest {
				t.Errorf("status %d", status)
			}
			if got := text(doc, "[data-testid=error-message]"); !strings.Contains(got, tc.want) {
				t.Errorf("message %q, want %q", got, tc.want)
			}
		})
	}
}

func TestVideosAndTasksPages(t *testing.T) {
	b := newBrowser(t)
	ix := b.createIndex("Pages")
	taskID := uploadReady(t, b, ix)

	t.Run("tasks filters", func(t *testing.T) {
		tests := []struct {
			query      string
			wantStatus int
			wantTask   bool
		}{
			{"?index=" + ix, 200, true},
			{"?index=" + ix + "&status=ready", 200, true},
			{"?index=" + ix + "&status=failed", 200, false},
			{"?status=bogus", 400, false},
		}
		for _, tc := range tests {
			doc, status := b.get("/tasks" + tc.query)
			if status != tc.wantStatus {
				t.Errorf("%s: status %d", tc.query, status)
			}
			found := doc.Find(`[data-testid=task-card][data-task-id="`+taskID+`"]`).Length() == 1
			if found != tc.wantTask {
				t.Errorf("%s: task listed = %v", tc.query, found)
			}
		}
	})

	t.Run("task details", func(t *testing.T) {
		doc, status := b.get("/tasks/" + taskID)
		details := text(doc, "[data-testid=task-details]")
		if status != 200 || !strings.Contains(details, "clip.mp4") || !strings.Contains(details, "Ready") ||
			!strings.Contains(details, "Pages") || !strings.Contains(details, "0:05") {
			t.Errorf("details (%d): %q", status, details)
		}
		if _, status := b.get("/tasks/000000000000000000000000"); status != 404 {
			t.Errorf("unknown task: %d", status)
		}
	})

	t.Run("video grid, rename, delete", func(t *testing.T) {
		doc, _ := b.get("/indexes/" + ix)
		card := doc.Find("[data-testid=video-card]")
		if card.Length() != 1 {
			t.Fatalf("%d video cards", card.Length())
		}
		vid := card.AttrOr("data-video-id", "")
		if got := strings.TrimSpace(card.Find("[data-testid=video-title]").Text()); got != "clip" && got != "clip.mp4" {
			t.Errorf("title %q", got)
		}
		if card.Find("img").AttrOr("src", "") == "" || !strings.Contains(card.Text(), "0:05") {
			t.Errorf("card lacks thumbnail or duration: %q", card.Text())
		}
		if card.Find("a.video-title").AttrOr("href", "") != "/indexes/"+ix+"/videos/"+vid+"/watch" {
			t.Errorf("watch link %q", card.Find("a.video-title").AttrOr("href", ""))
		}

		doc, _ = b.post("/indexes/"+ix+"/videos/"+vid+"/rename", url.Values{"title": {"Beach day"}})
		if got := text(doc, `[data-video-id="`+vid+`"] [data-testid=video-title]`); got != "Beach day" {
			t.Errorf("after rename %q", got)
		}
		if _, status := b.post("/indexes/"+ix+"/videos/"+vid+"/rename", url.Values{"title": {" "}}); status != 400 {
			t.Errorf("empty title: %d", status)
		}

		doc, _ = b.get("/indexes/" + ix + "/videos/" + vid + "/delete")
		if !strings.Contains(text(doc, "[data-testid=confirm]"), "Beach day") {
			t.Errorf("confirmation: %q", text(doc, "[data-testid=confirm]"))
		}
		doc, _ = b.post("/indexes/"+ix+"/videos/"+vid+"/delete", nil)
		if doc.Find("[data-testid=video-card]").Length() != 0 {
			t.Error("video still in the grid after delete")
		}
	})
	t.Run("delete task", func(t *testing.T) {
		taskID := uploadReady(t, b, ix)
		doc, status := b.get("/tasks/" + taskID + "/delete")
		if status != 200 || doc.Find("[data-testid=confirm]").Length() != 1 {
			t.Fatalf("no confirmation (%d)", status)
		}
		doc, _ = b.post("/tasks/"+taskID+"/delete", nil)
		if doc.Find(`[data-task-id="`+taskID+`"]`).Length() != 0 {
			t.Error("task still listed")
		}
		// And the index page no longer shows it among recent uploads.
		doc, _ = b.get("/indexes/" + ix)
		if doc.Find(`[data-task-id="`+taskID+`"]`).Length() != 0 {
			t.Error("deleted task still among recent uploads")
		}
		// Deleting a task deletes its video with it.
		if n := doc.Find("[data-testid=video-card]").Length(); n != 0 {
			t.Errorf("%d videos left after deleting the task", n)
		}
	})
}

// A refused new-index form comes back filled in as it was sent, with the
// reason beside it, instead of on an error page that drops it.
func TestCreateIndexErrorKeepsTheForm(t *testing.T) {
	b := newBrowser(t)
	tests := []struct {
		name        string
		form        url.Values
		wantName    string
		wantChecked []string // name=value of the ticked boxes
		wantError   string
	}{
		{"no model",
			url.Values{"name": {"Product demos"}, "thumbnail": {"on"}},
			"Product demos", []string{"thumbnail=on"}, "Pick at least one model option"},
		{"long name",
			url.Values{"name": {strings.Repeat("x", 101)}, "pegasus": {"audio"}},
			strings.Repeat("x", 101), []string{"pegasus=audio"}, "too long"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc, status := b.post("/indexes", tc.form)
			if status != http.StatusBadRequest {
				t.Errorf("status %d", status)
			}
			form := doc.Find("form[data-testid=create-index]")
			if form.Length() == 0 {
				t.Fatal("the answer has no new-index form")
			}
			if got := form.Find("input[name=name]").AttrOr("value", ""); got != tc.wantName {
				t.Errorf("name %q, want %q", got, tc.wantName)
			}
			var checked []string
			form.Find("input[type=checkbox][checked]").Each(func(_ int, s *goquery.Selection) {
				checked = append(checked, s.AttrOr("name", "")+"="+s.AttrOr("value", ""))
			})
			if strings.Join(checked, " ") != strings.Join(tc.wantChecked, " ") {
				t.Errorf("ticked %v, want %v", checked, tc.wantChecked)
			}
			if got := strings.TrimSpace(form.Find("[data-testid=error-message]").Text()); !strings.Contains(got, tc.wantError) {
				t.Errorf("form error %q, want %q", got, tc.wantError)
			}
		})
	}
}
