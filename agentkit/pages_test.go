package agentkit

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/cosmos/cosmos-sdk/types/query"
)

// A list longer than a page is read to its end, page by page, following
// the next keys; a loop that stops early reads no further page; an error
// ends the walk and is reported.
func TestPagesReadEveryPage(t *testing.T) {
	const total = 2*pageSize + 17
	reads := 0
	fetch := func(failAt int) func(ctx context.Context, page *query.PageRequest) ([]int, *query.PageResponse, error) {
		return func(_ context.Context, page *query.PageRequest) ([]int, *query.PageResponse, error) {
			reads++
			start := 0
			if len(page.Key) > 0 {
				if _, err := fmt.Sscan(string(page.Key), &start); err != nil {
					return nil, nil, err
				}
			}
			if page.Limit != pageSize || !page.Reverse {
				return nil, nil, fmt.Errorf("page request %+v", page)
			}
			if failAt >= 0 && start >= failAt {
				return nil, nil, errors.New("node went away")
			}
			var items []int
			for i := start; i < total && len(items) < int(page.Limit); i++ {
				items = append(items, i)
			}
			res := &query.PageResponse{}
			if next := start + len(items); next < total {
				res.NextKey = []byte(fmt.Sprint(next))
			}
			return items, res, nil
		}
	}
	got, err := collect(pages(context.Background(), true, fetch(-1)))
	if err != nil || len(got) != total || got[total-1] != total-1 || reads != 3 {
		t.Fatalf("read %d items in %d pages (%v)", len(got), reads, err)
	}
	reads = 0
	for i, err := range pages(context.Background(), true, fetch(-1)) {
		if err != nil || i == 5 {
			break
		}
	}
	if reads != 1 {
		t.Fatalf("stopping early read %d pages", reads)
	}
	if _, err := collect(pages(context.Background(), true, fetch(pageSize))); err == nil {
		t.Fatal("an error on the second page was lost")
	}
}
