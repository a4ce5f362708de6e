package plugintest

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// PodWrapper builds a pod by chained calls.
type PodWrapper struct{ corev1.Pod }

// MakePod returns a pod named name in namespace "default" with UID name.
func MakePod(name string) *PodWrapper {
	return &PodWrapper{corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default", UID: types.UID(name)}}}
}

// Obj returns the pod.
func (p *PodWrapper) Obj() *corev1.Pod { return &p.Pod }

// Namespace sets the namespace.
func (p *PodWrapper) Namespace(ns string) *PodWrapper { p.Pod.Namespace = ns; return p }

// Label adds a label.
func (p *PodWrapper) Label(k, v string) *PodWrapper {
	if p.Labels == nil {
		p.Labels = map[string]string{}
	}
	p.Labels[k] = v
	return p
}

// Node sets spec.nodeName.
func (p *PodWrapper) Node(name string) *PodWrapper { p.Spec.NodeName = name; return p }

// Terminating sets a deletion timestamp.
func (p *PodWrapper) Terminating() *PodWrapper {
	now := metav1.Now()
	p.DeletionTimestamp = &now
	return p
}

// Owner sets a controller owner reference.
func (p *PodWrapper) Owner(apiVersion, kind, name string) *PodWrapper {
	t := true
	p.OwnerReferences = append(p.OwnerReferences, metav1.OwnerReference{APIVersion: apiVersion, Kind: kind, Name: name, Controller: &t})
	return p
}

// ResourceList parses name=quantity pairs.
func ResourceList(kv map[string]string) corev1.ResourceList {
	rl := corev1.ResourceList{}
	for k, v := range kv {
		rl[corev1.ResourceName(k)] = resource.MustParse(v)
	}
	return rl
}

// Container adds a container with the image and requests (nil for none).
func (p *PodWrapper) Container(image string, requests map[string]string) *PodWrapper {
	c := corev1.Container{Name: "c" + string(rune('0'+len(p.Spec.Containers))), Image: image}
	if requests != nil {
		c.Resources.Requests = ResourceList(requests)
	}
	p.Spec.Containers = append(p.Spec.Containers, c)
	return p
}

// Req adds a container requesting requests.
func (p *PodWrapper) Req(requests map[string]string) *PodWrapper {
	return p.Container("image", requests)
}

// InitReq adds a (non-restartable) init container requesting requests.
func (p *PodWrapper) InitReq(requests map[string]string) *PodWrapper {
	c := corev1.Container{Name: "i" + string(rune('0'+len(p.Spec.InitContainers))), Image: "image", Resources: corev1.ResourceRequirements{Requests: ResourceList(requests)}}
	p.Spec.InitContainers = append(p.Spec.InitContainers, c)
	return p
}

// Overhead sets spec.overhead.
func (p *PodWrapper) Overhead(rl map[string]string) *PodWrapper {
	p.Spec.Overhead = ResourceList(rl)
	return p
}

// HostPort adds a container port with a host port.
func (p *PodWrapper) HostPort(port int32, protocol corev1.Protocol, hostIP string) *PodWrapper {
	if len(p.Spec.Containers) == 0 {
		p.Container("image", nil)
	}
	c := &p.Spec.Containers[len(p.Spec.Containers)-1]
	c.Ports = append(c.Ports, corev1.ContainerPort{ContainerPort: port, HostPort: port, Protocol: protocol, HostIP: hostIP})
	return p
}

// Toleration adds a toleration.
func (p *PodWrapper) Toleration(key string, op corev1.TolerationOperator, value string, effect corev1.TaintEffect) *PodWrapper {
	p.Spec.Tolerations = append(p.Spec.Tolerations, corev1.Toleration{Key: key, Operator: op, Value: value, Effect: effect})
	return p
}

// NodeSelector adds a spec.nodeSelector entry.
func (p *PodWrapper) NodeSelector(k, v string) *PodWrapper {
	if p.Spec.NodeSelector == nil {
		p.Spec.NodeSelector = map[string]string{}
	}
	p.Spec.NodeSelector[k] = v
	return p
}

func (p *PodWrapper) affinity() *corev1.Affinity {
	if p.Spec.Affinity == nil {
		p.Spec.Affinity = &corev1.Affinity{}
	}
	return p.Spec.Affinity
}

func (p *PodWrapper) nodeAffinity() *corev1.NodeAffinity {
	a := p.affinity()
	if a.NodeAffinity == nil {
		a.NodeAffinity = &corev1.NodeAffinity{}
	}
	return a.NodeAffinity
}

// RequiredNodeTerm adds a required node selector term (ORed with the others).
func (p *PodWrapper) RequiredNodeTerm(term corev1.NodeSelectorTerm) *PodWrapper {
	na := p.nodeAffinity()
	if na.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		na.RequiredDuringSchedulingIgnoredDuringExecution = &corev1.NodeSelector{}
	}
	r := na.RequiredDuringSchedulingIgnoredDuringExecution
	r.NodeSelectorTerms = append(r.NodeSelectorTerms, term)
	return p
}

// PreferredNodeTerm adds a preferred node affinity term.
func (p *PodWrapper) PreferredNodeTerm(weight int32, term corev1.NodeSelectorTerm) *PodWrapper {
	na := p.nodeAffinity()
	na.PreferredDuringSchedulingIgnoredDuringExecution = append(na.PreferredDuringSchedulingIgnoredDuringExecution,
		corev1.PreferredSchedulingTerm{Weight: weight, Preference: term})
	return p
}

// LabelTerm is a node selector term matching label key with op over values.
func LabelTerm(key string, op corev1.NodeSelectorOperator, values ...string) corev1.NodeSelectorTerm {
	return corev1.NodeSelectorTerm{MatchExpressions: []corev1.NodeSelectorRequirement{{Key: key, Operator: op, Values: values}}}
}

// NameTerm is a node selector term matching metadata.name In names.
func NameTerm(names ...string) corev1.NodeSelectorTerm {
	return corev1.NodeSelectorTerm{MatchFields: []corev1.NodeSelectorRequirement{{Key: "metadata.name", Operator: corev1.NodeSelectorOpIn, Values: names}}}
}
