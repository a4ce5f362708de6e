package admission

import (
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/apiserver/pkg/admission/plugin/namespace/lifecycle"
	mutatingpolicy "k8s.io/apiserver/pkg/admission/plugin/policy/mutating"
	validatingpolicy "k8s.io/apiserver/pkg/admission/plugin/policy/validating"
	mutatingwebhook "k8s.io/apiserver/pkg/admission/plugin/webhook/mutating"
	validatingwebhook "k8s.io/apiserver/pkg/admission/plugin/webhook/validating"

	"github.com/skiff-sh/skiff/apis/admission/defaultingressclass"
	"github.com/skiff-sh/skiff/apis/admission/defaultstorageclass"
	"github.com/skiff-sh/skiff/apis/admission/defaulttolerationseconds"
	"github.com/skiff-sh/skiff/apis/admission/limitranger"
	"github.com/skiff-sh/skiff/apis/admission/podsecurity"
	"github.com/skiff-sh/skiff/apis/admission/priority"
	"github.com/skiff-sh/skiff/apis/admission/runtimeclass"
	"github.com/skiff-sh/skiff/apis/admission/serviceaccount"
	"github.com/skiff-sh/skiff/apis/admission/storageobjectinuseprotection"
	"github.com/skiff-sh/skiff/apis/admission/taintnodesbycondition"
)

// RegisterAll registers skiff's plugins. The generic ones (NamespaceLifecycle, the admission
// policies and webhooks) are registered by genericoptions.NewAdmissionOptions.
func RegisterAll(plugins *admission.Plugins) {
	limitranger.Register(plugins)
	serviceaccount.Register(plugins)
	taintnodesbycondition.Register(plugins)
	podsecurity.Register(plugins)
	priority.Register(plugins)
	defaulttolerationseconds.Register(plugins)
	defaultstorageclass.Register(plugins)
	storageobjectinuseprotection.Register(plugins)
	runtimeclass.Register(plugins)
	defaultingressclass.Register(plugins)
}

// Order is the order the plugins run in: kube-apiserver's recommended order
// (AllOrderedPlugins) restricted to the plugins skiff registers. Mutating plugins run in this
// order, then validating ones. It is AdmissionOptions.RecommendedPluginOrder, which must name
// exactly the registered plugins.
var Order = []string{
	lifecycle.PluginName,                    // NamespaceLifecycle
	limitranger.PluginName,                  // LimitRanger
	serviceaccount.PluginName,               // ServiceAccount
	taintnodesbycondition.PluginName,        // TaintNodesByCondition
	podsecurity.PluginName,                  // PodSecurity
	priority.PluginName,                     // Priority
	defaulttolerationseconds.PluginName,     // DefaultTolerationSeconds
	defaultstorageclass.PluginName,          // DefaultStorageClass
	storageobjectinuseprotection.PluginName, // StorageObjectInUseProtection
	runtimeclass.PluginName,                 // RuntimeClass
	defaultingressclass.PluginName,          // DefaultIngressClass
	mutatingpolicy.PluginName,               // MutatingAdmissionPolicy
	mutatingwebhook.PluginName,              // MutatingAdmissionWebhook
	validatingpolicy.PluginName,             // ValidatingAdmissionPolicy
	validatingwebhook.PluginName,            // ValidatingAdmissionWebhook
}

// defaultOn are the plugins kube-apiserver v1.37 enables without --enable-admission-plugins
// (DefaultOffAdmissionPlugins' complement), as far as skiff has them. Servers without a
// serviceaccount controller (the integration test framework's) turn ServiceAccount off, as
// upstream's DefaultTestServerFlags do.
var defaultOn = sets.New(
	lifecycle.PluginName,
	serviceaccount.PluginName,
	limitranger.PluginName,
	defaultstorageclass.PluginName,
	defaulttolerationseconds.PluginName,
	mutatingwebhook.PluginName,
	validatingwebhook.PluginName,
	storageobjectinuseprotection.PluginName,
	priority.PluginName,
	taintnodesbycondition.PluginName,
	runtimeclass.PluginName,
	defaultingressclass.PluginName,
	podsecurity.PluginName,
	mutatingpolicy.PluginName,
	validatingpolicy.PluginName,
)

// DefaultOff returns the plugins of order that kube-apiserver leaves off unless enabled: it is
// AdmissionOptions.DefaultOffPlugins.
func DefaultOff(order []string) sets.Set[string] {
	return sets.New(order...).Difference(defaultOn)
}
