package webapp

import (
	"errors"
	"net/http"
	"strings"

	"glimpse/tlclient"
)

// DescribeAPIError is the status and message a person sees for an error
// of the TwelveLabs API (ok false for any other error). The API's own
// message names the problem; a refused key, rate limiting and outages get
// a sentence of their own, and so does an API that gives no answer.
func DescribeAPIError(err error) (status int, msg string, ok bool) {
	if errors.Is(err, tlclient.ErrUnreachable) {
		return http.StatusBadGateway, "The TwelveLabs API could not be reached; try again in a moment.", true
	}
	var api *tlclient.APIError
	if !errors.As(err, &api) {
		return 0, "", false
	}
	status = api.StatusCode
	switch {
	case status == http.StatusUnauthorized:
		return http.StatusBadGateway, "The TwelveLabs API refused the API key. Check it on the settings page.", true
	case status == http.StatusForbidden:
		msg = "The TwelveLabs API refused this request with the API key"
		if api.Message != "" {
			msg += " (" + strings.TrimSuffix(api.Message, ".") + ")"
		}
		return http.StatusBadGateway, msg + ". Check the key on the settings page.", true
	case status == http.StatusTooManyRequests:
		return http.StatusTooManyRequests, "The TwelveLabs API is rate limiting requests; try again in a moment.", true
	case status >= 500 || status == 0:
		return http.StatusBadGateway, "The TwelveLabs API failed to answer; try again in a moment.", true
	}
	msg = api.Message
	if msg == "" {
		msg = "The TwelveLabs API rejected the request (" + api.Code + ")."
	}
	return status, msg, true
}
