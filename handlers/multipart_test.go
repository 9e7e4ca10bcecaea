package handlers_test

import (
	"io"
	"mime/multipart"
)

// multipartWriter writes a form in field order, streaming the file.
type multipartWriter struct{ w *multipart.Writer }

func newMultipart(w io.Writer) *multipartWriter { return &multipartWriter{multipart.NewWriter(w)} }

func (m *multipartWriter) field(name, value string) { m.w.WriteField(name, value) }

func (m *multipartWriter) file(field, name string, r io.Reader) {
	fw, err := m.w.CreateFormFile(field, name)
	if err == nil {
		io.Copy(fw, r)
	}
}

func (m *multipartWriter) close() error        { return m.w.Close() }
func (m *multipartWriter) contentType() string { return m.w.FormDataContentType() }
