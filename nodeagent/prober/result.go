package prober

import (
	"k8s.io/apimachinery/pkg/types"
)

// result is the outcome of one probe, as upstream's probe results.
type result string

const (
	success result = "success"
	// warning is a success with something worth an event (a redirect that was not followed).
	warning result = "warning"
	failure result = "failure"
	// unknown comes with an error: the probe could not run; the worker throws it away.
	unknown result = "unknown"
)

// probeType is the kind of a probe; its String is the word upstream's events start with.
type probeType int

const (
	liveness probeType = iota
	readiness
	startup
)

func (t probeType) String() string {
	switch t {
	case liveness:
		return "Liveness"
	case readiness:
		return "Readiness"
	case startup:
		return "Startup"
	}
	return "UNKNOWN"
}

// Failure is a container that failed its liveness or startup probe beyond the probe's failure
// threshold. The kubelet kills it and, as its restart policy says, starts it again; upstream
// words the kill "Container NAME failed liveness probe, will be restarted" (Message without the
// ", will be restarted", which depends on the restart policy).
type Failure struct {
	Pod       types.UID
	Container string
	// Probe is "Liveness" or "Startup".
	Probe   string
	Message string
}
