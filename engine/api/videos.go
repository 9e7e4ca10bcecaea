package api

import (
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"glimpse/engine/media"
	"glimpse/engine/pipeline"
	"glimpse/engine/store"
	"glimpse/engine/wire"
)

type systemMetadataJSON struct {
	Filename   string  `json:"filename"`
	Duration   float64 `json:"duration"`
	FPS        float64 `json:"fps"`
	Width      int     `json:"width"`
	Height     int     `json:"height"`
	Size       int64   `json:"size"`
	VideoTitle string  `json:"video_title"`
}

type hlsJSON struct {
	VideoURL      string   `json:"video_url,omitempty"`
	ThumbnailURLs []string `json:"thumbnail_urls"`
	Status        string   `json:"status"`
	UpdatedAt     string   `json:"updated_at"`
}

type videoJSON struct {
	ID             string             `json:"_id"`
	CreatedAt      string             `json:"created_at"`
	UpdatedAt      string             `json:"updated_at"`
	IndexedAt      string             `json:"indexed_at,omitempty"`
	SystemMetadata systemMetadataJSON `json:"system_metadata"`
	UserMetadata   map[string]any     `json:"user_metadata"`
	HLS            *hlsJSON           `json:"hls,omitempty"`
	Transcription  []pipeline.Span    `json:"transcription,omitempty"`
	// Embedding answers embedding_option (GET of one video).
	Embedding *videoEmbeddingJSON `json:"embedding,omitempty"`
}

type videoEmbeddingJSON struct {
	ModelName      string        `json:"model_name"`
	VideoEmbedding *segmentsJSON `json:"video_embedding"`
}

func toVideoJSON(v *store.Video) videoJSON {
	title := v.Title
	if title == "" {
		title = strings.TrimSuffix(v.Filename, filepath.Ext(v.Filename))
	}
	out := videoJSON{ID: v.ID, CreatedAt: wire.Time(v.CreatedAt), UpdatedAt: wire.Time(v.UpdatedAt),
		SystemMetadata: systemMetadataJSON{Filename: v.Filename, Duration: v.Duration, FPS: v.FPS,
			Width: v.Width, Height: v.Height, Size: v.Size, VideoTitle: title},
		UserMetadata: v.UserMetadata}
	if !v.IndexedAt.IsZero() {
		out.IndexedAt = wire.Time(v.IndexedAt)
	}
	if out.UserMetadata == nil {
		out.UserMetadata = map[string]any{}
	}
	return out
}

// hlsFor is the hls object of a video that keeps a stream, or nil.
func (s *Server) hlsFor(r *http.Request, v *store.Video) *hlsJSON {
	if !v.EnableStream || v.HLSStatus == "" {
		return nil
	}
	h := &hlsJSON{Status: v.HLSStatus, UpdatedAt: wire.Time(v.UpdatedAt), ThumbnailURLs: []string{}}
	if v.HLSStatus == "COMPLETE" {
		h.VideoURL = s.Media.URL(r, v.ID, media.HLSDir+"/"+media.PlaylistName)
	}
	for _, t := range v.Thumbnails {
		h.ThumbnailURLs = append(h.ThumbnailURLs, s.Media.URL(r, v.ID, t))
	}
	return h
}

// readyVideo finds a ready video of an index; others do not exist yet.
func (s *Server) readyVideo(r *http.Request) (*store.Video, error) {
	indexID, videoID := r.PathValue("index_id"), r.PathValue("video_id")
	if ok, err := s.Store.IndexExists(r.Context(), indexID); err != nil {
		return nil, err
	} else if !ok {
		return nil, notFound("index", indexID)
	}
	v, err := s.Store.GetVideo(r.Context(), indexID, videoID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !v.Ready) {
		return nil, notFound("video", videoID)
	}
	return v, err
}

