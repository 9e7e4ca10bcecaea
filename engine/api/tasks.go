package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"strings"

	"glimpse/engine/ingest"
	"glimpse/engine/store"
	"glimpse/engine/wire"
)

type taskSystemMetadataJSON struct {
	Filename string  `json:"filename"`
	Duration float64 `json:"duration"`
	Width    int     `json:"width"`
	Height   int     `json:"height"`
}

type failureJSON struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

type taskJSON struct {
	ID             string                 `json:"_id"`
	IndexID        string                 `json:"index_id"`
	VideoID        string                 `json:"video_id"`
	Status         string                 `json:"status"`
	CreatedAt      string                 `json:"created_at"`
	UpdatedAt      string                 `json:"updated_at"`
	SystemMetadata taskSystemMetadataJSON `json:"system_metadata"`
	HLS            *hlsJSON               `json:"hls,omitempty"`
	// Progress and Failure are the engine's extensions (see the contract).
	Progress float64      `json:"progress"`
	Failure  *failureJSON `json:"failure,omitempty"`
}

func (s *Server) toTaskJSON(r *http.Request, t *store.Task) taskJSON {
	out := taskJSON{ID: t.ID, IndexID: t.IndexID, VideoID: t.VideoID, Status: t.Status,
		CreatedAt: wire.Time(t.CreatedAt), UpdatedAt: wire.Time(t.UpdatedAt),
		SystemMetadata: taskSystemMetadataJSON{Filename: t.Video.Filename, Duration: t.Video.Duration, Width: t.Video.Width, Height: t.Video.Height},
		HLS:            s.hlsFor(r, &t.Video), Progress: t.Progress}
	if t.Status == store.StatusFailed {
		out.Failure = &failureJSON{Code: t.FailureCode, Message: t.FailureMessage}
	}
	return out
}

var taskStatuses = []string{store.StatusUploading, store.StatusValidating, store.StatusPending, store.StatusQueued,
	store.StatusIndexing, store.StatusReady, store.StatusFailed}

func (s *Server) listTasks(w http.ResponseWriter, r *http.Request) error {
	p, pageNo, err := page(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := store.TaskFilter{IndexID: q.Get("index_id"), Filename: q.Get("filename")}
	for _, v := range q["status"] {
		for st := range strings.SplitSeq(v, ",") {
			st = strings.TrimSpace(st)
			if !contains(taskStatuses, st) {
				return wire.ParameterInvalid(fmt.Sprintf("The status %q is not a task status; use one of %s.", st, strings.Join(taskStatuses, ", ")))
			}
			f.Statuses = append(f.Statuses, st)
		}
	}
	list, total, err := s.Store.ListTasks(r.Context(), f, p)
	if err != nil {
		return err
	}
	data := make([]taskJSON, len(list))
	for i := range list {
		data[i] = s.toTaskJSON(r, &list[i])
	}
	wire.WriteJSON(w, http.StatusOK, listResponse{Data: data, PageInfo: pageInfo(pageNo, p.Limit, total)})
	return nil
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func (s *Server) getTask(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("task_id")
	t, err := s.Store.GetTask(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return notFound("task", id)
	}
	if err != nil {
		return err
	}
	wire.WriteJSON(w, http.StatusOK, s.toTaskJSON(r, t))
	return nil
}

func (s *Server) deleteTask(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("task_id")
	err := s.Ingest.DeleteTask(r.Context(), id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return notFound("task", id)
	case errors.Is(err, store.ErrTaskUnfinished):
		return wire.ParameterInvalid("The task " + id + " is still being indexed; only a ready or failed task can be deleted.")
	case errors.Is(err, store.ErrTaskVideoIndexed):
		return wire.ParameterInvalid("The task " + id + " is ready and its video is still indexed; delete the video first " +
			"(DELETE /indexes/{index-id}/videos/{video-id}), then the task.")
	case err != nil:
		return err
	}
	return noContent(w)
}

func (s *Server) tooLarge() *wire.Error {
	return wire.Errorf(http.StatusBadRequest, "video_filesize_too_large",
		fmt.Sprintf("The video file is larger than the %s limit.", ingest.HumanBytes(s.MaxUploadBytes)))
}

// Limits of the small fields of POST /tasks, each and all together.
const (
	maxFieldBytes  = 64 << 10
	maxFieldsBytes = 1 << 20
)

// taskForm is the multipart body of POST /tasks once read.
type taskForm struct {
	fields   map[string]string
	tmpPath  string // the streamed video_file, "" if none
	filename string
	size     int64
}

// readTaskForm streams the multipart body: video_file goes straight to a
// temporary file with the size limit enforced as it arrives; other fields
// are small and kept in memory.
func (s *Server) readTaskForm(r *http.Request) (*taskForm, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return nil, wire.ParameterInvalid("POST /tasks takes a multipart/form-data body.")
	}
	// The body holds the file plus a few small fields.
	if r.ContentLength > s.MaxUploadBytes+1<<20 {
		return nil, s.tooLarge()
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, wire.ParameterInvalid("The multipart body could not be read.")
	}
	form := &taskForm{fields: map[string]string{}}
	fieldBytes := 0
	fail := func(err error) (*taskForm, error) {
		form.discard()
		return nil, err
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fail(wire.ParameterInvalid("The multipart body is malformed or was cut off."))
		}
		name := part.FormName()
		if name == "video_file" {
			if form.tmpPath != "" {
				return fail(wire.ParameterInvalid("Send one video_file per task."))
			}
			if err := s.receiveFile(part, form); err != nil {
				return fail(err)
			}
			continue
		}
		b, err := io.ReadAll(io.LimitReader(part, maxFieldBytes+1))
		if err != nil {
			return fail(wire.ParameterInvalid("The multipart body is malformed or was cut off."))
		}
		if len(b) > maxFieldBytes {
			return fail(wire.ParameterInvalid("The field " + name + " is too long."))
		}
		// Fields stay in memory: without a bound on their sum, a stream of
		// many small fields would grow the map without end.
		fieldBytes += len(name) + len(b)
		if fieldBytes > maxFieldsBytes {
			return fail(wire.ParameterInvalid("The form fields besides video_file are too large together."))
		}
		form.fields[name] = string(b)
	}
	return form, nil
}

