package kubeletserver

import (
	"context"
	"fmt"
	"io"
	"net/http"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apiserver/pkg/util/flushwriter"
	internalapi "k8s.io/cri-api/pkg/apis"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
	"k8s.io/cri-client/pkg/logs"
	"k8s.io/klog/v2"

	"github.com/skiff-sh/skiff/nodeagent/cri"
)

// serveContainerLogs serves GET /containerLogs/{namespace}/{pod}/{container} with upstream's
// status codes and messages.
func (s *Server) serveContainerLogs(w http.ResponseWriter, req *http.Request) {
	namespace, podName, container := req.PathValue("namespace"), req.PathValue("pod"), req.PathValue("container")
	opts, err := parseLogOptions(req.URL.Query())
	if err != nil {
		writeError(w, `{"message": "Unable to decode query."}`, http.StatusBadRequest)
		return
	}
	if err := validateLogOptions(opts); err != nil {
		writeError(w, `{"message": "Invalid request."}`, http.StatusUnprocessableEntity)
		return
	}
	pod, ok := s.cfg.Pods.GetPodByName(namespace, podName)
	if !ok {
		writeError(w, fmt.Sprintf("pod %q does not exist", podName), http.StatusNotFound)
		return
	}
	if !hasContainer(pod, container) {
		writeError(w, fmt.Sprintf("container %q not found in pod %q", container, podName), http.StatusNotFound)
		return
	}
	ctx := req.Context()
	id, path, err := s.logFile(ctx, pod, container, opts.Previous)
	if err != nil {
		writeError(w, err.Error(), http.StatusBadRequest)
		return
	}
	fw := flushwriter.Wrap(w)
	w.Header().Set("Content-Type", "text/plain")
	w.Header().Set("Transfer-Encoding", "chunked")
	// A first write sends the headers, so that a follower sees the response before any output.
	if _, err := fw.Write(nil); err != nil {
		return
	}
	if err := readLogs(ctx, s.cfg.Runtime, id, path, criLogOptions(opts, s.cfg.Clock.Now()), fw, fw); err != nil && ctx.Err() == nil {
		klog.FromContext(ctx).Error(err, "Reading container logs", "pod", klog.KObj(pod), "container", container)
	}
}

// logFile finds the CRI log file of the container's current (or previous) instance; the errors
// are the kubelet's, worded from the pod's status when the runtime has no such container.
func (s *Server) logFile(ctx context.Context, pod *corev1.Pod, container string, previous bool) (id, path string, err error) {
	list, err := s.containers(ctx, pod, container)
	if err != nil {
		return "", "", err
	}
	i := 0
	if previous {
		i = 1
	}
	if i >= len(list) {
		if previous {
			return "", "", fmt.Errorf("previous terminated container %q in pod %q not found", container, pod.Name)
		}
		return "", "", notStartedError(pod, container)
	}
	id = list[i].Id
	st, err := s.cfg.Runtime.ContainerStatus(ctx, id, false)
	if err != nil {
		return "", "", fmt.Errorf("failed to get container status %q: %w", id, err)
	}
	if st.GetStatus().GetLogPath() == "" {
		return "", "", fmt.Errorf("container %q in pod %q has no log file", container, pod.Name)
	}
	return id, st.Status.LogPath, nil
}

// notStartedError is the kubelet's message for a container without an instance yet.
func notStartedError(pod *corev1.Pod, container string) error {
	for _, list := range [][]corev1.ContainerStatus{pod.Status.ContainerStatuses, pod.Status.InitContainerStatuses, pod.Status.EphemeralContainerStatuses} {
		for _, st := range list {
			if st.Name != container {
				continue
			}
			if w := st.State.Waiting; w != nil {
				switch w.Reason {
				case "ErrImagePull":
					return fmt.Errorf("container %q in pod %q is waiting to start: image can't be pulled", container, pod.Name)
				case "ImagePullBackOff":
					return fmt.Errorf("container %q in pod %q is waiting to start: trying and failing to pull image", container, pod.Name)
				}
				return fmt.Errorf("container %q in pod %q is waiting to start: %v", container, pod.Name, w.Reason)
			}
			if st.State.Terminated != nil {
				return fmt.Errorf("container %q in pod %q is terminated", container, pod.Name)
			}
		}
	}
	return fmt.Errorf("container %q in pod %q is waiting to start - no logs yet", container, pod.Name)
}

// readLogs copies a CRI log file to stdout and stderr with k8s.io/cri-client's reader, the
// kubelet's own: tail, since, timestamps, limitBytes, partial lines, and follow until the
// container stops.
func readLogs(ctx context.Context, rt cri.Runtime, containerID, path string, opts *logs.LogOptions, stdout, stderr io.Writer) error {
	return logs.ReadLogs(ctx, path, containerID, opts, statusOnly{rt: rt}, stdout, stderr)
}

// statusOnly gives logs.ReadLogs the one runtime call it makes (ContainerStatus, to stop
// following once the container has exited); the embedded nil interface is never called.
type statusOnly struct {
	internalapi.RuntimeService
	rt cri.Runtime
}

func (s statusOnly) ContainerStatus(ctx context.Context, id string, verbose bool) (*runtimeapi.ContainerStatusResponse, error) {
	return s.rt.ContainerStatus(ctx, id, verbose)
}
