package search

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/png"
	"io"
	"runtime"
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
