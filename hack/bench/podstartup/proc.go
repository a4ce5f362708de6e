package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// memory is a process's (or a group's) resident memory in KiB.
type memory struct {
	rss, hwm int64
	n        int
}

func (m memory) String() string {
	if m.n == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f", float64(m.rss)/1024)
}

// procMemory reads VmRSS and VmHWM of pid.
func procMemory(pid int) memory {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return memory{}
	}
	m := memory{n: 1}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		v, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			m.rss = v
		case "VmHWM:":
			m.hwm = v
		}
	}
	return m
}

// sumMemory adds up the memory of pids.
func sumMemory(pids []int) memory {
	var total memory
	for _, pid := range pids {
		m := procMemory(pid)
		total.rss += m.rss
		total.hwm += m.hwm
		total.n += m.n
	}
	return total
}

// comm is the process's command name.
func comm(pid int) string {
	data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	return strings.TrimSpace(string(data))
}

// childrenNamed lists the children of pid whose command name is name.
func childrenNamed(pid int, name string) []int {
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	var out []int
	for _, t := range tasks {
		data, _ := os.ReadFile(t)
		for _, f := range strings.Fields(string(data)) {
			if child, err := strconv.Atoi(f); err == nil && comm(child) == name {
				out = append(out, child)
			}
		}
	}
	return out
}

// shims lists the containerd shims whose command line names the containerd socket (so: of the
// containerd under test).
func shims(socket string) []int {
	entries, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || !strings.HasPrefix(comm(pid), "containerd-shim") {
			continue
		}
		cmdline, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if bytes.Contains(cmdline, []byte(socket)) {
			out = append(out, pid)
		}
	}
	return out
}

func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Fields(string(data))[0]
}
