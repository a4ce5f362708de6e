package job

import "time"

// SetPodFailureBackoff shortens the pod failure back-off for a test; the returned func
// restores it. Call it before starting the controller and restore after it stopped.
func SetPodFailureBackoff(base time.Duration) (restore func()) {
	old := podFailureBackoff
	podFailureBackoff = base
	return func() { podFailureBackoff = old }
}
