package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

// fetchProfile saves a CPU profile of the given length from a pprof endpoint.
func fetchProfile(ctx context.Context, url string, seconds int, out string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s?seconds=%d", url, seconds), nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "schedbench: profile:", err)
		return
	}
	// The scheduler was just started: retry until it serves.
	var resp *http.Response
	for range 50 {
		if resp, err = http.DefaultClient.Do(req); err == nil || ctx.Err() != nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "schedbench: profile:", err)
		return
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintln(os.Stderr, "schedbench: profile:", resp.Status)
		return
	}
	f, err := os.Create(out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "schedbench: profile:", err)
		return
	}
	defer f.Close()
	if _, err := io.Copy(f, resp.Body); err != nil {
		fmt.Fprintln(os.Stderr, "schedbench: profile:", err)
	}
}

// loadAverage is the machine's 1-minute load average ("?" if unknown).
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Fields(string(data))[0]
}
