package tlclient

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// Upload is a file part of a multipart request: a file on disk (reopened and
// sent again from the start when a request is retried) or a one-shot reader
// (never sent twice).
type Upload struct {
	path     string
	reader   io.Reader
	filename string
	size     int64

	mu   sync.Mutex
	used bool
}

// FileUpload streams the file at path; it is opened when the request is sent.
func FileUpload(path string) *Upload {
	return &Upload{path: path, filename: filepath.Base(path), size: -1}
}

// ReaderUpload streams r once under filename; size is its length or -1 when unknown.
func ReaderUpload(r io.Reader, filename string, size int64) *Upload {
	if size < 0 {
		size = -1
	}
	return &Upload{reader: r, filename: filename, size: size}
}

// Filename is the name sent in the part's Content-Disposition.
func (u *Upload) Filename() string { return u.filename }

// replayable reports whether the upload can be sent more than once.
func (u *Upload) replayable() bool { return u.path != "" }

// open returns the content and its size (-1 unknown) for one attempt.
func (u *Upload) open() (io.ReadCloser, int64, error) {
	if u.path != "" {
		f, err := os.Open(u.path)
		if err != nil {
			return nil, 0, fmt.Errorf("tlclient: open upload: %w", err)
		}
		st, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, 0, fmt.Errorf("tlclient: stat upload: %w", err)
		}
		if !st.Mode().IsRegular() {
			return f, -1, nil
		}
		return f, st.Size(), nil
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.used {
		return nil, 0, ErrNotReplayable
	}
	if u.reader == nil {
		return nil, 0, errors.New("tlclient: upload has no content")
	}
	u.used = true
	return io.NopCloser(u.reader), u.size, nil
}

// formField is one part of a multipart body: a value or an upload.
type formField struct {
	name     string
	value    string
	upload   *Upload
	progress func(int64)
}

// multipartForm is a multipart body described so that it can be produced
// again for each attempt.
type multipartForm struct {
	fields []formField
}

func (f *multipartForm) add(name, value string) {
	f.fields = append(f.fields, formField{name: name, value: value})
}

func (f *multipartForm) addIf(name, value string) {
	if value != "" {
		f.add(name, value)
	}
}

func (f *multipartForm) addFile(name string, u *Upload, progress func(int64)) {
	if u != nil {
		f.fields = append(f.fields, formField{name: name, upload: u, progress: progress})
	}
}

func (f *multipartForm) replayable() bool {
	for _, fl := range f.fields {
		if fl.upload != nil && !fl.upload.replayable() {
			return false
		}
	}
	return true
}

// quoteEscaper makes a value safe inside a quoted header parameter: quotes
// and backslashes escaped, line breaks (which would start a new header) dropped.
var quoteEscaper = strings.NewReplacer("\\", "\\\\", `"`, "\\\"", "\r", "", "\n", "")

func filePartHeader(name, filename string) textproto.MIMEHeader {
	h := make(textproto.MIMEHeader)
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="%s"; filename="%s"`,
		quoteEscaper.Replace(name), quoteEscaper.Replace(filename)))
	h.Set("Content-Type", "application/octet-stream")
	return h
}

// openedPart is an upload opened for one attempt.
type openedPart struct {
	rc   io.ReadCloser
	size int64
}

// body opens every upload and returns a streaming body (written through an
// io.Pipe by a goroutine, so no file is ever held in memory), its content
// type and its exact length when every size is known (else -1).
func (f *multipartForm) body() (io.ReadCloser, string, int64, error) {
	opened := make([]openedPart, len(f.fields))
	closeAll := func() {
		for _, o := range opened {
			if o.rc != nil {
				o.rc.Close()
			}
		}
	}
	length := int64(0)
	for i, fl := range f.fields {
		if fl.upload == nil {
			continue
		}
		rc, size, err := fl.upload.open()
		if err != nil {
			closeAll()
			return nil, "", 0, err
		}
		opened[i] = openedPart{rc: rc, size: size}
		if size < 0 {
			length = -1
		}
	}
	boundary := multipart.NewWriter(io.Discard).Boundary()
	if length == 0 {
		length = f.framingLength(boundary, opened)
	}
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	mw.SetBoundary(boundary)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer closeAll()
		pw.CloseWithError(f.write(mw, opened))
	}()
	return &pipeBody{PipeReader: pr, done: done}, mw.FormDataContentType(), length, nil
}

// pipeBody is a streaming request body whose Close also waits for the
// goroutine that writes it, so that once a call returns nothing reads the
// caller's reader any more (an HTTP handler's request body, for example).
type pipeBody struct {
	*io.PipeReader
	done chan struct{}
}

func (b *pipeBody) Close() error {
	err := b.PipeReader.Close()
	<-b.done
	return err
}

// framingLength counts the bytes of the body with file contents replaced by their sizes.
func (f *multipartForm) framingLength(boundary string, opened []openedPart) int64 {
	var cw countingWriter
	mw := multipart.NewWriter(&cw)
	mw.SetBoundary(boundary)
	for i, fl := range f.fields {
		if fl.upload == nil {
			mw.WriteField(fl.name, fl.value)
			continue
		}
		mw.CreatePart(filePartHeader(fl.name, fl.upload.filename))
		cw.n += opened[i].size
	}
	mw.Close()
	return cw.n
}

func (f *multipartForm) write(mw *multipart.Writer, opened []openedPart) error {
	buf := make([]byte, 256<<10)
	for i, fl := range f.fields {
		if fl.upload == nil {
			if err := mw.WriteField(fl.name, fl.value); err != nil {
				return err
			}
			continue
		}
		part, err := mw.CreatePart(filePartHeader(fl.name, fl.upload.filename))
		if err != nil {
			return err
		}
		var dst io.Writer = part
		if fl.progress != nil {
			dst = &progressWriter{w: part, fn: fl.progress}
		}
		want := opened[i].size
		var src io.Reader = opened[i].rc
		if want >= 0 {
			// The Content-Length was computed from want: never send more.
			src = io.LimitReader(src, want)
		}
		n, err := io.CopyBuffer(dst, onlyReader{src}, buf)
		if err != nil {
			return fmt.Errorf("tlclient: upload %q: %w", fl.upload.filename, err)
		}
		if want >= 0 && n != want {
			return fmt.Errorf("tlclient: upload %q: read %d bytes, expected %d", fl.upload.filename, n, want)
		}
		if want >= 0 {
			if extra, _ := opened[i].rc.Read(make([]byte, 1)); extra > 0 {
				return fmt.Errorf("tlclient: upload %q: longer than its declared size %d", fl.upload.filename, want)
			}
		}
	}
	return mw.Close()
}

// onlyReader hides WriteTo so CopyBuffer uses our large buffer.
type onlyReader struct{ io.Reader }

type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

type progressWriter struct {
	w    io.Writer
	sent int64
	fn   func(int64)
}

func (p *progressWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	p.sent += int64(n)
	if n > 0 {
		p.fn(p.sent)
	}
	return n, err
}
