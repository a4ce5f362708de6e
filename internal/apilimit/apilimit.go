package apilimit

import (
	"io"
	"net/http"
	"sync"

	"k8s.io/client-go/rest"
)

// DefaultMaxInFlight keeps a client's requests, with its watches, within the 100 streams an API
// server's HTTP/2 connection allows by default.
const DefaultMaxInFlight = 64

// Limit makes config's clients wait while max requests other than watches are in flight
// (max <= 0: DefaultMaxInFlight). The slots are shared by every client built from config.
//
// Why: Go's HTTP/2 client opens a further connection whenever the server's stream limit (100)
// is reached. A scheduler binding a backlog, or thousands of simulated node heartbeats, then
// opened thousands of connections to a busy server; their TLS handshakes took the CPU the server
// needed for the requests, requests timed out and were retried, and the server collapsed. A
// request waiting here for a slot costs nothing.
func Limit(config *rest.Config, max int) {
	if max <= 0 {
		max = DefaultMaxInFlight
	}
	slots := make(chan struct{}, max)
	config.Wrap(func(rt http.RoundTripper) http.RoundTripper { return &limiter{next: rt, slots: slots} })
}

type limiter struct {
	next  http.RoundTripper
	slots chan struct{}
}

func (l *limiter) RoundTrip(req *http.Request) (*http.Response, error) {
	if isWatch(req) {
		return l.next.RoundTrip(req)
	}
	select {
	case l.slots <- struct{}{}:
	case <-req.Context().Done():
		return nil, req.Context().Err()
	}
	var once sync.Once
	release := func() { once.Do(func() { <-l.slots }) }
	resp, err := l.next.RoundTrip(req)
	if err != nil || resp.Body == nil {
		release()
		return resp, err
	}
	// The stream stays open until the body is read to the end or closed.
	resp.Body = &releasingBody{ReadCloser: resp.Body, release: release}
	return resp, nil
}

// WrappedRoundTripper lets client-go's debugging wrappers see the next round tripper.
func (l *limiter) WrappedRoundTripper() http.RoundTripper { return l.next }

func isWatch(req *http.Request) bool {
	switch req.URL.Query().Get("watch") {
	case "true", "1":
		return true
	}
	return false
}

type releasingBody struct {
	io.ReadCloser
	release func()
}

func (b *releasingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil {
		b.release()
	}
	return n, err
}

func (b *releasingBody) Close() error {
	err := b.ReadCloser.Close()
	b.release()
	return err
}
