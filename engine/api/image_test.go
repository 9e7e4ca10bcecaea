package api

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/png"
	"io"
	"runtime"
	"strings"
	"testing"
)

// TestDecodeImageHoldsTheUploadOnce: a query image is held in memory once
// while decoding, not copied again per decoding pass.
func TestDecodeImageHoldsTheUploadOnce(t *testing.T) {
	var small bytes.Buffer
	if err := png.Encode(&small, image.NewGray(image.Rect(0, 0, 8, 8))); err != nil {
		t.Fatal(err)
	}
	// An 8 MB upload of an 8x8 picture: a large private chunk before IEND.
	b := small.Bytes()
	iend := b[len(b)-12:]
	pad := make([]byte, 8<<20)
	var chunk bytes.Buffer
	binary.Write(&chunk, binary.BigEndian, uint32(len(pad)))
	chunk.WriteString("zzZz")
	chunk.Write(pad)
	crc := crc32.NewIEEE()
	crc.Write([]byte("zzZz"))
	crc.Write(pad)
	binary.Write(&chunk, binary.BigEndian, crc.Sum32())
	upload := append(append(append([]byte{}, b[:len(b)-12]...), chunk.Bytes()...), iend...)

	if _, err := decodeImage(bytes.NewReader(upload), 20<<20); err != nil {
		t.Fatalf("the padded PNG does not decode: %v", err)
	}
	allocated := func(f func()) int64 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		f()
		runtime.ReadMemStats(&after)
		return int64(after.TotalAlloc - before.TotalAlloc)
	}
	readOnly := allocated(func() { _, _ = io.ReadAll(bytes.NewReader(upload)) })
	decode := allocated(func() { _, _ = decodeImage(bytes.NewReader(upload), 20<<20) })
	if extra := decode - readOnly; extra > int64(len(upload))/2 {
		t.Errorf("decoding allocates %d MB beyond reading the %d MB upload: it is copied again", extra>>20, len(upload)>>20)
	}
}

// pngHeader is the start of a PNG declaring w x h at bitDepth and colorType,
// which is all DecodeConfig reads.
func pngHeader(w, h uint32, bitDepth, colorType byte) []byte {
	var ihdr bytes.Buffer
	binary.Write(&ihdr, binary.BigEndian, w)
	binary.Write(&ihdr, binary.BigEndian, h)
	ihdr.Write([]byte{bitDepth, colorType, 0, 0, 0})
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	binary.Write(&b, binary.BigEndian, uint32(ihdr.Len()))
	crc := crc32.NewIEEE()
	crc.Write([]byte("IHDR"))
	crc.Write(ihdr.Bytes())
	b.WriteString("IHDR")
	b.Write(ihdr.Bytes())
	binary.Write(&b, binary.BigEndian, crc.Sum32())
	return b.Bytes()
}

// TestDecodeImageRefusesWhatWouldNotFitInMemory: a few bytes may declare a
// picture of hundreds of MB decoded; it is refused before decoding.
func TestDecodeImageRefusesWhatWouldNotFitInMemory(t *testing.T) {
	tests := []struct {
		name          string
		w, h          uint32
		depth, colour byte
		refused       bool
	}{
		{"16-bit RGBA 7000x7000 (392 MB)", 7000, 7000, 16, 6, true},
		{"8-bit RGBA 7000x7000 (196 MB)", 7000, 7000, 8, 6, true},
		{"8-bit grey 7000x7000 (49 MB)", 7000, 7000, 8, 0, false},
		{"16-bit RGBA 3000x3000 (72 MB)", 3000, 3000, 16, 6, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeImage(bytes.NewReader(pngHeader(tt.w, tt.h, tt.depth, tt.colour)), 20<<20)
			if err == nil {
				t.Fatal("a header without pixels decoded")
			}
			refused := strings.Contains(err.Error(), "to decode")
			if refused != tt.refused {
				t.Fatalf("refused before decoding = %v, want %v (%v)", refused, tt.refused, err)
			}
		})
	}
}