func (s *Server) receiveFile(part io.Reader, form *taskForm) error {
	f, err := os.CreateTemp(s.Ingest.TmpDir(), "upload-*")
	if err != nil {
		return err
	}
	form.tmpPath = f.Name()
	if p, ok := part.(interface{ FileName() string }); ok {
		form.filename = p.FileName()
	}
	body := &readErrors{r: part}
	n, err := io.Copy(f, io.LimitReader(body, s.MaxUploadBytes+1))
	form.size = n
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	switch {
	case err != nil && body.err != nil:
		return wire.ParameterInvalid("The upload of video_file broke off before it was complete.")
	case err != nil:
		return fmt.Errorf("store upload: %w", err) // the disk, not the client: a 500
	}
	if n > s.MaxUploadBytes {
		return s.tooLarge()
	}
	return nil
}

// readErrors remembers a read error, to tell a client that broke off from a
// disk that failed.
type readErrors struct {
	r   io.Reader
	err error
}

func (e *readErrors) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF {
		e.err = err
	}
	return n, err
}

func (f *taskForm) discard() {
	if f.tmpPath != "" {
		os.Remove(f.tmpPath)
	}
}

func (s *Server) createTask(w http.ResponseWriter, r *http.Request) error {
	form, err := s.readTaskForm(r)
	if err != nil {
		return err
	}
	defer form.discard() // a no-op once Submit has moved the file
	sub := ingest.Submission{IndexID: form.fields["index_id"], TmpPath: form.tmpPath, Filename: form.filename,
		Size: form.size, VideoURL: strings.TrimSpace(form.fields["video_url"]), EnableStream: true}
	if sub.IndexID == "" {
		return wire.ParameterNotProvided("index_id")
	}
	if ok, err := s.Store.IndexExists(r.Context(), sub.IndexID); err != nil {
		return err
	} else if !ok {
		return notFound("index", sub.IndexID)
	}
	switch {
	case form.tmpPath == "" && sub.VideoURL == "":
		return wire.ParameterNotProvided("video_file or video_url")
	case form.tmpPath != "" && sub.VideoURL != "":
		return wire.ParameterInvalid("Send either video_file or video_url, not both.")
	case sub.VideoURL != "":
		if err := s.Downloader.CheckHost(r.Context(), sub.VideoURL); err != nil {
			return wire.ParameterInvalid("The video_url is not accepted: " + err.Error())
		}
	}
	if sub.Filename == "" {
		sub.Filename = "video"
	}
	switch v := form.fields["enable_video_stream"]; strings.ToLower(v) {
	case "", "true":
	case "false":
		sub.EnableStream = false
	default:
		return wire.ParameterInvalid(fmt.Sprintf("The enable_video_stream parameter must be true or false; got %q.", v))
	}
	if raw := form.fields["user_metadata"]; raw != "" {
		if err := json.Unmarshal([]byte(raw), &sub.UserMetadata); err != nil || sub.UserMetadata == nil {
			return wire.ParameterInvalid("The user_metadata parameter must be a JSON object.")
		}
		if err := checkMetadata(sub.UserMetadata); err != nil {
			return err
		}
		for k, v := range sub.UserMetadata {
			if v == nil {
				delete(sub.UserMetadata, k)
			}
		}
	}
	created, err := s.Ingest.Submit(r.Context(), sub)
	if errors.Is(err, store.ErrNotFound) {
		return notFound("index", sub.IndexID) // deleted while the upload arrived
	}
	if err != nil {
		return err
	}
	wire.WriteJSON(w, http.StatusOK, map[string]string{"_id": created.TaskID, "video_id": created.VideoID})
	return nil
}
