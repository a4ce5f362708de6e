package apilimit

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/rest"
)

// The server holds every request until release is closed and counts the ones it holds.
func TestLimit(t *testing.T) {
	var inFlight, peak atomic.Int32
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		<-release
		_, _ = w.Write([]byte("{}"))
	}))
	defer srv.Close()

	config := &rest.Config{Host: srv.URL}
	Limit(config, 3)
	rt, err := rest.TransportFor(config)
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) error {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		resp, err := rt.RoundTrip(req)
		if err != nil {
			return err
		}
		return resp.Body.Close()
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if err := get("/api/v1/pods"); err != nil {
				t.Error(err)
			}
		})
	}
	// Two watches get through although all slots are taken.
	for range 2 {
		wg.Go(func() {
			if err := get("/api/v1/pods?watch=true"); err != nil {
				t.Error(err)
			}
		})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := wait.PollUntilContextCancel(ctx, 10*time.Millisecond, true, func(context.Context) (bool, error) {
		return inFlight.Load() == 5, nil
	}); err != nil {
		t.Fatalf("requests at the server = %d, want 3 requests and 2 watches", inFlight.Load())
	}
	// A waiting request gives up with its context.
	reqCtx, reqCancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer reqCancel()
	req, _ := http.NewRequestWithContext(reqCtx, http.MethodGet, srv.URL+"/api/v1/nodes", nil)
	if _, err := rt.RoundTrip(req); err == nil {
		t.Error("a request waiting for a slot did not end with its context")
	}
	close(release)
	wg.Wait()
	if p := peak.Load(); p != 5 {
		t.Errorf("peak at the server = %d, want 5", p)
	}
}
