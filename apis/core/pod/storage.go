package pod

import (
	"context"
	"fmt"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/generic"
	genericregistry "k8s.io/apiserver/pkg/registry/generic/registry"
	"k8s.io/apiserver/pkg/registry/rest"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"

	"github.com/skiff-sh/skiff/apis/registry"
	"github.com/skiff-sh/skiff/apis/scheme"
)

// NewStorage returns pods and their subresources: status, binding, eviction and
// ephemeralcontainers, log, exec, attach and portforward (through the nodes' kubelets), and the
// legacy bindings resource.
func NewStorage(optsGetter generic.RESTOptionsGetter) (registry.Resources, error) {
	store, err := registry.NewStore(optsGetter, registry.Resource{
		Resource:         corev1.Resource("pods"),
		Singular:         "pod",
		New:              func() runtime.Object { return &corev1.Pod{} },
		NewList:          func() runtime.Object { return &corev1.PodList{} },
		Strategy:         Strategy,
		SelectableFields: selectableFields,
		Table:            podTable,
		ShortNames:       []string{"po"},
		Categories:       []string{"all"},
	})
	if err != nil {
		return nil, err
	}
	store.ReturnDeletedObject = true
	if err := registerFieldLabels(); err != nil {
		return nil, err
	}
	status := registry.NewStatusREST(store, StatusStrategy)
	binding := &BindingREST{store: store.Store}
	eviction, err := newEvictionREST(optsGetter, store, status)
	if err != nil {
		return nil, err
	}
	kubelet, err := newKubeletLocator(optsGetter, store)
	if err != nil {
		return nil, err
	}
	return registry.Resources{
		"pods":                     store,
		"pods/log":                 &LogREST{locator: kubelet},
		"pods/exec":                &ExecREST{locator: kubelet},
		"pods/attach":              &AttachREST{locator: kubelet},
		"pods/portforward":         &PortForwardREST{locator: kubelet},
		"pods/status":              status,
		"pods/binding":             binding,
		"bindings":                 &LegacyBindingREST{binding},
		"pods/eviction":            eviction,
		"pods/ephemeralcontainers": newEphemeralContainersREST(store.Store),
	}, nil
}

// selectableFields are upstream's pod field selectors beyond metadata.name and namespace.
func selectableFields(obj runtime.Object) fields.Set {
	pod := obj.(*corev1.Pod)
	podIP := ""
	if len(pod.Status.PodIPs) > 0 {
		podIP = pod.Status.PodIPs[0].IP
	}
	return fields.Set{
		"spec.nodeName":            pod.Spec.NodeName,
		"spec.restartPolicy":       string(pod.Spec.RestartPolicy),
		"spec.schedulerName":       pod.Spec.SchedulerName,
		"spec.serviceAccountName":  pod.Spec.ServiceAccountName,
		"spec.hostNetwork":         strconv.FormatBool(pod.Spec.HostNetwork),
		"status.phase":             string(pod.Status.Phase),
		"status.podIP":             podIP,
		"status.nominatedNodeName": pod.Status.NominatedNodeName,
	}
}

// registerFieldLabels replaces the conversion NewStore registered with upstream's, which also
// accepts status.podIPs (matching nothing but the empty value) and the old spec.host alias.
func registerFieldLabels() error {
	return scheme.Scheme.AddFieldLabelConversionFunc(corev1.SchemeGroupVersion.WithKind("Pod"), func(label, value string) (string, string, error) {
		switch label {
		case "metadata.name", "metadata.namespace", "spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
			"spec.serviceAccountName", "spec.hostNetwork", "status.phase", "status.podIP", "status.podIPs", "status.nominatedNodeName":
			return label, value, nil
		case "spec.host":
			return "spec.nodeName", value, nil
		}
		return "", "", fmt.Errorf("field label not supported: %s", label)
	})
}

// EphemeralContainersREST serves pods/ephemeralcontainers: updates change only
// spec.ephemeralContainers.
type EphemeralContainersREST struct {
	store *genericregistry.Store
}

var (
	_ rest.Patcher                   = &EphemeralContainersREST{}
	_ rest.ResetFieldsFilterStrategy = &EphemeralContainersREST{}
)

func newEphemeralContainersREST(main *genericregistry.Store) *EphemeralContainersREST {
	store := *main
	store.CreateStrategy = nil
	store.DeleteStrategy = nil
	store.UpdateStrategy = EphemeralContainersStrategy
	store.ResetFieldsStrategy = nil
	return &EphemeralContainersREST{store: &store}
}

// New returns an empty Pod.
func (r *EphemeralContainersREST) New() runtime.Object { return &corev1.Pod{} }

// Destroy does nothing: the pods store owns the storage.
func (r *EphemeralContainersREST) Destroy() {}

// Get returns the pod, so that PATCH works.
func (r *EphemeralContainersREST) Get(ctx context.Context, name string, options *metav1.GetOptions) (runtime.Object, error) {
	return r.store.Get(ctx, name, options)
}

// Update writes the pod's ephemeral containers.
func (r *EphemeralContainersREST) Update(ctx context.Context, name string, objInfo rest.UpdatedObjectInfo, createValidation rest.ValidateObjectFunc, updateValidation rest.ValidateObjectUpdateFunc, _ bool, options *metav1.UpdateOptions) (runtime.Object, bool, error) {
	return r.store.Update(ctx, name, objInfo, createValidation, updateValidation, false, options)
}

// GetResetFieldsFilter tells server-side apply that only spec.ephemeralContainers is written.
func (r *EphemeralContainersREST) GetResetFieldsFilter() map[fieldpath.APIVersion]fieldpath.Filter {
	return map[fieldpath.APIVersion]fieldpath.Filter{
		"v1": fieldpath.NewIncludeMatcherFilter(fieldpath.MakePrefixMatcherOrDie("spec", "ephemeralContainers")),
	}
}
