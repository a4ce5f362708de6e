package garbagecollector

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextensions "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/manager"

	"github.com/skiff-sh/skiff/controllers/config"
	"github.com/skiff-sh/skiff/controllers/controllertest"
)

// startGC runs a garbage collector that reads discovery every second (so new custom
// resources join quickly) and waits until its informers have listed.
func startGC(t *testing.T) *GarbageCollector {
	t.Helper()
	var gc *GarbageCollector
	controllertest.StartManager(t, srv.ClientConfig, nil, func(mgr manager.Manager, cfg config.Config) error {
		var err error
		gc, err = newForManager(mgr, cfg)
		if err != nil {
			return err
		}
		gc.syncPeriod = time.Second
		return mgr.Add(gc)
	})
	poll(t, "informers synced", func(context.Context) (bool, error) { return gc.isSynced(), nil })
	return gc
}

func poll(t *testing.T, what string, cond wait.ConditionWithContextFunc) {
	t.Helper()
	if err := wait.PollUntilContextTimeout(context.Background(), 50*time.Millisecond, controllertest.Timeout, true, cond); err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}

// refTo returns an ownerReference to obj.
func ownerRefTo(obj metav1.Object, apiVersion, kind string, block bool) metav1.OwnerReference {
	r := metav1.OwnerReference{APIVersion: apiVersion, Kind: kind, Name: obj.GetName(), UID: obj.GetUID()}
	if block {
		r.BlockOwnerDeletion = ptr.To(true)
	}
	return r
}

func createCM(t *testing.T, client kubernetes.Interface, ns, name string, owners ...metav1.OwnerReference) *corev1.ConfigMap {
	t.Helper()
	cm, err := client.CoreV1().ConfigMaps(ns).Create(context.Background(), &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: name, OwnerReferences: owners},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return cm
}

func createSecret(t *testing.T, client kubernetes.Interface, ns, name string, owners ...metav1.OwnerReference) *corev1.Secret {
	t.Helper()
	s, err := client.CoreV1().Secrets(ns).Create(context.Background(), &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: name, OwnerReferences: owners},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func cmRef(cm *corev1.ConfigMap, block bool) metav1.OwnerReference {
	return ownerRefTo(cm, "v1", "ConfigMap", block)
}

// waitGone waits until get reports NotFound.
func waitGone(t *testing.T, what string, get func(ctx context.Context) error) {
	t.Helper()
	poll(t, what+" deleted", func(ctx context.Context) (bool, error) {
		err := get(ctx)
		if apierrors.IsNotFound(err) {
			return true, nil
		}
		return false, err
	})
}

func cmGetter(client kubernetes.Interface, ns, name string) func(context.Context) error {
	return func(ctx context.Context) error {
		_, err := client.CoreV1().ConfigMaps(ns).Get(ctx, name, metav1.GetOptions{})
		return err
	}
}

func deleteCM(t *testing.T, client kubernetes.Interface, ns, name string, policy *metav1.DeletionPropagation) {
	t.Helper()
	if err := client.CoreV1().ConfigMaps(ns).Delete(context.Background(), name, metav1.DeleteOptions{PropagationPolicy: policy}); err != nil {
		t.Fatal(err)
	}
}

// createCRD creates a namespaced custom resource (plural.group, kind) and waits until
// discovery serves it.
func createCRD(t *testing.T, group, plural, kind string) schema.GroupVersionResource {
	t.Helper()
	gvr := schema.GroupVersionResource{Group: group, Version: "v1", Resource: plural}
	client := apiextensions.NewForConfigOrDie(srv.ClientConfig)
	crd := &apiextensionsv1.CustomResourceDefinition{
		ObjectMeta: metav1.ObjectMeta{Name: plural + "." + group},
		Spec: apiextensionsv1.CustomResourceDefinitionSpec{
			Group: group, Scope: apiextensionsv1.NamespaceScoped,
			Names: apiextensionsv1.CustomResourceDefinitionNames{Plural: plural, Kind: kind, ListKind: kind + "List"},
			Versions: []apiextensionsv1.CustomResourceDefinitionVersion{{
				Name: "v1", Served: true, Storage: true,
				Schema: &apiextensionsv1.CustomResourceValidation{OpenAPIV3Schema: &apiextensionsv1.JSONSchemaProps{
					Type: "object", XPreserveUnknownFields: ptr.To(true),
				}},
			}},
		},
	}
	if _, err := client.ApiextensionsV1().CustomResourceDefinitions().Create(context.Background(), crd, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	disco := srv.Client(t).Discovery()
	poll(t, "CRD served", func(context.Context) (bool, error) {
		list, err := disco.ServerResourcesForGroupVersion(gvr.GroupVersion().String())
		if err != nil {
			return false, nil
		}
		for _, r := range list.APIResources {
			if r.Name == plural {
				return true, nil
			}
		}
		return false, nil
	})
	return gvr
}

var (
	background = ptr.To(metav1.DeletePropagationBackground)
	foreground = ptr.To(metav1.DeletePropagationForeground)
	orphan     = ptr.To(metav1.DeletePropagationOrphan)
)

func mergePatch(t *testing.T, client kubernetes.Interface, ns, name, patch string) {
	t.Helper()
	if _, err := client.CoreV1().ConfigMaps(ns).Patch(context.Background(), name, types.MergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
}
