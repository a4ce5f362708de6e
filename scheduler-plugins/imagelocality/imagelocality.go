package imagelocality

import (
	"context"
	"strings"
	"sync/atomic"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/sets"
	fwk "k8s.io/kube-scheduler/framework"
)

// Name is the plugin's name in the registry and in configurations.
const Name = "ImageLocality"

// Score bounds: the sizes of 90% of the images on Docker Hub fall between them.
const (
	mb                    int64 = 1024 * 1024
	minThreshold          int64 = 23 * mb
	maxContainerThreshold int64 = 1000 * mb
)

// Plugin scores nodes by the images they already have.
type Plugin struct {
	handle fwk.Handle
	// last caches the normalised image names of the pod being scored, so Score doesn't
	// rebuild them for every node.
	last atomic.Pointer[podImages]
}

// podImages are a pod's normalised image names (init containers, containers, image volumes).
type podImages struct {
	pod   *corev1.Pod
	names []string
}

func (pl *Plugin) images(pod *corev1.Pod) []string {
	if c := pl.last.Load(); c != nil && c.pod == pod {
		return c.names
	}
	c := &podImages{pod: pod}
	for i := range pod.Spec.InitContainers {
		c.names = append(c.names, normalizedImageName(pod.Spec.InitContainers[i].Image))
	}
	for i := range pod.Spec.Containers {
		c.names = append(c.names, normalizedImageName(pod.Spec.Containers[i].Image))
	}
	for i := range pod.Spec.Volumes {
		if v := pod.Spec.Volumes[i].Image; v != nil {
			c.names = append(c.names, normalizedImageName(v.Reference))
		}
	}
	pl.last.Store(c)
	return c.names
}

var (
	_ fwk.ScorePlugin = &Plugin{}
	_ fwk.SignPlugin  = &Plugin{}
)

// New returns the plugin; it takes no args.
func New(_ context.Context, _ runtime.Object, h fwk.Handle) (fwk.Plugin, error) {
	return &Plugin{handle: h}, nil
}

// Name returns Name.
func (*Plugin) Name() string { return Name }

// SignPod: the result depends on the pod's image names.
func (*Plugin) SignPod(_ context.Context, pod *corev1.Pod) ([]fwk.SignFragment, *fwk.Status) {
	names := sets.New[string]()
	for _, c := range pod.Spec.Containers {
		names.Insert(normalizedImageName(c.Image))
	}
	for _, c := range pod.Spec.InitContainers {
		names.Insert(normalizedImageName(c.Image))
	}
	return []fwk.SignFragment{{Key: fwk.ImageNamesSignerName, Value: sets.List(names)}}, nil
}

// Score sums the sizes of the pod's images present on the node, each scaled by the share of
// nodes that have it, and maps the sum onto [0, MaxScore] between the thresholds.
func (pl *Plugin) Score(_ context.Context, _ fwk.CycleState, pod *corev1.Pod, nodeInfo fwk.NodeInfo) (int64, *fwk.Status) {
	nodes, err := pl.handle.SnapshotSharedLister().NodeInfos().List()
	if err != nil {
		return 0, fwk.AsStatus(err)
	}
	images := pl.images(pod)
	return calculatePriority(sumImageScores(nodeInfo, images, len(nodes)), len(images)), nil
}

// ScoreExtensions: none, scores are already on [0, MaxScore].
func (*Plugin) ScoreExtensions() fwk.ScoreExtensions { return nil }

func calculatePriority(sum int64, imageCount int) int64 {
	maxThreshold := maxContainerThreshold * int64(imageCount)
	sum = max(minThreshold, min(sum, maxThreshold))
	return fwk.MaxScore * (sum - minThreshold) / (maxThreshold - minThreshold)
}

// sumImageScores returns the scaled sizes of the images present on the node.
func sumImageScores(nodeInfo fwk.NodeInfo, images []string, totalNodes int) int64 {
	states := nodeInfo.GetImageStates()
	var sum int64
	for _, name := range images {
		if s, ok := states[name]; ok {
			sum += scaledImageScore(s, totalNodes)
		}
	}
	return sum
}

// scaledImageScore weighs an image's size by the share of nodes that have it, so one node
// holding a rare image doesn't attract every pod using it.
func scaledImageScore(s *fwk.ImageStateSummary, totalNodes int) int64 {
	spread := float64(s.NumNodes) / float64(totalNodes)
	return int64(float64(s.Size) * spread)
}

// normalizedImageName adds the :latest tag to an untagged name, as node status reports it.
func normalizedImageName(name string) string {
	if strings.LastIndex(name, ":") <= strings.LastIndex(name, "/") {
		name += ":latest"
	}
	return name
}
