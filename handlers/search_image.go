// The image uploaded as (part of) a search query.

package handlers

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // decode the config of JPEG query images
	_ "image/png"  // and PNG ones
	"io"
	"net/http"
)

// queryImage is an image uploaded as (part of) the query.
type queryImage struct {
	Name string
	Data []byte
}

// readQueryImage reads the uploaded query image, if any, and checks that it
// is a JPEG or PNG the API can take.
func readQueryImage(r *http.Request) (*queryImage, error) {
	if r.MultipartForm == nil {
		return nil, nil
	}
	f, hdr, err := r.FormFile("image")
	if errors.Is(err, http.ErrMissingFile) {
		return nil, nil
	}
	if err != nil {
		return nil, badRequest("The image couldn't be read.")
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxQueryImageBytes+1))
	if err != nil {
		return nil, badRequest("The image couldn't be read.")
	}
	if len(data) == 0 {
		// Browsers send an empty part when no file was chosen.
		return nil, nil
	}
	if len(data) > maxQueryImageBytes {
		return nil, badRequest("The image is larger than 5 MB; use a smaller one.")
	}
	switch http.DetectContentType(data) {
	case "image/png", "image/jpeg":
	default:
		return nil, badRequest(fmt.Sprintf("%q isn't a JPEG or PNG image.", hdr.Filename))
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, badRequest(fmt.Sprintf("%q isn't a readable image.", hdr.Filename))
	}
	if cfg.Width < 64 || cfg.Height < 64 {
		return nil, badRequest(fmt.Sprintf("The image is %dx%d pixels; it must be at least 64x64.", cfg.Width, cfg.Height))
	}
	name := hdr.Filename
	if name == "" {
		name = "query.png"
	}
	return &queryImage{Name: name, Data: data}, nil
}