func (s *Server) listVideos(w http.ResponseWriter, r *http.Request) error {
	indexID := r.PathValue("index_id")
	p, pageNo, err := page(r)
	if err != nil {
		return err
	}
	if ok, err := s.Store.IndexExists(r.Context(), indexID); err != nil {
		return err
	} else if !ok {
		return notFound("index", indexID)
	}
	list, total, err := s.Store.ListVideos(r.Context(), indexID, r.URL.Query().Get("filename"), p)
	if err != nil {
		return err
	}
	data := make([]videoJSON, len(list))
	for i := range list {
		data[i] = toVideoJSON(&list[i])
	}
	wire.WriteJSON(w, http.StatusOK, listResponse{Data: data, PageInfo: pageInfo(pageNo, p.Limit, total)})
	return nil
}

func (s *Server) getVideo(w http.ResponseWriter, r *http.Request) error {
	v, err := s.readyVideo(r)
	if err != nil {
		return err
	}
	out := toVideoJSON(v)
	out.HLS = s.hlsFor(r, v)
	switch r.URL.Query().Get("transcription") {
	case "", "false":
	case "true":
		u, err := pipeline.LoadUnderstanding(s.Store.VideoDir(v.ID))
		if err != nil {
			return err
		}
		// The wire's transcription items are {start, end, value}: the
		// word confidences stay inside the engine.
		out.Transcription = make([]pipeline.Span, len(u.Transcript))
		for i, sp := range u.Transcript {
			sp.Conf = nil
			out.Transcription[i] = sp
		}
	default:
		return wire.ParameterInvalid("The transcription parameter must be true or false.")
	}
	if asked := r.URL.Query()["embedding_option"]; len(asked) > 0 {
		if s.EmbedTasks == nil {
			return wire.ParameterInvalid("Embeddings are not enabled on this engine.")
		}
		model, segs, err := s.EmbedTasks.VideoEmbeddings(r.Context(), v.ID)
		if err != nil {
			return err
		}
		if err := checkEmbeddingOptions(asked, model); err != nil {
			return err
		}
		out.Embedding = &videoEmbeddingJSON{ModelName: model, VideoEmbedding: segmentsView(segs)}
	}
	if out.Transcription != nil {
		// omitempty would hide an empty transcript the client asked for.
		wire.WriteJSON(w, http.StatusOK, struct {
			videoJSON
			Transcription []pipeline.Span `json:"transcription"`
		}{out, out.Transcription})
		return nil
	}
	wire.WriteJSON(w, http.StatusOK, out)
	return nil
}

// patchVideo is the live update: {user_metadata}, a null value deletes a key.
func (s *Server) patchVideo(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		UserMetadata map[string]any `json:"user_metadata"`
	}
	if err := decodeJSON(r, &req, plainJSON); err != nil {
		return err
	}
	if req.UserMetadata == nil {
		return wire.ParameterNotProvided("user_metadata")
	}
	return s.updateVideo(w, r, nil, req.UserMetadata)
}

// putVideo is the update of the API description: {video_title, user_metadata}.
func (s *Server) putVideo(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		VideoTitle   *string        `json:"video_title"`
		UserMetadata map[string]any `json:"user_metadata"`
	}
	if err := decodeJSON(r, &req, plainJSON); err != nil {
		return err
	}
	if req.VideoTitle == nil && req.UserMetadata == nil {
		return wire.ParameterNotProvided("video_title or user_metadata")
	}
	return s.updateVideo(w, r, req.VideoTitle, req.UserMetadata)
}

func (s *Server) updateVideo(w http.ResponseWriter, r *http.Request, title *string, meta map[string]any) error {
	if err := checkMetadata(meta); err != nil {
		return err
	}
	v, err := s.readyVideo(r)
	if err != nil {
		return err
	}
	err = s.Store.UpdateVideo(r.Context(), v.IndexID, v.ID, title, meta, time.Now())
	if errors.Is(err, store.ErrNotFound) {
		return notFound("video", v.ID)
	}
	if err != nil {
		return err
	}
	return noContent(w)
}

func (s *Server) deleteVideo(w http.ResponseWriter, r *http.Request) error {
	indexID, videoID := r.PathValue("index_id"), r.PathValue("video_id")
	err := s.Ingest.DeleteVideo(r.Context(), indexID, videoID)
	if errors.Is(err, store.ErrNotFound) {
		return notFound("video", videoID)
	}
	if err != nil {
		return err
	}
	return noContent(w)
}
