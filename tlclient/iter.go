package tlclient

import (
	"context"
	"iter"
)

// pages lazily walks a numbered list: it asks for page 1, 2, ... and stops on
// the first empty page (the live API's end marker; total_page is not trusted).
func pages[T any](ctx context.Context, first int, fetch func(ctx context.Context, page int) ([]T, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		page := max(first, 1)
		for {
			items, err := fetch(ctx, page)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			if len(items) == 0 {
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			page++
		}
	}
}
