package prober

import (
	"context"
	"errors"
	"strings"
	"time"

	remote "k8s.io/cri-client/pkg"
	utilexec "k8s.io/utils/exec"

	"github.com/skiff-sh/skiff/nodeagent/cri"
)

// maxOutput bounds what a probe keeps of a command's output or a response body, as upstream.
const maxOutput = 10 << 10

// runtimeID is the runtime's ID of a container from its status's "containerd://<id>".
func runtimeID(containerID string) string {
	if _, id, ok := strings.Cut(containerID, "://"); ok {
		return id
	}
	return containerID
}

// execInContainer runs cmd in the container through the runtime's ExecSync and returns stdout
// followed by stderr, as upstream's RunInContainer.
func execInContainer(ctx context.Context, rt cri.Runtime, containerID string, cmd []string, timeout time.Duration) ([]byte, error) {
	stdout, stderr, err := rt.ExecSync(ctx, runtimeID(containerID), cmd, timeout)
	return append(stdout, stderr...), err
}

// execProbe succeeds when cmd exits 0; a non-zero exit fails with the command's output, a
// timeout fails with the runtime's message, and anything else is an error.
func execProbe(ctx context.Context, rt cri.Runtime, containerID string, cmd []string, timeout time.Duration) (result, string, error) {
	out, err := execInContainer(ctx, rt, containerID, cmd, timeout)
	if len(out) > maxOutput {
		out = out[:maxOutput]
	}
	if err == nil {
		return success, string(out), nil
	}
	var exit utilexec.ExitError
	if errors.As(err, &exit) {
		if exit.ExitStatus() == 0 {
			return success, string(out), nil
		}
		return failure, string(out), nil
	}
	if errors.Is(err, remote.ErrCommandTimedOut) {
		return failure, err.Error(), nil
	}
	return unknown, "", err
}
