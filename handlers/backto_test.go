package handlers

import (
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"
)

func TestBackToStaysOnThisSite(t *testing.T) {
	tests := []struct {
		name, referer, want string
	}{
		{"same-site page", "http://app.test/indexes/abc?page=2", "/indexes/abc?page=2"},
		{"no referer", "", "/"},
		{"another host", "http://evil.test/indexes/abc", "/"},
		{"scheme-relative path", "http://app.test//evil.test/x", "/"},
		// Browsers read "/\" in a Location as "//": another host.
		{"encoded backslash", "http://app.test/%5Cevil.test", "/%5Cevil.test"},
		{"encoded slash", "http://app.test/%2F%2Fevil.test", "/%2F%2Fevil.test"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := gin.CreateTestContext(httptest.NewRecorder())
			c.Request = httptest.NewRequest("POST", "http://app.test/indexes/abc/rename", nil)
			if tt.referer != "" {
				c.Request.Header.Set("Referer", tt.referer)
			}
			if got := backTo(c, "/"); got != tt.want {
				t.Errorf("backTo = %q, want %q", got, tt.want)
			}
		})
	}
}
