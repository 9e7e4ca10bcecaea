package api

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"glimpse/engine/store"
	"glimpse/engine/wire"
)

// Models the engine accepts by name and the options each may enable.
var knownModels = []string{"marengo2.6", "marengo2.7", "marengo3.0", "pegasus1.1", "pegasus1.2"}

type modelJSON struct {
	ModelName    string   `json:"model_name"`
	ModelOptions []string `json:"model_options"`
}

type indexJSON struct {
	ID            string      `json:"_id"`
	IndexName     string      `json:"index_name"`
	Models        []modelJSON `json:"models"`
	Addons        []string    `json:"addons"`
	VideoCount    int         `json:"video_count"`
	TotalDuration float64     `json:"total_duration"`
	CreatedAt     string      `json:"created_at"`
	UpdatedAt     string      `json:"updated_at"`
}

func toIndexJSON(ix *store.Index) indexJSON {
	out := indexJSON{ID: ix.ID, IndexName: ix.Name, Addons: ix.Addons, VideoCount: ix.VideoCount,
		TotalDuration: ix.TotalDuration, CreatedAt: wire.Time(ix.CreatedAt), UpdatedAt: wire.Time(ix.UpdatedAt),
		Models: make([]modelJSON, len(ix.Models))}
	for i, m := range ix.Models {
		out.Models[i] = modelJSON{ModelName: m.Name, ModelOptions: m.Options}
	}
	if out.Addons == nil {
		out.Addons = []string{}
	}
	return out
}

func (s *Server) listIndexes(w http.ResponseWriter, r *http.Request) error {
	p, pageNo, err := page(r)
	if err != nil {
		return err
	}
	list, total, err := s.Store.ListIndexes(r.Context(), r.URL.Query().Get("index_name"), p)
	if err != nil {
		return err
	}
	data := make([]indexJSON, len(list))
	for i := range list {
		data[i] = toIndexJSON(&list[i])
	}
	wire.WriteJSON(w, http.StatusOK, listResponse{Data: data, PageInfo: pageInfo(pageNo, p.Limit, total)})
	return nil
}

type createIndexRequest struct {
	IndexName *string     `json:"index_name"`
	Models    []modelJSON `json:"models"`
	Addons    []string    `json:"addons"`
}

func (s *Server) createIndex(w http.ResponseWriter, r *http.Request) error {
	var req createIndexRequest
	if err := decodeJSON(r, &req, strictJSON); err != nil {
		return err
	}
	if req.IndexName == nil {
		return wire.ParameterNotProvided("index_name")
	}
	name, err := checkIndexName(*req.IndexName)
	if err != nil {
		return err
	}
	if len(req.Models) == 0 {
		return wire.ParameterNotProvided("models")
	}
	models, err := checkModels(req.Models)
	if err != nil {
		return err
	}
	for _, a := range req.Addons {
		if a != "thumbnail" {
			return wire.ParameterInvalid(fmt.Sprintf("The addon %q is not supported; the only addon is \"thumbnail\".", a))
		}
	}
	now := time.Now()
	ix := &store.Index{ID: wire.NewID(), Name: name, Models: models, Addons: slices.Compact(slices.Sorted(slices.Values(req.Addons))),
		CreatedAt: now, UpdatedAt: now}
	if err := s.Store.CreateIndex(r.Context(), ix); err != nil {
		if errors.Is(err, store.ErrNameTaken) {
			return nameTaken(name)
		}
		return err
	}
	wire.WriteJSON(w, http.StatusCreated, map[string]string{"_id": ix.ID})
	return nil
}

func nameTaken(name string) error {
	return wire.Errorf(http.StatusConflict, "index_name_already_exists", fmt.Sprintf("An index named %q already exists; choose another name.", name))
}

func checkIndexName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", wire.ParameterInvalid("The index_name parameter must not be empty.")
	}
	if len(name) > 200 {
		return "", wire.ParameterInvalid("The index_name parameter must be at most 200 characters.")
	}
	return name, nil
}

func checkModels(in []modelJSON) ([]store.Model, error) {
	var out []store.Model
	for _, m := range in {
		if !slices.Contains(knownModels, m.ModelName) {
			return nil, wire.ParameterInvalid(fmt.Sprintf("The model %q is not supported; use one of %s.", m.ModelName, strings.Join(knownModels, ", ")))
		}
		if len(m.ModelOptions) == 0 {
			return nil, wire.ParameterInvalid(fmt.Sprintf("The model %s needs model_options: visual, audio or both.", m.ModelName))
		}
		for _, o := range m.ModelOptions {
			if o != "visual" && o != "audio" {
				return nil, wire.ParameterInvalid(fmt.Sprintf("The model option %q is not supported; use visual or audio.", o))
			}
		}
		for _, prev := range out {
			if prev.Name == m.ModelName {
				return nil, wire.ParameterInvalid("The model " + m.ModelName + " is listed twice.")
			}
		}
		out = append(out, store.Model{Name: m.ModelName, Options: slices.Compact(slices.Clone(m.ModelOptions))})
	}
	return out, nil
}

func (s *Server) getIndex(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("index_id")
	ix, err := s.Store.GetIndex(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return notFound("index", id)
	}
	if err != nil {
		return err
	}
	wire.WriteJSON(w, http.StatusOK, toIndexJSON(ix))
	return nil
}

func (s *Server) updateIndex(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("index_id")
	var req struct {
		IndexName *string `json:"index_name"`
	}
	if err := decodeJSON(r, &req, plainJSON); err != nil {
		return err
	}
	if req.IndexName == nil {
		return wire.ParameterNotProvided("index_name")
	}
	name, err := checkIndexName(*req.IndexName)
	if err != nil {
		return err
	}
	switch err := s.Store.RenameIndex(r.Context(), id, name, time.Now()); {
	case errors.Is(err, store.ErrNotFound):
		return notFound("index", id)
	case errors.Is(err, store.ErrNameTaken):
		return nameTaken(name)
	case err != nil:
		return err
	}
	return noContent(w)
}

func (s *Server) deleteIndex(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("index_id")
	err := s.Ingest.DeleteIndex(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return notFound("index", id)
	}
	if err != nil {
		return err
	}
	return noContent(w)
}
