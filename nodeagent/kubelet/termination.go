package kubelet

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	corev1 "k8s.io/api/core/v1"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/skiff-sh/skiff/nodeagent/cri"
)

// Upstream's limits on termination messages.
const (
	maxTerminationMessageBytes    = 4096
	maxTerminationMessageLogBytes = 2048
	maxTerminationMessageLogLines = 80
)

// terminationMessage is an exited container's message: the runtime's, else what the container
// wrote to its termination-log file, else (FallbackToLogsOnError and a failure) its last log lines.
func terminationMessage(st *runtimeapi.ContainerStatus) string {
	if st.GetMessage() != "" {
		return st.GetMessage()
	}
	ann := st.GetAnnotations()
	fallback := ann[cri.AnnotationTerminationMessagePolicy] == string(corev1.TerminationMessageFallbackToLogsOnError) &&
		st.GetExitCode() != 0 && st.GetReason() != "ContainerCannotRun"
	path := ann[cri.AnnotationTerminationMessagePath]
	if path != "" {
		for _, m := range st.GetMounts() {
			if m.GetContainerPath() != path {
				continue
			}
			data, err := readTail(m.GetHostPath(), maxTerminationMessageBytes)
			if err != nil && !os.IsNotExist(err) {
				return fmt.Sprintf("Error on reading termination log %s: %v", m.GetHostPath(), err)
			}
			if len(data) > 0 || !fallback {
				return string(data)
			}
		}
	}
	if !fallback || st.GetLogPath() == "" {
		return ""
	}
	return lastLogLines(st.GetLogPath())
}

// readTail reads at most max bytes from the end of path.
func readTail(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if fi.Size() > max {
		if _, err := f.Seek(fi.Size()-max, io.SeekStart); err != nil {
			return nil, err
		}
	}
	return io.ReadAll(io.LimitReader(f, max))
}

// lastLogLines is the content of the last 80 lines of a CRI log file, at most 2048 bytes.
func lastLogLines(path string) string {
	data, err := readTail(path, 1<<20)
	if err != nil {
		return fmt.Sprintf("Error on reading termination message from logs: %v", err)
	}
	return criLogTail(data, maxTerminationMessageLogLines, maxTerminationMessageLogBytes)
}

// criLogTail decodes CRI log lines ("<time> <stream> <P|F> <content>") and returns the content of
// the last lines, keeping at most maxBytes from the end.
func criLogTail(data []byte, lines, maxBytes int) string {
	var out []string
	partial := ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		f := strings.SplitN(sc.Text(), " ", 4)
		if len(f) < 3 {
			continue
		}
		content := ""
		if len(f) == 4 {
			content = f[3]
		}
		if f[2] == "P" {
			partial += content
			continue
		}
		out = append(out, partial+content+"\n")
		partial = ""
	}
	if len(out) > lines {
		out = out[len(out)-lines:]
	}
	s := strings.Join(out, "")
	if len(s) > maxBytes {
		s = s[len(s)-maxBytes:]
	}
	return s
}
