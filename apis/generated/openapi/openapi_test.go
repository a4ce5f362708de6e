/*
Copyright The skiff Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

package openapi

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/kube-openapi/pkg/common"
	"k8s.io/kube-openapi/pkg/validation/spec"
)

// Keys are OpenAPI model names ("io.k8s.api.apps.v1.Deployment"), not Go
// import paths: k8s.io/api and apimachinery tag their packages with
// +k8s:openapi-model-package, so the generator keys by OpenAPIModelName().

func definitions(t *testing.T) (map[string]common.OpenAPIDefinition, []string) {
	t.Helper()
	var refs []string
	defs := GetOpenAPIDefinitions(func(name string) spec.Ref {
		refs = append(refs, name)
		return spec.MustCreateRef("#/definitions/" + name)
	})
	return defs, refs
}

func TestWellKnownDefinitions(t *testing.T) {
	defs, _ := definitions(t)
	for _, name := range []string{
		appsv1.Deployment{}.OpenAPIModelName(),
		corev1.Pod{}.OpenAPIModelName(),
		metav1.ObjectMeta{}.OpenAPIModelName(),
		"io.k8s.api.apps.v1.Deployment", // pin the literal form too
		"io.k8s.api.core.v1.Pod",
		"io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
	} {
		if _, ok := defs[name]; !ok {
			t.Errorf("missing definition %q", name)
		}
	}
}

func TestPodSpecContainersPatchStrategy(t *testing.T) {
	defs, _ := definitions(t)
	podSpec, ok := defs[corev1.PodSpec{}.OpenAPIModelName()]
	if !ok {
		t.Fatal("missing PodSpec definition")
	}
	containers, ok := podSpec.Schema.Properties["containers"]
	if !ok {
		t.Fatal("PodSpec has no containers property")
	}
	for ext, want := range map[string]string{
		"x-kubernetes-patch-strategy":  "merge",
		"x-kubernetes-patch-merge-key": "name",
	} {
		if got, _ := containers.Extensions.GetString(ext); got != want {
			t.Errorf("PodSpec.containers %s = %q, want %q", ext, got, want)
		}
	}
}

// A reference to a type that was not among openapi-gen's inputs only fails
// when the server builds its spec; catch it here instead.
func TestAllReferencesResolve(t *testing.T) {
	defs, refs := definitions(t)
	for _, def := range defs {
		refs = append(refs, def.Dependencies...)
	}
	if len(refs) == 0 {
		t.Fatal("no references collected")
	}
	for _, r := range refs {
		if _, ok := defs[r]; !ok {
			t.Errorf("reference to undefined definition %q", r)
		}
	}
}
