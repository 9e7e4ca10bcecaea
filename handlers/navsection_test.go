package handlers

import (
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	"glimpse/templates"
)

// The nav marks the section a page belongs to; a watch page belongs to the
// section it was opened from.
func TestNavSection(t *testing.T) {
	const watch = "/indexes/ix/videos/v/watch"
	tests := []struct {
		name, path, referer, want string
	}{
		{"home", "/", "", templates.SectionIndexes},
		{"an index", "/indexes/ix", "", templates.SectionIndexes},
		{"search", "/search?q=x", "", templates.SectionSearch},
		{"a task", "/tasks/t1", "", templates.SectionTasks},
		{"settings", "/settings", "", templates.SectionSettings},
		{"watch from a search", watch + "?q=train&t=3", "http://app.test/search?q=train", templates.SectionSearch},
		{"watch from an image search", watch + "?t=3", "http://app.test/search", templates.SectionSearch},
		{"watch from the tasks page", watch, "http://app.test/tasks", templates.SectionTasks},
		{"watch from a task", watch, "http://app.test/tasks/t1", templates.SectionTasks},
		{"watch from an index", watch, "http://app.test/indexes/ix", templates.SectionIndexes},
		{"watch from another site", watch, "http://evil.test/tasks", templates.SectionIndexes},
		{"watch opened alone", watch, "", templates.SectionIndexes},
		{"no such page", "/nowhere", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := gin.CreateTestContext(httptest.NewRecorder())
			c.Request = httptest.NewRequest("GET", "http://app.test"+tt.path, nil)
			if tt.referer != "" {
				c.Request.Header.Set("Referer", tt.referer)
			}
			if got := navSection(c); got != tt.want {
				t.Errorf("navSection = %q, want %q", got, tt.want)
			}
		})
	}
}
