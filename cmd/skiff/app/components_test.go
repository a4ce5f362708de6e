package app

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"k8s.io/client-go/rest"

	"github.com/skiff-sh/skiff/internal/leader"
)

func TestSuperviseComponent(t *testing.T) {
	failure := errors.New("boom")
	tests := []struct {
		name string
		// results are what successive runs return; the run after the last blocks until the
		// context ends.
		results  []error
		wantRuns int
		wantErr  error
	}{
		{name: "a failure stops the server", results: []error{failure}, wantRuns: 1, wantErr: failure},
		{name: "a clean return stops supervision", results: []error{nil}, wantRuns: 1},
		{name: "a lost Lease starts it again", results: []error{fmt.Errorf("scheduler: %w", leader.ErrLost), leader.ErrLost, failure}, wantRuns: 3, wantErr: failure},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runs := 0
			c := component{name: "test", run: func(ctx context.Context, _ *rest.Config) error {
				runs++
				if runs > len(tt.results) {
					<-ctx.Done()
					return nil
				}
				return tt.results[runs-1]
			}}
			err := superviseComponent(t.Context(), c, &rest.Config{}, 0)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			if runs != tt.wantRuns {
				t.Errorf("runs = %d, want %d", runs, tt.wantRuns)
			}
		})
	}

	// A Lease lost while the server stops ends supervision quietly, without another run.
	ctx, cancel := context.WithCancel(t.Context())
	runs := 0
	c := component{name: "test", run: func(context.Context, *rest.Config) error {
		runs++
		cancel()
		return leader.ErrLost
	}}
	if err := superviseComponent(ctx, c, &rest.Config{}, 0); err != nil || runs != 1 {
		t.Errorf("after shutdown: err = %v, runs = %d; want nil and 1 run", err, runs)
	}
}
