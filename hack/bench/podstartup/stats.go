package main

import (
	"fmt"
	"slices"
	"time"
)

// pct is the p-th percentile (nearest rank) of sorted.
func pct(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p/100+0.999999) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func mean(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	return sum / time.Duration(len(ds))
}

// sorted returns a sorted copy of ds.
func sorted(ds []time.Duration) []time.Duration {
	out := slices.Clone(ds)
	slices.Sort(out)
	return out
}

// ms formats d in milliseconds.
func ms(d time.Duration) string {
	return fmt.Sprintf("%.0f", float64(d)/float64(time.Millisecond))
}

// summary is p50/p90/p99/max of a sample.
type summary struct {
	n                        int
	p50, p90, p99, max, mean time.Duration
}

func summarize(ds []time.Duration) summary {
	s := sorted(ds)
	return summary{n: len(s), p50: pct(s, 50), p90: pct(s, 90), p99: pct(s, 99), max: pct(s, 100), mean: mean(s)}
}
