package podsecurity

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/apiserver/pkg/admission/initializer"
	"k8s.io/apiserver/pkg/audit"
	"k8s.io/apiserver/pkg/warning"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/component-base/compatibility"
	"k8s.io/component-base/metrics/legacyregistry"
	psa "k8s.io/pod-security-admission/admission"
	"k8s.io/pod-security-admission/admission/api/load"
	psaapi "k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/metrics"
	"k8s.io/pod-security-admission/policy"
)

// PluginName is upstream's name of the plugin.
const PluginName = "PodSecurity"

// Register registers the plugin. Its configuration (a PodSecurityConfiguration) comes from the
// admission config file; without one every level defaults to privileged.
func Register(plugins *admission.Plugins) {
	plugins.Register(PluginName, func(config io.Reader) (admission.Interface, error) { return New(config) })
}

// Plugin delegates to the pod-security-admission library.
type Plugin struct {
	*admission.Handler

	inspectedVersion bool
	emulationVersion *psaapi.Version
	client           kubernetes.Interface
	namespaces       corelisters.NamespaceLister
	pods             corelisters.PodLister

	delegate *psa.Admission
}

var (
	_ admission.ValidationInterface                = &Plugin{}
	_ initializer.WantsExternalKubeInformerFactory = &Plugin{}
	_ initializer.WantsExternalKubeClientSet       = &Plugin{}
	_ initializer.WantsEffectiveVersion            = &Plugin{}
)

var (
	recorder     *metrics.PrometheusRecorder
	recorderOnce sync.Once
)

// defaultRecorder registers the library's metrics with the apiserver's /metrics once.
func defaultRecorder() metrics.Recorder {
	recorderOnce.Do(func() {
		recorder = metrics.NewPrometheusRecorder(psaapi.GetAPIVersion())
		recorder.MustRegister(legacyregistry.MustRegister)
	})
	return recorder
}

// New returns the plugin configured from config (nil: the defaults).
func New(config io.Reader) (*Plugin, error) {
	c, err := load.LoadFromReader(config)
	if err != nil {
		return nil, err
	}
	return &Plugin{
		Handler: admission.NewHandler(admission.Create, admission.Update),
		delegate: &psa.Admission{
			Configuration:    c,
			Metrics:          defaultRecorder(),
			PodSpecExtractor: psa.DefaultPodSpecExtractor{},
		},
	}, nil
}

// SetExternalKubeInformerFactory takes the namespace and pod listers.
func (p *Plugin) SetExternalKubeInformerFactory(f informers.SharedInformerFactory) {
	ns := f.Core().V1().Namespaces()
	p.namespaces = ns.Lister()
	p.pods = f.Core().V1().Pods().Lister()
	p.SetReadyFunc(ns.Informer().HasSynced)
	p.complete()
}

// SetExternalKubeClientSet takes the client for namespaces the informer lacks.
func (p *Plugin) SetExternalKubeClientSet(client kubernetes.Interface) {
	p.client = client
	p.complete()
}

// InspectEffectiveVersion evaluates policies "latest" as of the emulated version.
func (p *Plugin) InspectEffectiveVersion(v compatibility.EffectiveVersion) {
	p.inspectedVersion = true
	binary, emulation := v.BinaryVersion(), v.EmulationVersion()
	b := psaapi.MajorMinorVersion(int(binary.Major()), int(binary.Minor()))
	e := psaapi.MajorMinorVersion(int(emulation.Major()), int(emulation.Minor()))
	if b != e {
		p.emulationVersion = &e
	}
	p.complete()
}

// complete finishes the delegate once everything it needs is there.
func (p *Plugin) complete() {
	if p.namespaces == nil || p.pods == nil || p.client == nil || !p.inspectedVersion {
		return
	}
	if p.delegate.PodLister == nil {
		p.delegate.PodLister = psa.PodListerFromInformer(p.pods)
	}
	if p.delegate.NamespaceGetter == nil {
		p.delegate.NamespaceGetter = psa.NamespaceGetterFromListerAndClient(p.namespaces, p.client)
	}
	if p.delegate.Evaluator == nil {
		evaluator, err := policy.NewEvaluator(policy.DefaultChecks(), p.emulationVersion)
		if err != nil {
			panic(fmt.Errorf("could not create PodSecurityRegistry: %w", err))
		}
		p.delegate.Evaluator = evaluator
	}
}

// ValidateInitialization completes and checks the delegate's configuration.
func (p *Plugin) ValidateInitialization() error {
	if !p.inspectedVersion {
		return fmt.Errorf("%s did not see effective version", PluginName)
	}
	if err := p.delegate.CompleteConfiguration(); err != nil {
		return fmt.Errorf("%s configuration error: %w", PluginName, err)
	}
	if err := p.delegate.ValidateConfiguration(); err != nil {
		return fmt.Errorf("%s invalid: %w", PluginName, err)
	}
	return nil
}

var applicable = map[schema.GroupResource]bool{
	corev1.Resource("pods"):       true,
	corev1.Resource("namespaces"): true,
}

// Validate evaluates pods, namespaces and pod controllers against the namespace's policy:
// warnings and audit annotations are passed on, violations of the enforced level are 403.
func (p *Plugin) Validate(ctx context.Context, a admission.Attributes, _ admission.ObjectInterfaces) error {
	gr := a.GetResource().GroupResource()
	if !applicable[gr] && !p.delegate.PodSpecExtractor.HasPodSpec(gr) {
		return nil
	}
	result := p.delegate.Validate(ctx, attributes{a})
	for _, w := range result.Warnings {
		warning.AddWarning(ctx, "", w)
	}
	if len(result.AuditAnnotations) > 0 {
		annotations := make([]string, 0, 2*len(result.AuditAnnotations))
		for k, v := range result.AuditAnnotations {
			annotations = append(annotations, psaapi.AuditAnnotationPrefix+k, v)
		}
		audit.AddAuditAnnotations(ctx, annotations...)
	}
	if result.Allowed {
		return nil
	}
	err := admission.NewForbidden(a, errors.New("Not allowed by PodSecurity")).(*apierrors.StatusError)
	if r := result.Result; r != nil {
		if r.Message != "" {
			err.ErrStatus.Message = r.Message
		}
		if r.Reason != "" {
			err.ErrStatus.Reason = r.Reason
		}
		if r.Details != nil {
			err.ErrStatus.Details = r.Details
		}
		if r.Code != 0 {
			err.ErrStatus.Code = r.Code
		}
	}
	return err
}

// attributes adapts admission.Attributes to the library's. skiff's objects are already the
// v1 types the library wants, so nothing is converted.
type attributes struct{ admission.Attributes }

func (a attributes) GetObject() (runtime.Object, error)    { return a.Attributes.GetObject(), nil }
func (a attributes) GetOldObject() (runtime.Object, error) { return a.Attributes.GetOldObject(), nil }
func (a attributes) GetOperation() admissionv1.Operation {
	return admissionv1.Operation(a.Attributes.GetOperation())
}
func (a attributes) GetUserName() string { return a.GetUserInfo().GetName() }
