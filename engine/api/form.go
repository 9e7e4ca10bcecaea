package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"

	"glimpse/engine/generate"
	"glimpse/engine/wire"
)

// The one reader of request bodies: forms (URL-encoded or multipart, as
// /search and /embed take) and JSON objects (everything else).

// maxFormMemory is how much of a multipart form is held in memory; larger
// files spill to the system's temporary directory until the request ends.
const maxFormMemory = 32 << 20

// readForm parses r's form, URL-encoded or multipart, of at most limit
// bytes.
func readForm(r *http.Request, limit int64) error {
	r.Body = http.MaxBytesReader(nil, r.Body, limit)
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var err error
	if ct == "multipart/form-data" {
		err = r.ParseMultipartForm(maxFormMemory)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return wire.Errorf(http.StatusRequestEntityTooLarge, "parameter_invalid", "The request body is too large.")
		}
		return wire.ParameterInvalid("The request body is not a readable multipart form.")
	}
	return nil
}

// formValue is a form field's first value.
func formValue(r *http.Request, name string) string {
	if v := r.Form.Get(name); v != "" {
		return v
	}
	if r.MultipartForm != nil {
		if vs := r.MultipartForm.Value[name]; len(vs) > 0 {
			return vs[0]
		}
	}
	return ""
}

// formValues returns every value of a repeated field, also under name[]
// and comma-separated.
func formValues(r *http.Request, name string) []string {
	var out []string
	for _, key := range []string{name, name + "[]"} {
		vals := r.Form[key]
		if r.MultipartForm != nil {
			vals = append(vals, r.MultipartForm.Value[key]...)
		}
		for _, v := range vals {
			for _, p := range strings.Split(v, ",") {
				if p = strings.TrimSpace(p); p != "" && !slices.Contains(out, p) {
					out = append(out, p)
				}
			}
		}
	}
	return out
}

// formFile opens a form's uploaded file; nil when there is none.
func formFile(r *http.Request, name string) (io.ReadCloser, error) {
	if r.MultipartForm == nil {
		return nil, nil
	}
	fhs := r.MultipartForm.File[name]
	if len(fhs) == 0 {
		return nil, nil
	}
	f, err := fhs[0].Open()
	if err != nil {
		return nil, wire.ParameterInvalid(name + " could not be read.")
	}
	return f, nil
}

// hasFile says whether the form carries a file under name.
func hasFile(r *http.Request, name string) bool {
	return r.MultipartForm != nil && len(r.MultipartForm.File[name]) > 0
}

// maxJSONBody bounds JSON bodies: a 2,000-token prompt is well under it.
const maxJSONBody = 1 << 20

// jsonRules are how one endpoint reads its JSON body: the indexes,
// videos and tasks endpoints and the generation endpoints answer a bad
// body in different words, as the live service does.
type jsonRules int

const (
	// plainJSON: a field v does not declare is ignored.
	plainJSON jsonRules = iota
	// strictJSON: a field v does not declare is parameter_unknown.
	strictJSON
	// promptJSON (generation): a body over the limit can only be a long
	// prompt and is token_limit_exceeded; a field of the wrong type is named.
	promptJSON
)

// decodeJSON reads a JSON object body of at most 1 MB into v.
func decodeJSON(r *http.Request, v any, rules jsonRules) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, maxJSONBody))
	if rules == strictJSON {
		dec.DisallowUnknownFields()
	}
	err := dec.Decode(v)
	if err == nil {
		return nil
	}
	if rules == promptJSON {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			// Say so, as the live service does for an over-long prompt, not "not JSON".
			return wire.Errorf(http.StatusBadRequest, "token_limit_exceeded",
				fmt.Sprintf("The request body is over %d MB; prompts may be up to %d tokens.", maxJSONBody>>20, generate.MaxPromptTokens))
		}
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return wire.ParameterInvalid(fmt.Sprintf("The %s parameter has the wrong type: expected %s.", typeErr.Field, typeErr.Type))
		}
		return wire.ParameterInvalid("The request body must be a JSON object.")
	}
	if errors.Is(err, io.EOF) {
		return wire.ParameterInvalid("The request body is empty; send a JSON object.")
	}
	// encoding/json names the field only in its message.
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return wire.Errorf(http.StatusBadRequest, "parameter_unknown", "The "+name+" parameter is unknown.")
	}
	return wire.ParameterInvalid("The request body is not valid JSON: " + err.Error())
}
