package cri

import (
	"testing"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

func TestNotReady(t *testing.T) {
	cond := func(typ string, ok bool) *runtimeapi.RuntimeCondition {
		c := &runtimeapi.RuntimeCondition{Type: typ, Status: ok}
		if !ok {
			c.Reason, c.Message = "NetworkPluginNotReady", "cni config uninitialized"
		}
		return c
	}
	tests := []struct {
		name  string
		conds []*runtimeapi.RuntimeCondition
		want  string
	}{
		{"both ready", []*runtimeapi.RuntimeCondition{cond(runtimeapi.RuntimeReady, true), cond(runtimeapi.NetworkReady, true)}, ""},
		{"network not ready", []*runtimeapi.RuntimeCondition{cond(runtimeapi.RuntimeReady, true), cond(runtimeapi.NetworkReady, false)},
			"NetworkReady=false reason:NetworkPluginNotReady message:cni config uninitialized"},
		{"runtime first", []*runtimeapi.RuntimeCondition{cond(runtimeapi.NetworkReady, false), cond(runtimeapi.RuntimeReady, false)},
			"RuntimeReady=false reason:NetworkPluginNotReady message:cni config uninitialized"},
		{"missing network", []*runtimeapi.RuntimeCondition{cond(runtimeapi.RuntimeReady, true)}, "NetworkReady missing"},
		{"nothing", nil, "RuntimeReady missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NotReady(&runtimeapi.RuntimeStatus{Conditions: tt.conds}); got != tt.want {
				t.Errorf("NotReady() = %q, want %q", got, tt.want)
			}
		})
	}
}
