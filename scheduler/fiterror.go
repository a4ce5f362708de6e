package scheduler

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/sets"
	fwk "k8s.io/kube-scheduler/framework"

	"github.com/skiff-sh/skiff/scheduler/runtime"
)

// ErrNoNodesAvailable is the failure when the cluster has no nodes.
var ErrNoNodesAvailable = errors.New("no nodes available to schedule pods")

// noNodeAvailableMsg starts every FitError message.
const noNodeAvailableMsg = "0/%v nodes are available"

// diagnosis records why a pod fit no node.
type diagnosis struct {
	NodeToStatus         *runtime.NodeToStatus
	UnschedulablePlugins sets.Set[string]
	PendingPlugins       sets.Set[string]
	PreFilterMsg         string
	PostFilterMsg        string
}

func (d *diagnosis) addPluginStatus(s *fwk.Status) {
	if s.Plugin() == "" {
		return
	}
	if s.IsRejected() {
		if d.UnschedulablePlugins == nil {
			d.UnschedulablePlugins = sets.New[string]()
		}
		d.UnschedulablePlugins.Insert(s.Plugin())
	}
	if s.Code() == fwk.Pending {
		if d.PendingPlugins == nil {
			d.PendingPlugins = sets.New[string]()
		}
		d.PendingPlugins.Insert(s.Plugin())
	}
}

// FitError is a pod that fit no node, with upstream's message.
type FitError struct {
	Pod         *corev1.Pod
	NumAllNodes int
	Diagnosis   diagnosis
}

// Error returns "0/N nodes are available: <PreFilter msg or counted Filter reasons>.
// <PostFilter msg>", the reasons sorted as strings as upstream.
func (f *FitError) Error() string {
	msg := fmt.Sprintf(noNodeAvailableMsg+":", f.NumAllNodes)
	if pre := f.Diagnosis.PreFilterMsg; pre != "" {
		msg += fmt.Sprintf(" %v.", pre)
	} else {
		counts := map[string]int{}
		f.Diagnosis.NodeToStatus.ForEachExplicitNode(func(_ string, s *fwk.Status) {
			for _, r := range s.Reasons() {
				counts[r]++
			}
		})
		if n := f.Diagnosis.NodeToStatus.Len(); n < f.NumAllNodes {
			for _, r := range f.Diagnosis.NodeToStatus.AbsentNodesStatus().Reasons() {
				counts[r] += f.NumAllNodes - n
			}
		}
		var reasons []string
		for r, c := range counts {
			reasons = append(reasons, fmt.Sprintf("%v %v", c, r))
		}
		sort.Strings(reasons)
		if len(reasons) > 0 {
			msg += fmt.Sprintf(" %v.", strings.Join(reasons, ", "))
		}
	}
	if post := f.Diagnosis.PostFilterMsg; post != "" {
		msg += fmt.Sprintf(" %v", post)
	}
	return msg
}

// singleNodeFitError is the FitError of a rejection at Reserve or Permit.
func singleNodeFitError(pod *corev1.Pod, node string, s *fwk.Status) *FitError {
	d := diagnosis{NodeToStatus: runtime.NewDefaultNodeToStatus()}
	d.NodeToStatus.Set(node, s)
	d.addPluginStatus(s)
	return &FitError{Pod: pod, NumAllNodes: 1, Diagnosis: d}
}
