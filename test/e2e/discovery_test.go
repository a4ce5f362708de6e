package e2e

import (
	"sort"
	"strings"
	"testing"

	"k8s.io/client-go/discovery"
)

// wantResources are the resources kubectl api-resources must list, as upstream v1.37 shows them.
var wantResources = []struct {
	name, shortNames, apiVersion string
	namespaced                   bool
	kind                         string
}{
	{"bindings", "", "v1", true, "Binding"},
	{"configmaps", "cm", "v1", true, "ConfigMap"},
	{"endpoints", "ep", "v1", true, "Endpoints"},
	{"events", "ev", "v1", true, "Event"},
	{"limitranges", "limits", "v1", true, "LimitRange"},
	{"namespaces", "ns", "v1", false, "Namespace"},
	{"nodes", "no", "v1", false, "Node"},
	{"persistentvolumeclaims", "pvc", "v1", true, "PersistentVolumeClaim"},
	{"persistentvolumes", "pv", "v1", false, "PersistentVolume"},
	{"pods", "po", "v1", true, "Pod"},
	{"podtemplates", "", "v1", true, "PodTemplate"},
	{"replicationcontrollers", "rc", "v1", true, "ReplicationController"},
	{"resourcequotas", "quota", "v1", true, "ResourceQuota"},
	{"secrets", "", "v1", true, "Secret"},
	{"serviceaccounts", "sa", "v1", true, "ServiceAccount"},
	{"services", "svc", "v1", true, "Service"},
	{"mutatingwebhookconfigurations", "", "admissionregistration.k8s.io/v1", false, "MutatingWebhookConfiguration"},
	{"validatingadmissionpolicies", "", "admissionregistration.k8s.io/v1", false, "ValidatingAdmissionPolicy"},
	{"validatingadmissionpolicybindings", "", "admissionregistration.k8s.io/v1", false, "ValidatingAdmissionPolicyBinding"},
	{"validatingwebhookconfigurations", "", "admissionregistration.k8s.io/v1", false, "ValidatingWebhookConfiguration"},
	{"customresourcedefinitions", "crd,crds", "apiextensions.k8s.io/v1", false, "CustomResourceDefinition"},
	{"apiservices", "", "apiregistration.k8s.io/v1", false, "APIService"},
	{"controllerrevisions", "", "apps/v1", true, "ControllerRevision"},
	{"daemonsets", "ds", "apps/v1", true, "DaemonSet"},
	{"deployments", "deploy", "apps/v1", true, "Deployment"},
	{"replicasets", "rs", "apps/v1", true, "ReplicaSet"},
	{"statefulsets", "sts", "apps/v1", true, "StatefulSet"},
	{"selfsubjectreviews", "", "authentication.k8s.io/v1", false, "SelfSubjectReview"},
	{"tokenreviews", "", "authentication.k8s.io/v1", false, "TokenReview"},
	{"localsubjectaccessreviews", "", "authorization.k8s.io/v1", true, "LocalSubjectAccessReview"},
	{"selfsubjectaccessreviews", "", "authorization.k8s.io/v1", false, "SelfSubjectAccessReview"},
	{"selfsubjectrulesreviews", "", "authorization.k8s.io/v1", false, "SelfSubjectRulesReview"},
	{"subjectaccessreviews", "", "authorization.k8s.io/v1", false, "SubjectAccessReview"},
	{"horizontalpodautoscalers", "hpa", "autoscaling/v2", true, "HorizontalPodAutoscaler"},
	{"cronjobs", "cj", "batch/v1", true, "CronJob"},
	{"jobs", "", "batch/v1", true, "Job"},
	{"certificatesigningrequests", "csr", "certificates.k8s.io/v1", false, "CertificateSigningRequest"},
	{"leases", "", "coordination.k8s.io/v1", true, "Lease"},
	{"endpointslices", "", "discovery.k8s.io/v1", true, "EndpointSlice"},
	{"events", "ev", "events.k8s.io/v1", true, "Event"},
	{"ingressclasses", "", "networking.k8s.io/v1", false, "IngressClass"},
	{"ingresses", "ing", "networking.k8s.io/v1", true, "Ingress"},
	{"networkpolicies", "netpol", "networking.k8s.io/v1", true, "NetworkPolicy"},
	{"runtimeclasses", "", "node.k8s.io/v1", false, "RuntimeClass"},
	{"poddisruptionbudgets", "pdb", "policy/v1", true, "PodDisruptionBudget"},
	{"clusterrolebindings", "", "rbac.authorization.k8s.io/v1", false, "ClusterRoleBinding"},
	{"clusterroles", "", "rbac.authorization.k8s.io/v1", false, "ClusterRole"},
	{"rolebindings", "", "rbac.authorization.k8s.io/v1", true, "RoleBinding"},
	{"roles", "", "rbac.authorization.k8s.io/v1", true, "Role"},
	{"priorityclasses", "pc", "scheduling.k8s.io/v1", false, "PriorityClass"},
	{"csidrivers", "", "storage.k8s.io/v1", false, "CSIDriver"},
	{"csinodes", "", "storage.k8s.io/v1", false, "CSINode"},
	{"storageclasses", "sc", "storage.k8s.io/v1", false, "StorageClass"},
	{"volumeattachments", "", "storage.k8s.io/v1", false, "VolumeAttachment"},
}

// TestAPIResources: kubectl api-resources lists every resource of the server's discovery, and
// every resource upstream serves that skiff must serve, with upstream's short names and scope.
func TestAPIResources(t *testing.T) {
	e := bare(t, cluster)
	rows := table(e.run("", "api-resources").Stdout)
	listed := map[string]map[string]string{} // "name apiVersion" -> row
	for _, row := range rows {
		listed[row["NAME"]+" "+row["APIVERSION"]] = row
	}

	t.Run("discovery", func(t *testing.T) {
		config, err := cluster.RESTConfig()
		if err != nil {
			t.Fatal(err)
		}
		dc, err := discovery.NewDiscoveryClientForConfig(config)
		if err != nil {
			t.Fatal(err)
		}
		lists, err := dc.ServerPreferredResources()
		if err != nil {
			t.Fatalf("discovery: %v", err)
		}
		var missing []string
		n := 0
		for _, l := range lists {
			for _, r := range l.APIResources {
				if strings.Contains(r.Name, "/") {
					continue
				}
				n++
				if _, ok := listed[r.Name+" "+l.GroupVersion]; !ok {
					missing = append(missing, r.Name+" "+l.GroupVersion)
				}
			}
		}
		sort.Strings(missing)
		if len(missing) > 0 {
			t.Errorf("discovery has %d resources, kubectl api-resources misses %v", n, missing)
		}
	})

	for _, want := range wantResources {
		t.Run(want.name+"."+want.apiVersion, func(t *testing.T) {
			row, ok := listed[want.name+" "+want.apiVersion]
			if !ok {
				t.Fatalf("%s %s: not listed by kubectl api-resources", want.name, want.apiVersion)
			}
			namespaced := "false"
			if want.namespaced {
				namespaced = "true"
			}
			got := [3]string{row["SHORTNAMES"], row["NAMESPACED"], row["KIND"]}
			if exp := [3]string{want.shortNames, namespaced, want.kind}; got != exp {
				t.Errorf("shortnames, namespaced, kind = %q, want %q", got, exp)
			}
		})
	}
}
