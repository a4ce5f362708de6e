package integration

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/yaml"
)

// dynamicSamples holds one minimal valid object of every creatable resource the issue names.
// Names are fixed; namespaced objects go into the test's namespace.
var dynamicSamples = []string{
	`{apiVersion: v1, kind: ConfigMap, metadata: {name: s}, data: {a: b}}`,
	`{apiVersion: v1, kind: Secret, metadata: {name: s}, stringData: {a: b}}`,
	`{apiVersion: v1, kind: ServiceAccount, metadata: {name: s}}`,
	`{apiVersion: v1, kind: Pod, metadata: {name: s}, spec: {containers: [{name: c, image: busybox}]}}`,
	`{apiVersion: v1, kind: PodTemplate, metadata: {name: s}, template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: busybox}]}}}`,
	`{apiVersion: v1, kind: ReplicationController, metadata: {name: s}, spec: {selector: {a: b}, template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: busybox}]}}}}`,
	`{apiVersion: v1, kind: Service, metadata: {name: s}, spec: {selector: {a: b}, ports: [{port: 80}]}}`,
	`{apiVersion: v1, kind: Endpoints, metadata: {name: s}, subsets: [{addresses: [{ip: 10.1.2.3}], ports: [{port: 80}]}]}`,
	`{apiVersion: v1, kind: Event, metadata: {name: s}, involvedObject: {kind: Pod, name: p, namespace: NS}, reason: Test, message: hi, type: Normal}`,
	`{apiVersion: v1, kind: LimitRange, metadata: {name: s}, spec: {limits: [{type: Container, max: {cpu: "2"}}]}}`,
	`{apiVersion: v1, kind: ResourceQuota, metadata: {name: s}, spec: {hard: {pods: "10"}}}`,
	`{apiVersion: v1, kind: PersistentVolumeClaim, metadata: {name: s}, spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}}`,
	`{apiVersion: v1, kind: PersistentVolume, metadata: {name: NS-pv}, spec: {capacity: {storage: 1Gi}, accessModes: [ReadWriteOnce], hostPath: {path: /tmp/pv}}}`,
	`{apiVersion: v1, kind: Node, metadata: {name: NS-node}}`,
	`{apiVersion: apps/v1, kind: Deployment, metadata: {name: s}, spec: {selector: {matchLabels: {a: b}}, template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: busybox}]}}}}`,
	`{apiVersion: apps/v1, kind: ReplicaSet, metadata: {name: s}, spec: {selector: {matchLabels: {a: b}}, template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: busybox}]}}}}`,
	`{apiVersion: apps/v1, kind: StatefulSet, metadata: {name: s}, spec: {serviceName: s, selector: {matchLabels: {a: b}}, template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: busybox}]}}}}`,
	`{apiVersion: apps/v1, kind: DaemonSet, metadata: {name: s}, spec: {selector: {matchLabels: {a: b}}, template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: busybox}]}}}}`,
	`{apiVersion: apps/v1, kind: ControllerRevision, metadata: {name: s}, data: {spec: {}}, revision: 1}`,
	`{apiVersion: batch/v1, kind: Job, metadata: {name: s}, spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}}}}`,
	`{apiVersion: batch/v1, kind: CronJob, metadata: {name: s}, spec: {schedule: "*/5 * * * *", jobTemplate: {spec: {template: {spec: {restartPolicy: OnFailure, containers: [{name: c, image: busybox}]}}}}}}`,
	`{apiVersion: autoscaling/v2, kind: HorizontalPodAutoscaler, metadata: {name: s}, spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: s}, maxReplicas: 3}}`,
	`{apiVersion: policy/v1, kind: PodDisruptionBudget, metadata: {name: s}, spec: {minAvailable: 1, selector: {matchLabels: {a: b}}}}`,
	`{apiVersion: coordination.k8s.io/v1, kind: Lease, metadata: {name: s}, spec: {holderIdentity: me, leaseDurationSeconds: 15}}`,
	`{apiVersion: discovery.k8s.io/v1, kind: EndpointSlice, metadata: {name: s}, addressType: IPv4, endpoints: [{addresses: [10.1.2.3]}], ports: [{port: 80}]}`,
	`{apiVersion: events.k8s.io/v1, kind: Event, metadata: {name: s2}, eventTime: "2026-01-01T00:00:00.000000Z", reportingController: test/x, reportingInstance: i, action: Test, reason: Test, type: Normal, regarding: {kind: Pod, name: p, namespace: NS}}`,
	`{apiVersion: networking.k8s.io/v1, kind: Ingress, metadata: {name: s}, spec: {defaultBackend: {service: {name: s, port: {number: 80}}}}}`,
	`{apiVersion: networking.k8s.io/v1, kind: IngressClass, metadata: {name: NS-ic}, spec: {controller: example.com/ingress}}`,
	`{apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: s}, spec: {podSelector: {}}}`,
	`{apiVersion: node.k8s.io/v1, kind: RuntimeClass, metadata: {name: NS-rc}, handler: runc}`,
	`{apiVersion: scheduling.k8s.io/v1, kind: PriorityClass, metadata: {name: NS-pc}, value: 1000}`,
	`{apiVersion: storage.k8s.io/v1, kind: StorageClass, metadata: {name: NS-sc}, provisioner: example.com/p}`,
	`{apiVersion: storage.k8s.io/v1, kind: CSIDriver, metadata: {name: NS.csi.example.com}, spec: {}}`,
	`{apiVersion: storage.k8s.io/v1, kind: CSINode, metadata: {name: NS-csinode}, spec: {drivers: []}}`,
	`{apiVersion: storage.k8s.io/v1, kind: VolumeAttachment, metadata: {name: NS-va}, spec: {attacher: example.com, nodeName: node-1, source: {persistentVolumeName: pv}}}`,
	`{apiVersion: rbac.authorization.k8s.io/v1, kind: Role, metadata: {name: s}, rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]}`,
	`{apiVersion: rbac.authorization.k8s.io/v1, kind: RoleBinding, metadata: {name: s}, roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: s}, subjects: [{kind: User, name: u, apiGroup: rbac.authorization.k8s.io}]}`,
	`{apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRole, metadata: {name: NS-cr}, rules: [{nonResourceURLs: [/healthz], verbs: [get]}]}`,
	`{apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRoleBinding, metadata: {name: NS-crb}, roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: NS-cr}, subjects: [{kind: Group, name: g, apiGroup: rbac.authorization.k8s.io}]}`,
	`{apiVersion: admissionregistration.k8s.io/v1, kind: ValidatingWebhookConfiguration, metadata: {name: NS-vwc}, webhooks: []}`,
	`{apiVersion: admissionregistration.k8s.io/v1, kind: MutatingWebhookConfiguration, metadata: {name: NS-mwc}, webhooks: []}`,
	`{apiVersion: admissionregistration.k8s.io/v1, kind: ValidatingAdmissionPolicy, metadata: {name: NS-vap}, spec: {matchConstraints: {resourceRules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [nothing-matches]}]}, validations: [{expression: "true"}]}}`,
	`{apiVersion: admissionregistration.k8s.io/v1, kind: ValidatingAdmissionPolicyBinding, metadata: {name: NS-vapb}, spec: {policyName: NS-vap, validationActions: [Deny]}}`,
	`{apiVersion: certificates.k8s.io/v1, kind: CertificateSigningRequest, metadata: {name: NS-csr}, spec: {signerName: example.com/s, usages: [client auth], request: CSR}}`,
	`{apiVersion: apiextensions.k8s.io/v1, kind: CustomResourceDefinition, metadata: {name: NSwidgets.example.com}, spec: {group: example.com, names: {plural: NSwidgets, kind: NSWidget}, scope: Namespaced, versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}]}}`,
}

