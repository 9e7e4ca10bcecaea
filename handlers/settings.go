package handlers

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"glimpse/templates"
	"glimpse/tlclient"
)

// keyCheckTimeout bounds the cheap call that checks a key or the backend:
// the settings page must not hang on a cloud that does not answer.
const keyCheckTimeout = 10 * time.Second

func (s *Server) showSettings(c *gin.Context) error {
	return s.renderSettings(c, "")
}

// renderSettings shows the page, with why a pasted key was refused when
// keyError is set. It asks the backend in use one cheap question, so the
// page says whether it works (and, through the trouble note, the banner
// says it too).
func (s *Server) renderSettings(c *gin.Context, keyError string) error {
	st := s.Sessions.Get(c.Request)
	v := templates.SettingsView{
		HasOwnKey:      st.APIKey != "",
		DefaultBackend: s.Backends.Default().Name,
		KeyError:       keyError,
	}
	be := s.backend(c)
	ctx, cancel := context.WithTimeout(c.Request.Context(), keyCheckTimeout)
	defer cancel()
	if _, err := be.Client.ListIndexes(ctx, tlclient.ListIndexesParams{PageLimit: 1}); err != nil {
		_, v.Check = classify(err)
		s.Log.Info("backend check failed", "backend", be.Name, "err", err)
	} else {
		v.Working, v.Check = true, be.Name+" answers."
		if v.HasOwnKey {
			v.Check = "The TwelveLabs cloud accepts your key."
		}
	}
	return render(c, templates.SettingsPage(s.page(c, "Settings"), v))
}

// saveKey checks the pasted key with one cheap call and keeps it in the
// encrypted session only when the cloud accepts it. The key is never
// rendered, logged or put in an error.
func (s *Server) saveKey(c *gin.Context) error {
	key := strings.TrimSpace(c.PostForm("api_key"))
	refuse := func(status int, why string) error {
		c.Status(status)
		return s.renderSettings(c, why)
	}
	switch {
	case key == "":
		return refuse(http.StatusBadRequest, "Paste an API key first.")
	case len(key) < 8 || len(key) > 200 || strings.ContainsAny(key, " \t\r\n"):
		return refuse(http.StatusBadRequest, "That does not look like a TwelveLabs API key.")
	}
	// The key being checked is not the backend in use: its failure must
	// not put the trouble banner on the page.
	ctx, cancel := context.WithTimeout(withoutTrouble(c.Request.Context()), keyCheckTimeout)
	defer cancel()
	if _, err := s.Backends.WithKey(key).Client.ListIndexes(ctx, tlclient.ListIndexesParams{PageLimit: 1}); err != nil {
		status, why := keyRefusal(err)
		why = strings.ReplaceAll(why, key, "[your key]")
		s.Log.Info("API key not saved", "status", status, "err", strings.ReplaceAll(err.Error(), key, "[key]"))
		return refuse(status, why)
	}
	st := s.Sessions.Get(c.Request)
	st.APIKey = key
	// Another account's indexes: the current one no longer applies.
	st.CurrentIndexID = ""
	st.AddFlash("info", "Your key is saved: the TwelveLabs cloud accepts it. Pages now use it.")
	c.Redirect(http.StatusSeeOther, "/settings")
	return nil
}

// keyRefusal is the status and the reason a person reads for a key the
// cloud did not accept, or could not be asked about.
func keyRefusal(err error) (int, string) {
	const notSaved = " It was not saved."
	var api *tlclient.APIError
	switch {
	case errors.Is(err, tlclient.ErrUnreachable), errors.Is(err, context.DeadlineExceeded):
		return http.StatusBadGateway, "The TwelveLabs cloud could not be reached to check the key." + notSaved + " Try again in a moment."
	case !errors.As(err, &api):
		return http.StatusInternalServerError, "The key could not be checked." + notSaved
	case api.StatusCode == http.StatusUnauthorized || api.StatusCode == http.StatusForbidden:
		return http.StatusUnprocessableEntity, "The TwelveLabs cloud refused this key" + apiReason(api) + "." + notSaved +
			" Copy it again from your TwelveLabs dashboard."
	case api.StatusCode == http.StatusTooManyRequests:
		return http.StatusTooManyRequests, "The TwelveLabs cloud is rate limiting requests, so the key could not be checked." + notSaved + " Try again in a moment."
	case api.StatusCode >= 500:
		return http.StatusBadGateway, "The TwelveLabs cloud failed to answer while the key was checked." + notSaved + " Try again in a moment."
	}
	return http.StatusUnprocessableEntity, "The TwelveLabs cloud did not accept a request with this key" + apiReason(api) + "." + notSaved
}

// apiReason is ": " and the API's own message, when it gave one.
func apiReason(api *tlclient.APIError) string {
	msg := strings.TrimSuffix(strings.TrimSpace(api.Message), ".")
	if msg == "" {
		return ""
	}
	return ": " + msg
}

func (s *Server) clearKey(c *gin.Context) error {
	st := s.Sessions.Get(c.Request)
	st.APIKey = ""
	st.CurrentIndexID = ""
	st.AddFlash("info", "Your key is forgotten. Pages use "+s.Backends.Default().Name+" again.")
	c.Redirect(http.StatusSeeOther, "/settings")
	return nil
}
