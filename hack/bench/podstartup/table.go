package main

import (
	"fmt"
	"strings"
	"time"
)

// latencyHeader heads the rows printTables prints first. Times are ms from the client's create
// call; CRI is RunPodSandbox+CreateContainer+StartContainer of the same number of sandboxes at
// the same pace straight on the runtime; overhead is created-to-Ready minus CRI.
const latencyHeader = "| run | pods | created→Running p50 / p99 | created→Ready p50 / p90 / p99 / max | CRI sandbox+container p50 / p99 | overhead p50 / p99 / mean | all Ready after s | load |\n|---|---|---|---|---|---|---|---|"

// breakdownHeader: the pods' phases (ms, p50 / p99) from the watch and the runtime's
// timestamps; then the baseline's CRI calls (p50) and where in RunPodSandbox containerd stamps
// the sandbox's CreatedAt (p50 ms after the call).
var breakdownHeader = "| run | " + strings.Join(phaseNames[:], " | ") + " | CRI RunPodSandbox / CreateContainer / StartContainer | sandbox CreatedAt at | agent CPU s (per pod ms) | containerd CPU s |\n|---|---|---|---|---|---|---|---|---|---|"

const memoryHeader = "| run | pods running | agent RSS MiB | agent peak RSS (VmHWM) MiB | containerd RSS MiB | shims RSS MiB (count) | load |\n|---|---|---|---|---|---|---|"

func runLabel(r result) string {
	if r.rate == 0 {
		return r.name + " (all at once)"
	}
	return fmt.Sprintf("%s (%g/s)", r.name, r.rate)
}

func criTotals(ts []criTimes) []time.Duration {
	out := make([]time.Duration, len(ts))
	for i, t := range ts {
		out[i] = t.total()
	}
	return out
}

// verbP50s are the CRI calls' p50s, and where in RunPodSandbox the sandbox was stamped.
func verbP50s(ts []criTimes) (string, string) {
	var a, b, c, d []time.Duration
	for _, t := range ts {
		a, b, c, d = append(a, t.sandbox), append(b, t.create), append(c, t.start), append(d, t.stamped)
	}
	p50 := func(ds []time.Duration) string { return ms(pct(sorted(ds), 50)) }
	return fmt.Sprintf("%s / %s / %s", p50(a), p50(b), p50(c)), p50(d)
}

func printTables(seq []criTimes, results []result) {
	fmt.Println(latencyHeader)
	s := summarize(criTotals(seq))
	fmt.Printf("| CRI only, sequential | %d | - | - | %s / %s | - | %.1f | %s |\n", s.n, ms(s.p50), ms(s.p99), float64(s.n)*s.mean.Seconds(), loadAverage())
	for _, r := range results {
		run, ready, c := summarize(r.running), summarize(r.ready), summarize(criTotals(r.cri))
		fmt.Printf("| %s | %d | %s / %s | %s / %s / %s / %s | %s / %s | %s / %s / %s | %.1f | %s |\n", runLabel(r), ready.n,
			ms(run.p50), ms(run.p99), ms(ready.p50), ms(ready.p90), ms(ready.p99), ms(ready.max), ms(c.p50), ms(c.p99),
			ms(ready.p50-c.p50), ms(ready.p99-c.p99), ms(ready.mean-c.mean), r.wall.Seconds(), r.load)
	}
	fmt.Println()
	fmt.Println(breakdownHeader)
	verbs, stamped := verbP50s(seq)
	fmt.Printf("| CRI only, sequential |%s %s | %s | - | - |\n", strings.Repeat(" - |", len(phaseNames)), verbs, stamped)
	for _, r := range results {
		var phases []string
		for _, ds := range r.phases {
			s := summarize(ds)
			phases = append(phases, ms(s.p50)+" / "+ms(s.p99))
		}
		verbs, stamped := verbP50s(r.cri)
		fmt.Printf("| %s | %s | %s | %s | %.1f (%.0f) | %.1f |\n", runLabel(r), strings.Join(phases, " | "), verbs, stamped,
			r.agentCPU.Seconds(), float64(r.agentCPU.Milliseconds())/float64(max(1, len(r.ready))), r.containerdCPU.Seconds())
	}
	fmt.Println()
	fmt.Println(memoryHeader)
	for _, r := range results {
		fmt.Printf("| %s | %d | %s | %.0f | %s | %s (%d) | %s |\n", runLabel(r), len(r.ready), r.agent, float64(r.agent.hwm)/1024,
			r.containerd, r.shims, r.shims.n, r.load)
	}
}
