package api

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	_ "image/gif" // query images may be GIF, JPEG or PNG
	_ "image/jpeg"
	_ "image/png"
	"io"
	"net/http"

	"glimpse/engine/wire"
)

// maxImageBytes bounds a query image, uploaded or fetched.
const maxImageBytes = 20 << 20

// maxDecodedImageBytes bounds the memory one query image may take decoded.
const maxDecodedImageBytes = 128 << 20

// queryImage reads the image a form carries in its file field, or fetches
// the one its URL field names; nil when there is neither.
func (s *Server) queryImage(r *http.Request, fileField, urlField string) (image.Image, error) {
	file, err := formFile(r, fileField)
	if err != nil {
		return nil, err
	}
	if u := formValue(r, urlField); file == nil && u != "" {
		if file, err = s.download(r.Context(), u, maxImageBytes); err != nil {
			return nil, err
		}
	}
	if file == nil {
		return nil, nil
	}
	defer file.Close()
	return decodeImage(io.LimitReader(file, maxImageBytes+1), maxImageBytes)
}

// decodeImage refuses anything that is not a picture of sane size before decoding it.
func decodeImage(r io.Reader, limit int64) (image.Image, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, wire.ParameterInvalid("The query image could not be read.")
	}
	if int64(len(b)) > limit {
		return nil, wire.ParameterInvalid(fmt.Sprintf("The query image is larger than %d MB.", limit>>20))
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return nil, wire.ParameterInvalid("The query media is not a PNG, JPEG or GIF image.")
	}
	if cfg.Width < 1 || cfg.Height < 1 || cfg.Width*cfg.Height > 50_000_000 {
		return nil, wire.ParameterInvalid("The query image is empty or has more than 50 megapixels.")
	}
	// A small file can declare a picture that takes hundreds of MB once
	// decoded (16-bit PNG); refuse before decoding rather than after.
	if need := int64(cfg.Width) * int64(cfg.Height) * bytesPerPixel(cfg.ColorModel); need > maxDecodedImageBytes {
		return nil, wire.ParameterInvalid(fmt.Sprintf("The query image would take %d MB to decode, more than %d MB; send a smaller image.",
			need>>20, maxDecodedImageBytes>>20))
	}
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, wire.ParameterInvalid("The query image is damaged: " + err.Error())
	}
	return img, nil
}

// bytesPerPixel is what the decoder allocates per pixel for a colour model
// (YCbCr counted as 4:4:4, its largest).
func bytesPerPixel(m color.Model) int64 {
	switch m {
	case color.RGBA64Model, color.NRGBA64Model:
		return 8
	case color.Gray16Model:
		return 2
	case color.GrayModel, color.AlphaModel:
		return 1
	case color.YCbCrModel:
		return 3
	}
	return 4
}
