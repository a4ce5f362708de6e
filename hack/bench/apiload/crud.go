package main

import (
	"context"
	"fmt"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// crudKind is one resource whose create/get/update/delete the CRUD phase measures.
type crudKind interface {
	name() string
	create(ctx context.Context, i int) error
	get(ctx context.Context, i int) error
	update(ctx context.Context, i int) error
	delete(ctx context.Context, i int) error
}

// benchLabel marks every object this tool creates, so cleanup can find them.
const benchLabel = "apiload.skiff.sh/bench"

func objectMeta(name string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Labels: map[string]string{benchLabel: "true"}}
}

// clientPool spreads requests over several clientsets, each with its own connection.
type clientPool []kubernetes.Interface

func (p clientPool) get(i int) kubernetes.Interface { return p[i%len(p)] }

type configMapKind struct {
	cs      clientPool
	ns      string
	prefix  string
	created []*corev1.ConfigMap
}

func newConfigMapKind(cs clientPool, ns, prefix string, n int) *configMapKind {
	return &configMapKind{cs: cs, ns: ns, prefix: prefix, created: make([]*corev1.ConfigMap, n)}
}

func (k *configMapKind) name() string { return "ConfigMap" }

func (k *configMapKind) objName(i int) string { return fmt.Sprintf("%s-%06d", k.prefix, i) }

func (k *configMapKind) create(ctx context.Context, i int) error {
	cm := &corev1.ConfigMap{ObjectMeta: objectMeta(k.objName(i)),
		Data: map[string]string{"key": "value-" + strconv.Itoa(i), "config.yaml": "a: 1\nb: [x, y, z]\n"}}
	out, err := k.cs.get(i).CoreV1().ConfigMaps(k.ns).Create(ctx, cm, metav1.CreateOptions{})
	k.created[i] = out
	return err
}

func (k *configMapKind) get(ctx context.Context, i int) error {
	_, err := k.cs.get(i).CoreV1().ConfigMaps(k.ns).Get(ctx, k.objName(i), metav1.GetOptions{})
	return err
}

func (k *configMapKind) update(ctx context.Context, i int) error {
	cm := k.created[i]
	if cm == nil {
		return fmt.Errorf("configmap %d was not created", i)
	}
	cm = cm.DeepCopy()
	cm.Data["key"] = "updated-" + strconv.Itoa(i)
	out, err := k.cs.get(i).CoreV1().ConfigMaps(k.ns).Update(ctx, cm, metav1.UpdateOptions{})
	if err == nil {
		k.created[i] = out
	}
	return err
}

func (k *configMapKind) delete(ctx context.Context, i int) error {
	return k.cs.get(i).CoreV1().ConfigMaps(k.ns).Delete(ctx, k.objName(i), metav1.DeleteOptions{})
}

type podKind struct {
	cs      clientPool
	ns      string
	prefix  string
	created []*corev1.Pod
}

func newPodKind(cs clientPool, ns, prefix string, n int) *podKind {
	return &podKind{cs: cs, ns: ns, prefix: prefix, created: make([]*corev1.Pod, n)}
}

func (k *podKind) name() string { return "Pod" }

func (k *podKind) objName(i int) string { return fmt.Sprintf("%s-%06d", k.prefix, i) }

// minimalPod is a valid Pod that no scheduler has bound (spec.nodeName unset).
func minimalPod(name string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: objectMeta(name),
		Spec: corev1.PodSpec{
			Containers: []corev1.Container{{Name: "main", Image: "registry.k8s.io/pause:3.10"}},
		},
	}
}

func (k *podKind) create(ctx context.Context, i int) error {
	out, err := k.cs.get(i).CoreV1().Pods(k.ns).Create(ctx, minimalPod(k.objName(i)), metav1.CreateOptions{})
	k.created[i] = out
	return err
}

func (k *podKind) get(ctx context.Context, i int) error {
	_, err := k.cs.get(i).CoreV1().Pods(k.ns).Get(ctx, k.objName(i), metav1.GetOptions{})
	return err
}

func (k *podKind) update(ctx context.Context, i int) error {
	p := k.created[i]
	if p == nil {
		return fmt.Errorf("pod %d was not created", i)
	}
	p = p.DeepCopy()
	if p.Annotations == nil {
		p.Annotations = map[string]string{}
	}
	p.Annotations["apiload.skiff.sh/updated"] = strconv.Itoa(i)
	out, err := k.cs.get(i).CoreV1().Pods(k.ns).Update(ctx, p, metav1.UpdateOptions{})
	if err == nil {
		k.created[i] = out
	}
	return err
}

func (k *podKind) delete(ctx context.Context, i int) error {
	return k.cs.get(i).CoreV1().Pods(k.ns).Delete(ctx, k.objName(i), metav1.DeleteOptions{})
}

// runCRUD measures create, get, update and delete of n objects of one kind with `clients` workers.
func runCRUD(ctx context.Context, t *table, k crudKind, n, clients int) {
	steps := []struct {
		op string
		fn func(context.Context, int) error
	}{{"create", k.create}, {"get", k.get}, {"update", k.update}, {"delete", k.delete}}
	for _, s := range steps {
		if ctx.Err() != nil {
			return
		}
		total, rec := runParallel(ctx, n, clients, s.fn)
		t.print(rowFrom(s.op, k.name(), clients, total, rec))
	}
}
