package handlers

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/gin-gonic/gin"

	"glimpse/templates"
	"glimpse/tlclient"
	"glimpse/webapp"
)

// defaultMaxUpload is the API's own limit on an uploaded file.
const defaultMaxUpload = 2 << 30

func (s *Server) maxUpload() int64 {
	if s.MaxUploadBytes > 0 {
		return s.MaxUploadBytes
	}
	return defaultMaxUpload
}

// videoExtensions are the containers the API takes.
var videoExtensions = map[string]bool{
	".mp4": true, ".m4v": true, ".mov": true, ".mkv": true, ".webm": true, ".avi": true,
	".wmv": true, ".flv": true, ".mpg": true, ".mpeg": true, ".ts": true, ".3gp": true, ".ogv": true,
}

// uploadFile streams one file from a multipart form straight into
// CreateTask: nothing is held in memory beyond small buffers, and nothing
// is written to disk. The form's fields come first: client_id (names the
// card in the browser), size (the file's size in bytes) and, for a retry,
// replaces (the failed task's id), then file.
// Whatever goes wrong ends as a card that says so.
func (s *Server) uploadFile(c *gin.Context) error {
	indexID := c.Param("indexID")
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return s.rejectUpload(c, "", "", http.StatusBadRequest, "The upload did not contain a file.")
	}
	var clientID, replaces string
	size := int64(-1)
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return s.rejectUpload(c, clientID, "", http.StatusBadRequest, "The upload did not contain a file.")
		}
		if err != nil {
			return s.rejectUpload(c, clientID, "", http.StatusBadRequest, "The upload was cut off before the file arrived.")
		}
		switch part.FormName() {
		case "client_id":
			clientID = cleanClientID(readSmall(part))
		case "replaces":
			replaces = readSmall(part)
		case "size":
			if n, err := strconv.ParseInt(readSmall(part), 10, 64); err == nil && n >= 0 {
				size = n
			}
		case "file":
			return s.streamUpload(c, indexID, clientID, replaces, size, part)
		}
		part.Close()
	}
}