// Every sample goes through create, get, list, watch, merge patch, update and delete with the
// dynamic client, as any generic tool (kubectl, Helm, controller-runtime) would drive it.
func TestDynamicClientOverEveryResource(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ns := testServer.Namespace(t)
	dyn := testServer.Dynamic(t)
	csr := base64.StdEncoding.EncodeToString(newCSR(t))
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(discovery.NewDiscoveryClientForConfigOrDie(testServer.ClientConfig)))

	for _, sample := range dynamicSamples {
		obj := &unstructured.Unstructured{}
		sample = strings.NewReplacer("NS", ns, "CSR", csr).Replace(sample)
		if err := yaml.Unmarshal([]byte(sample), &obj.Object); err != nil {
			t.Fatalf("sample %s: %v", sample, err)
		}
		t.Run(obj.GetKind(), func(t *testing.T) {
			gvk := obj.GroupVersionKind()
			mapping, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
			if err != nil {
				t.Fatalf("no mapping for %s: %v", gvk, err)
			}
			resource := dyn.Resource(mapping.Resource)
			client := resource.Namespace(ns)
			if mapping.Scope.Name() == meta.RESTScopeNameRoot {
				client = resource
			} else {
				obj.SetNamespace(ns)
			}
			name := obj.GetName()

			w, err := client.Watch(ctx, metav1.ListOptions{FieldSelector: "metadata.name=" + name})
			if err != nil {
				t.Fatalf("watch: %v", err)
			}
			defer w.Stop()
			if _, err := client.Create(ctx, obj, metav1.CreateOptions{}); err != nil {
				t.Fatalf("create: %v", err)
			}
			waitForEvent(t, w, watch.Added)
			got, err := client.Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				t.Fatalf("get: %v", err)
			}
			list, err := client.List(ctx, metav1.ListOptions{FieldSelector: "metadata.name=" + name})
			if err != nil || len(list.Items) != 1 {
				t.Fatalf("list: %d items, %v", len(list.Items), err)
			}
			patched, err := client.Patch(ctx, name, types.MergePatchType, []byte(`{"metadata":{"labels":{"patched":"yes"}}}`), metav1.PatchOptions{})
			if err != nil || patched.GetLabels()["patched"] != "yes" {
				t.Fatalf("patch: %v", err)
			}
			waitForEvent(t, w, watch.Modified)
			// Controllers may write status meanwhile (CRDs), so update from a fresh read.
			err = retry.RetryOnConflict(retry.DefaultRetry, func() error {
				fresh, err := client.Get(ctx, name, metav1.GetOptions{})
				if err != nil {
					return err
				}
				fresh.SetAnnotations(map[string]string{"updated": "yes"})
				_, err = client.Update(ctx, fresh, metav1.UpdateOptions{})
				return err
			})
			if err != nil {
				t.Fatalf("update: %v", err)
			}
			// A write based on the first read is stale by now.
			got.SetAnnotations(map[string]string{"stale": "yes"})
			if _, err := client.Update(ctx, got, metav1.UpdateOptions{}); !apierrors.IsConflict(err) {
				t.Fatalf("stale update: got %v, want 409", err)
			}
			// Background propagation as kubectl sends it: some kinds (ReplicationControllers)
			// default to orphaning, which waits for a garbage collector.
			background := metav1.DeletePropagationBackground
			if err := client.Delete(ctx, name, metav1.DeleteOptions{GracePeriodSeconds: new(int64), PropagationPolicy: &background}); err != nil {
				t.Fatalf("delete: %v", err)
			}
			// Protection finalizers (pv/pvc-protection) hold some kinds until a controller
			// releases them; do what that controller would.
			_, err = client.Patch(ctx, name, types.MergePatchType, []byte(`{"metadata":{"finalizers":null}}`), metav1.PatchOptions{})
			if err != nil && !apierrors.IsNotFound(err) {
				t.Fatalf("removing finalizers: %v", err)
			}
			waitForEvent(t, w, watch.Deleted)
		})
	}
}

// waitForEvent reads w until an event of type want arrives, failing after a deadline.
func waitForEvent(t *testing.T, w watch.Interface, want watch.EventType) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		select {
		case ev, ok := <-w.ResultChan():
			if !ok {
				t.Fatalf("watch closed before %s", want)
			}
			if ev.Type == want {
				return
			}
		case <-deadline:
			t.Fatalf("no %s event within 20s", want)
		}
	}
}

// newCSR returns a PEM certificate signing request for a node client certificate.
func newCSR(t *testing.T) []byte {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "system:node:n", Organization: []string{"system:nodes"}}}, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
}
