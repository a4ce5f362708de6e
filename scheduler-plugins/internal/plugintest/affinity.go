package plugintest

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Kind of inter-pod term.
type Kind int

const (
	Affinity Kind = iota
	AntiAffinity
)

// Term is a pod affinity term over topologyKey selecting pods with label key=value (key In
// values when several); namespaces empty means the pod's own.
func Term(topologyKey, key string, values ...string) corev1.PodAffinityTerm {
	return corev1.PodAffinityTerm{
		TopologyKey: topologyKey,
		LabelSelector: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
			{Key: key, Operator: metav1.LabelSelectorOpIn, Values: values},
		}},
	}
}

func (p *PodWrapper) podAffinity() *corev1.PodAffinity {
	a := p.affinity()
	if a.PodAffinity == nil {
		a.PodAffinity = &corev1.PodAffinity{}
	}
	return a.PodAffinity
}

func (p *PodWrapper) podAntiAffinity() *corev1.PodAntiAffinity {
	a := p.affinity()
	if a.PodAntiAffinity == nil {
		a.PodAntiAffinity = &corev1.PodAntiAffinity{}
	}
	return a.PodAntiAffinity
}

// Required adds a required (anti-)affinity term.
func (p *PodWrapper) Required(kind Kind, t corev1.PodAffinityTerm) *PodWrapper {
	if kind == Affinity {
		pa := p.podAffinity()
		pa.RequiredDuringSchedulingIgnoredDuringExecution = append(pa.RequiredDuringSchedulingIgnoredDuringExecution, t)
	} else {
		pa := p.podAntiAffinity()
		pa.RequiredDuringSchedulingIgnoredDuringExecution = append(pa.RequiredDuringSchedulingIgnoredDuringExecution, t)
	}
	return p
}

// Preferred adds a preferred (anti-)affinity term with weight.
func (p *PodWrapper) Preferred(kind Kind, weight int32, t corev1.PodAffinityTerm) *PodWrapper {
	w := corev1.WeightedPodAffinityTerm{Weight: weight, PodAffinityTerm: t}
	if kind == Affinity {
		pa := p.podAffinity()
		pa.PreferredDuringSchedulingIgnoredDuringExecution = append(pa.PreferredDuringSchedulingIgnoredDuringExecution, w)
	} else {
		pa := p.podAntiAffinity()
		pa.PreferredDuringSchedulingIgnoredDuringExecution = append(pa.PreferredDuringSchedulingIgnoredDuringExecution, w)
	}
	return p
}

// Spread adds a topology spread constraint selecting pods with label key=value.
func (p *PodWrapper) Spread(maxSkew int32, topologyKey string, when corev1.UnsatisfiableConstraintAction, key, value string) *PodWrapper {
	p.Spec.TopologySpreadConstraints = append(p.Spec.TopologySpreadConstraints, corev1.TopologySpreadConstraint{
		MaxSkew:           maxSkew,
		TopologyKey:       topologyKey,
		WhenUnsatisfiable: when,
		LabelSelector:     &metav1.LabelSelector{MatchLabels: map[string]string{key: value}},
	})
	return p
}

// SpreadConstraint adds c as is.
func (p *PodWrapper) SpreadConstraint(c corev1.TopologySpreadConstraint) *PodWrapper {
	p.Spec.TopologySpreadConstraints = append(p.Spec.TopologySpreadConstraints, c)
	return p
}