// replaces, when set, is the failed task this upload retries: the session
// forgets it, so the index page shows the new card in its place.
func (s *Server) streamUpload(c *gin.Context, indexID, clientID, replaces string, size int64, part *multipart.Part) error {
	name := path.Base(strings.ReplaceAll(cleanFileName(part.FileName()), `\`, "/"))
	if name == "." || name == "/" || name == "" {
		name = "video"
	}
	limit := s.maxUpload()
	if size > limit {
		return s.rejectUpload(c, clientID, name, http.StatusRequestEntityTooLarge,
			fmt.Sprintf("%s is %s; the limit is %s.", name, templates.HumanBytes(size), templates.HumanBytes(limit)))
	}
	body := bufio.NewReaderSize(part, 64<<10)
	head, _ := body.Peek(512)
	if len(head) == 0 {
		return s.rejectUpload(c, clientID, name, http.StatusUnprocessableEntity, name+" is empty.")
	}
	if why := notVideo(name, part.Header.Get("Content-Type"), head); why != "" {
		drain(body, limit)
		return s.rejectUpload(c, clientID, name, http.StatusUnprocessableEntity, why)
	}

	ctx := c.Request.Context()
	be := s.backend(c)
	st := s.Sessions.Get(c.Request)
	stream := s.taskStream(c)
	counted := &boundedReader{r: body, limit: limit, want: size}
	progress := s.sendProgress(stream, clientID, size)
	uploadSize := size
	if uploadSize <= 0 {
		uploadSize = -1
	}
	resp, err := be.Client.CreateTask(ctx, tlclient.CreateTaskRequest{
		IndexID:          indexID,
		Video:            tlclient.ReaderUpload(counted, name, uploadSize),
		OnUploadProgress: progress,
	})
	switch {
	case counted.tooBig:
		drain(body, limit)
		return s.rejectUpload(c, clientID, name, http.StatusRequestEntityTooLarge,
			fmt.Sprintf("%s is larger than the limit of %s.", name, templates.HumanBytes(limit)))
	case counted.short:
		return s.rejectUpload(c, clientID, name, http.StatusBadRequest, "The upload of "+name+" was cut off; try again.")
	case err != nil:
		if ctx.Err() != nil {
			return nil // the browser left; nobody to tell
		}
		_, msg := classify(err)
		s.Log.Info("upload refused", "index", indexID, "file", name, "err", err)
		return s.rejectUpload(c, clientID, name, http.StatusBadGateway, msg)
	}
	if replaces != "" {
		st.ForgetTask(replaces)
	}
	st.AddRecentTask(resp.ID)
	return s.renderNewTask(c, be, resp.ID, indexID, name, stream)
}

// renderNewTask answers with the card of a task just created, and starts
// watching it.
func (s *Server) renderNewTask(c *gin.Context, be Backend, id, indexID, name, stream string) error {
	tv := templates.TaskView{ID: id, IndexID: indexID, Status: tlclient.TaskValidating, Filename: name}
	if t, err := be.Client.GetTask(c.Request.Context(), id); err == nil {
		tv = webapp.TaskView(*t)
		if tv.Filename == "" {
			tv.Filename = name
		}
	}
	if !tv.Done() {
		s.Watcher.Watch(be.Client, id, stream)
	}
	// The session's other tabs add the card too (app.js skips it where
	// the card is already on the page).
	var card bytes.Buffer
	if err := templates.TaskCard(tv).Render(c.Request.Context(), &card); err != nil {
		return err
	}
	s.Events.Publish(stream, templates.NewTaskEvent, card.Bytes())
	c.Header("Content-Type", "text/html; charset=utf-8")
	_, err := c.Writer.Write(card.Bytes())
	return err
}

// sendProgress publishes, at most 4 times a second, how much of the file
// has gone on to the API, to the upload's card.
func (s *Server) sendProgress(stream, clientID string, total int64) func(int64) {
	if clientID == "" {
		return nil
	}
	var mu sync.Mutex
	var last time.Time
	return func(sent int64) {
		mu.Lock()
		defer mu.Unlock()
		if time.Since(last) < 250*time.Millisecond && sent != total {
			return
		}
		last = time.Now()
		var buf strings.Builder
		if err := templates.UploadSending(clientID, sent, total).Render(context.Background(), &buf); err == nil {
			s.Events.Publish(stream, templates.UploadEvent(clientID), []byte(buf.String()))
		}
	}
}

// rejectUpload answers with a card saying why the file was not taken.
func (s *Server) rejectUpload(c *gin.Context, clientID, name string, status int, why string) error {
	if name == "" {
		name = "Upload"
	}
	c.Status(status)
	// 413 and 422 refuse the file itself: sending it again cannot help.
	askAgain := status == http.StatusRequestEntityTooLarge || status == http.StatusUnprocessableEntity
	return renderAnyway(c, templates.UploadFailed(clientID, name, why, askAgain))
}

// uploadURL asks the API to fetch a video from a URL.
func (s *Server) uploadURL(c *gin.Context) error {
	indexID := c.Param("indexID")
	raw := strings.TrimSpace(c.PostForm("video_url"))
	clientID := "url" + strconv.FormatInt(time.Now().UnixNano(), 36)
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return s.rejectUpload(c, clientID, orDefault(raw, "URL"), http.StatusOK,
			"That is not a web address of a video (it must start with http:// or https://).")
	}
	name := path.Base(cleanFileName(u.Path))
	if name == "." || name == "/" {
		name = u.Host
	}
	be := s.backend(c)
	resp, err := be.Client.CreateTask(c.Request.Context(), tlclient.CreateTaskRequest{IndexID: indexID, VideoURL: raw})
	if err != nil {
		_, msg := classify(err)
		// htmx swaps 2xx only: the card is the answer either way.
		return s.rejectUpload(c, clientID, raw, http.StatusOK, msg)
	}
	s.Sessions.Get(c.Request).AddRecentTask(resp.ID)
	return s.renderNewTask(c, be, resp.ID, indexID, name, s.taskStream(c))
}

// notVideo says why a file is not a video, or "" when it may be one. The
// browser's type and the name can lie either way, so the bytes decide
// against obvious non-videos (text, images, documents) and the API decides
// the rest.
func notVideo(name, browserType string, head []byte) string {
	sniffed := http.DetectContentType(head)
	ext := strings.ToLower(path.Ext(name))
	switch {
	case strings.HasPrefix(sniffed, "text/"), strings.HasPrefix(sniffed, "image/"),
		sniffed == "application/pdf", sniffed == "application/zip", sniffed == "application/x-gzip":
		return fmt.Sprintf("%s is not a video (it looks like %s).", name, kindOf(sniffed))
	case strings.HasPrefix(sniffed, "video/"), strings.HasPrefix(browserType, "video/"), videoExtensions[ext]:
		return ""
	}
	return fmt.Sprintf("%s is not a video file.", name)
}

func kindOf(mime string) string {
	switch {
	case strings.HasPrefix(mime, "text/"):
		return "text"
	case strings.HasPrefix(mime, "image/"):
		return "an image"
	case mime == "application/pdf":
		return "a PDF document"
	}
	return "an archive"
}

// boundedReader passes the file on while checking it is no larger than
// limit and, when the browser said its size, exactly that long.
type boundedReader struct {
	r             io.Reader
	n, limit      int64
	want          int64
	tooBig, short bool
}

var errUploadTooBig = errors.New("upload over the size limit")

func (b *boundedReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.n += int64(n)
	if b.n > b.limit {
		b.tooBig = true
		return n, errUploadTooBig
	}
	if err == io.EOF && b.want >= 0 && b.n != b.want {
		b.short = true
		return n, io.ErrUnexpectedEOF
	}
	return n, err
}

// drain reads what is left of a rejected file (up to limit) so the browser
// gets the answer instead of a reset connection.
func drain(r io.Reader, limit int64) { _, _ = io.Copy(io.Discard, io.LimitReader(r, limit)) }

func readSmall(r io.Reader) string {
	b, _ := io.ReadAll(io.LimitReader(r, 64))
	return strings.TrimSpace(string(b))
}

// cleanFileName drops control characters, which RFC 2231 lets a browser
// (or anyone) put in a file name: a CR or LF would end a line of the API's
// multipart header or of an SSE event the card travels in.
func cleanFileName(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
}

// cleanClientID keeps the card id safe to put in an HTML id and an event name.
func cleanClientID(s string) string {
	var b strings.Builder
	for _, r := range s {
		if (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') || r == '-' || r == '_' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
