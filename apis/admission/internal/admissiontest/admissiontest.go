// Package admissiontest initializes admission plugins for unit tests: a fake clientset feeds the
// informers behind the plugins' listers, and Run passes one request through a plugin.
package admissiontest

import (
	"context"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/apiserver/pkg/admission/initializer"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/util/compatibility"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes/fake"
)

// Init hands plugin a clientset and informers holding objs, as the apiserver's initializer
// does, starts the informers, waits for their caches and validates the initialization.
func Init(t testing.TB, plugin admission.Interface, objs ...runtime.Object) *fake.Clientset {
	t.Helper()
	client := fake.NewClientset(objs...)
	factory := informers.NewSharedInformerFactory(client, 0)
	if p, ok := plugin.(initializer.WantsExternalKubeClientSet); ok {
		p.SetExternalKubeClientSet(client)
	}
	if p, ok := plugin.(initializer.WantsExternalKubeInformerFactory); ok {
		p.SetExternalKubeInformerFactory(factory)
	}
	if p, ok := plugin.(initializer.WantsEffectiveVersion); ok {
		p.InspectEffectiveVersion(compatibility.DefaultBuildEffectiveVersion())
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() {
		cancel()
		factory.Shutdown()
	})
	factory.Start(ctx.Done())
	factory.WaitForCacheSync(ctx.Done())
	if v, ok := plugin.(admission.InitializationValidator); ok {
		if err := v.ValidateInitialization(); err != nil {
			t.Fatalf("ValidateInitialization: %v", err)
		}
	}
	return client
}

// Request describes one admission request.
type Request struct {
	Op          admission.Operation
	Resource    schema.GroupVersionResource
	Kind        schema.GroupVersionKind
	Subresource string
	Namespace   string
	Name        string
	Object      runtime.Object
	OldObject   runtime.Object
	User        string
}

// Attributes returns the request's admission attributes.
func (r Request) Attributes() admission.Attributes {
	u := &user.DefaultInfo{Name: r.User}
	if u.Name == "" {
		u.Name = "admin"
	}
	name := r.Name
	if name == "" && r.Object != nil {
		if o, ok := r.Object.(interface{ GetName() string }); ok {
			name = o.GetName()
		}
	}
	return admission.NewAttributesRecord(r.Object, r.OldObject, r.Kind, r.Namespace, name, r.Resource,
		r.Subresource, r.Op, nil, false, u)
}

// Run passes the request through plugin as the apiserver does: Admit (when it mutates and
// handles the operation), then Validate.
func Run(plugin admission.Interface, r Request) error {
	a := r.Attributes()
	if !plugin.Handles(a.GetOperation()) {
		return nil
	}
	ctx := context.Background()
	if m, ok := plugin.(admission.MutationInterface); ok {
		if err := m.Admit(ctx, a, nil); err != nil {
			return err
		}
	}
	if v, ok := plugin.(admission.ValidationInterface); ok {
		return v.Validate(ctx, a, nil)
	}
	return nil
}
