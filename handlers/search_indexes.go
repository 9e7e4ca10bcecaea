// The indexes a search offers and searches by default.

package handlers

import (
	"context"
	"slices"
	"strings"

	"glimpse/templates"
	"glimpse/tlclient"
)

// listAllIndexes lists the indexes for the form's choice (the first 50 is plenty for a form).
func listAllIndexes(ctx context.Context, api SearchAPI) ([]tlclient.Index, error) {
	page, err := api.ListIndexes(ctx, tlclient.ListIndexesParams{PageLimit: 50})
	if err != nil {
		return nil, err
	}
	return page.Data, nil
}

// searchableWithVideos are the indexes a search names no index for: every
// one that has videos and a Marengo model (the search model), at most
// maxSearchIndexes.
func searchableWithVideos(indexes []tlclient.Index) []string {
	var ids []string
	for _, ix := range indexes {
		searchable := slices.ContainsFunc(ix.Models, func(m tlclient.IndexModel) bool {
			return strings.HasPrefix(m.ModelName, "marengo")
		})
		if ix.VideoCount > 0 && searchable && len(ids) < maxSearchIndexes {
			ids = append(ids, ix.ID)
		}
	}
	return ids
}

func indexName(indexes []tlclient.Index, id string) string {
	for _, ix := range indexes {
		if ix.ID == id {
			return ix.IndexName
		}
	}
	return "Index " + id
}

func indexOptions(indexes []tlclient.Index, selected []string) []templates.IndexOption {
	opts := make([]templates.IndexOption, 0, len(indexes))
	for _, ix := range indexes {
		opts = append(opts, templates.IndexOption{
			ID: ix.ID, Name: ix.IndexName, VideoCount: ix.VideoCount,
			Selected: slices.Contains(selected, ix.ID),
		})
	}
	// An index in the URL that the list doesn't hold still shows, checked.
	for _, id := range selected {
		if !slices.ContainsFunc(opts, func(o templates.IndexOption) bool { return o.ID == id }) {
			opts = append(opts, templates.IndexOption{ID: id, Name: "Index " + id, Selected: true})
		}
	}
	return opts
}
