package admission

import (
	"slices"
	"testing"

	genericoptions "k8s.io/apiserver/pkg/server/options"
)

// TestOptions: with skiff's plugins registered and Order as the recommended order, the
// admission options validate, and every plugin is on by default as in kube-apiserver.
func TestOptions(t *testing.T) {
	o := genericoptions.NewAdmissionOptions()
	RegisterAll(o.Plugins)
	o.RecommendedPluginOrder = Order
	o.DefaultOffPlugins = DefaultOff(Order)
	if errs := o.Validate(); len(errs) > 0 {
		t.Fatalf("Validate: %v", errs)
	}
	if off := DefaultOff(Order); off.Len() > 0 {
		t.Errorf("default-off plugins %v; kube-apiserver enables all of skiff's", off.UnsortedList())
	}
	if got := DefaultOff(append(slices.Clone(Order), "AlwaysPullImages")); !got.Has("AlwaysPullImages") || got.Len() != 1 {
		t.Errorf("DefaultOff = %v, want AlwaysPullImages", got.UnsortedList())
	}
	registered := o.Plugins.Registered()
	for _, name := range Order {
		if !slices.Contains(registered, name) {
			t.Errorf("%s is in Order but not registered", name)
		}
	}
}

// TestUpstreamOrder: Order keeps kube-apiserver's relative order of the plugins.
func TestUpstreamOrder(t *testing.T) {
	upstream := []string{
		"AlwaysAdmit", "NamespaceAutoProvision", "NamespaceLifecycle", "NamespaceExists",
		"LimitPodHardAntiAffinityTopology", "LimitRanger", "ServiceAccount", "NodeRestriction",
		"TaintNodesByCondition", "AlwaysPullImages", "ImagePolicyWebhook", "PodSecurity",
		"PodNodeSelector", "Priority", "DefaultTolerationSeconds", "PodTolerationRestriction",
		"EventRateLimit", "ExtendedResourceToleration", "DefaultStorageClass",
		"StorageObjectInUseProtection", "PodGroupProtection", "OwnerReferencesPermissionEnforcement",
		"PersistentVolumeClaimResize", "RuntimeClass", "CertificateApproval", "CertificateSigning",
		"ClusterTrustBundleAttest", "CertificateSubjectRestriction", "DefaultIngressClass",
		"DenyServiceExternalIPs", "PodTopologyLabels", "NodeDeclaredFeatureValidator", "PodResizeValidator",
		"MutatingAdmissionPolicy", "MutatingAdmissionWebhook", "ValidatingAdmissionPolicy",
		"ValidatingAdmissionWebhook", "ResourceQuota", "AlwaysDeny",
	}
	var want []string
	for _, name := range upstream {
		if slices.Contains(Order, name) {
			want = append(want, name)
		}
	}
	if !slices.Equal(want, Order) {
		t.Errorf("Order = %v, want upstream's order %v", Order, want)
	}
}
