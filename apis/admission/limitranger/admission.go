package limitranger

import (
	"context"
	"fmt"
	"io"
	"time"

	"golang.org/x/sync/singleflight"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/apiserver/pkg/admission/initializer"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/utils/lru"
)

// PluginName is upstream's name of the plugin.
const PluginName = "LimitRanger"

// Annotation records on a pod which resources LimitRanger defaulted.
const Annotation = "kubernetes.io/limit-ranger"

// liveTTL is how long a live list of a namespace's LimitRanges (taken when the informer has
// none, it may lag) is reused.
const liveTTL = 30 * time.Second

// Register registers the plugin.
func Register(plugins *admission.Plugins) {
	plugins.Register(PluginName, func(io.Reader) (admission.Interface, error) { return New(), nil })
}

// Plugin applies LimitRanges.
type Plugin struct {
	*admission.Handler
	client kubernetes.Interface
	lister corelisters.LimitRangeLister

	live  *lru.Cache // namespace -> liveEntry
	group singleflight.Group
}

type liveEntry struct {
	expiry time.Time
	items  []*corev1.LimitRange
}

var (
	_ admission.MutationInterface                  = &Plugin{}
	_ admission.ValidationInterface                = &Plugin{}
	_ initializer.WantsExternalKubeInformerFactory = &Plugin{}
	_ initializer.WantsExternalKubeClientSet       = &Plugin{}
)

// New returns the plugin.
func New() *Plugin {
	return &Plugin{Handler: admission.NewHandler(admission.Create, admission.Update), live: lru.New(10000)}
}

// SetExternalKubeInformerFactory takes the LimitRange lister.
func (p *Plugin) SetExternalKubeInformerFactory(f informers.SharedInformerFactory) {
	informer := f.Core().V1().LimitRanges()
	p.lister = informer.Lister()
	p.SetReadyFunc(informer.Informer().HasSynced)
}

// SetExternalKubeClientSet takes the client for live lookups.
func (p *Plugin) SetExternalKubeClientSet(client kubernetes.Interface) { p.client = client }

// ValidateInitialization checks the lister and client were set.
func (p *Plugin) ValidateInitialization() error {
	if p.lister == nil {
		return fmt.Errorf("missing limitRange lister")
	}
	if p.client == nil {
		return fmt.Errorf("missing client")
	}
	return nil
}

// Admit applies the LimitRanges' container defaults to new pods.
func (p *Plugin) Admit(ctx context.Context, a admission.Attributes, _ admission.ObjectInterfaces) error {
	return p.run(ctx, a, func(lr *corev1.LimitRange, obj any) error {
		if pod, ok := obj.(*corev1.Pod); ok {
			applyDefaults(pod, lr)
		}
		return nil
	})
}

// Validate checks new pods and claims against the LimitRanges' bounds.
func (p *Plugin) Validate(ctx context.Context, a admission.Attributes, _ admission.ObjectInterfaces) error {
	return p.run(ctx, a, func(lr *corev1.LimitRange, obj any) error {
		switch o := obj.(type) {
		case *corev1.Pod:
			return validatePod(lr, o)
		case *corev1.PersistentVolumeClaim:
			return validateClaim(lr, o)
		}
		return nil
	})
}

// applies tells whether LimitRanger looks at the request: creates of pods and claims, claim
// updates and pod resizes (containers are otherwise immutable).
func applies(a admission.Attributes) bool {
	pod := a.GetKind().GroupKind() == corev1.SchemeGroupVersion.WithKind("Pod").GroupKind()
	claim := a.GetKind().GroupKind() == corev1.SchemeGroupVersion.WithKind("PersistentVolumeClaim").GroupKind()
	if a.GetSubresource() == "resize" && pod && a.GetOperation() == admission.Update {
		return true
	}
	if a.GetSubresource() != "" || pod && a.GetOperation() == admission.Update {
		return false
	}
	return pod || claim
}

func (p *Plugin) run(ctx context.Context, a admission.Attributes, fn func(*corev1.LimitRange, any) error) error {
	if !applies(a) {
		return nil
	}
	if old := a.GetOldObject(); old != nil {
		o, err := meta.Accessor(old)
		if err != nil {
			return admission.NewForbidden(a, err)
		}
		if o.GetDeletionTimestamp() != nil {
			return nil
		}
	}
	if !p.WaitForReady() {
		return admission.NewForbidden(a, fmt.Errorf("not yet ready to handle request"))
	}
	items, err := p.limitRanges(ctx, a)
	if err != nil {
		return err
	}
	for _, lr := range items {
		if err := fn(lr, a.GetObject()); err != nil {
			return admission.NewForbidden(a, err)
		}
	}
	return nil
}

// limitRanges are the namespace's LimitRanges from the informer or, when it has none, from a
// recent live list.
func (p *Plugin) limitRanges(ctx context.Context, a admission.Attributes) ([]*corev1.LimitRange, error) {
	ns := a.GetNamespace()
	items, err := p.lister.LimitRanges(ns).List(labels.Everything())
	if err != nil {
		return nil, admission.NewForbidden(a, fmt.Errorf("unable to %s %v at this time because there was an error enforcing limit ranges", a.GetOperation(), a.GetResource()))
	}
	if len(items) > 0 {
		return items, nil
	}
	cached, ok := p.live.Get(ns)
	if !ok || cached.(liveEntry).expiry.Before(time.Now()) {
		cached, err, _ = p.group.Do(ns, func() (any, error) {
			list, err := p.client.CoreV1().LimitRanges(ns).List(ctx, metav1.ListOptions{})
			if err != nil {
				return nil, admission.NewForbidden(a, err)
			}
			entry := liveEntry{expiry: time.Now().Add(liveTTL)}
			for i := range list.Items {
				entry.items = append(entry.items, &list.Items[i])
			}
			p.live.Add(ns, entry)
			return entry, nil
		})
		if err != nil {
			return nil, err
		}
	}
	return cached.(liveEntry).items, nil
}
