package main

import (
	"context"
	"fmt"
	"os"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// setupNamespace creates the run's namespace and its "default" ServiceAccount (upstream's ServiceAccount
// admission rejects Pods without it, and no controller creates it when only the apiserver runs).
func setupNamespace(ctx context.Context, cs kubernetes.Interface, ns string) error {
	_, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: objectMeta(ns)}, metav1.CreateOptions{})
	if err != nil {
		return fmt.Errorf("creating namespace %s: %w", ns, err)
	}
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default"}}
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err = cs.CoreV1().ServiceAccounts(ns).Create(ctx, sa, metav1.CreateOptions{})
		if err == nil || apierrors.IsAlreadyExists(err) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("creating default ServiceAccount in %s: %w", ns, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// cleanup deletes every object this run created, one by one (DeleteCollection and namespace deletion
// need controllers that a bare apiserver may not run), then the namespace itself.
func cleanup(ctx context.Context, cs kubernetes.Interface, ns string, wait time.Duration) {
	sel := metav1.ListOptions{LabelSelector: benchLabel + "=true"}
	left := 0
	if l, err := cs.CoreV1().Pods(ns).List(ctx, sel); err == nil {
		_, rec := runParallel(ctx, len(l.Items), 16, func(ctx context.Context, i int) error {
			return ignoreNotFound(cs.CoreV1().Pods(ns).Delete(ctx, l.Items[i].Name, metav1.DeleteOptions{}))
		})
		left += rec.errors
	} else {
		fmt.Fprintf(os.Stderr, "cleanup: listing pods: %v\n", err)
	}
	if l, err := cs.CoreV1().ConfigMaps(ns).List(ctx, sel); err == nil {
		_, rec := runParallel(ctx, len(l.Items), 16, func(ctx context.Context, i int) error {
			return ignoreNotFound(cs.CoreV1().ConfigMaps(ns).Delete(ctx, l.Items[i].Name, metav1.DeleteOptions{}))
		})
		left += rec.errors
	} else {
		fmt.Fprintf(os.Stderr, "cleanup: listing configmaps: %v\n", err)
	}
	_ = ignoreNotFound(cs.CoreV1().ServiceAccounts(ns).Delete(ctx, "default", metav1.DeleteOptions{}))
	if left > 0 {
		fmt.Fprintf(os.Stderr, "cleanup: %d objects could not be deleted\n", left)
	}
	if err := ignoreNotFound(cs.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{})); err != nil {
		fmt.Fprintf(os.Stderr, "cleanup: deleting namespace %s: %v\n", ns, err)
		return
	}
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		if _, err := cs.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{}); apierrors.IsNotFound(err) {
			fmt.Fprintf(os.Stderr, "cleanup: namespace %s deleted\n", ns)
			return
		}
		time.Sleep(250 * time.Millisecond)
	}
	fmt.Fprintf(os.Stderr, "cleanup: namespace %s still terminating after %s (no namespace controller?); its objects were deleted\n", ns, wait)
}

func ignoreNotFound(err error) error {
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}
