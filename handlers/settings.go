package handlers

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"glimpse/templates"
)

func (s *Server) showSettings(c *gin.Context) error {
	st := s.Sessions.Get(c.Request)
	return render(c, templates.SettingsPage(s.page(c, "Settings"), templates.SettingsView{
		HasOwnKey:      st.APIKey != "",
		DefaultBackend: s.Backends.Default().Name,
	}))
}

// saveKey keeps the pasted key in the encrypted session. It is never
// rendered, logged or put in an error.
func (s *Server) saveKey(c *gin.Context) error {
	key := strings.TrimSpace(c.PostForm("api_key"))
	switch {
	case key == "":
		return badRequest("Paste an API key first.")
	case len(key) < 8 || len(key) > 200 || strings.ContainsAny(key, " \t\r\n"):
		return badRequest("That does not look like a TwelveLabs API key.")
	}
	st := s.Sessions.Get(c.Request)
	st.APIKey = key
	// Another account's indexes: the current one no longer applies.
	st.CurrentIndexID = ""
	st.AddFlash("info", "Your key is saved. Pages now use the TwelveLabs cloud with it.")
	c.Redirect(http.StatusSeeOther, "/settings")
	return nil
}

func (s *Server) clearKey(c *gin.Context) error {
	st := s.Sessions.Get(c.Request)
	st.APIKey = ""
	st.CurrentIndexID = ""
	st.AddFlash("info", "Your key is forgotten. Pages use "+s.Backends.Default().Name+" again.")
	c.Redirect(http.StatusSeeOther, "/settings")
	return nil
}
