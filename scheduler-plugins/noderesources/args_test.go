package noderesources

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/runtime"
	configv1 "k8s.io/kube-scheduler/config/v1"
)

func TestFitArgsDefaults(t *testing.T) {
	for _, in := range []runtime.Object{nil, &configv1.NodeResourcesFitArgs{}, (*configv1.NodeResourcesFitArgs)(nil)} {
		args, err := fitArgs(in)
		if err != nil {
			t.Fatal(err)
		}
		want := &configv1.ScoringStrategy{Type: configv1.LeastAllocated, Resources: defaultResources}
		if diff := cmp.Diff(want, args.ScoringStrategy); diff != "" {
			t.Errorf("defaults for %#v (-want +got):\n%s", in, diff)
		}
	}
	in := &configv1.NodeResourcesFitArgs{ScoringStrategy: &configv1.ScoringStrategy{Type: configv1.MostAllocated, Resources: []configv1.ResourceSpec{{Name: "cpu"}}}}
	args, err := fitArgs(in)
	if err != nil {
		t.Fatal(err)
	}
	if args.ScoringStrategy.Resources[0].Weight != 1 {
		t.Errorf("weight 0 not defaulted to 1: %+v", args.ScoringStrategy.Resources)
	}
	if in.ScoringStrategy.Resources[0].Weight != 0 {
		t.Error("defaulting modified the caller's args")
	}
}

func TestFitArgsValidation(t *testing.T) {
	tests := []struct {
		name string
		args *configv1.NodeResourcesFitArgs
		want string
	}{
		{"bad strategy", &configv1.NodeResourcesFitArgs{ScoringStrategy: &configv1.ScoringStrategy{Type: "Random"}},
			`scoringStrategy.type: Unsupported value: "Random"`},
		{"weight too big", strategy(configv1.LeastAllocated, []configv1.ResourceSpec{{Name: "cpu", Weight: 101}}),
			"resource weight of cpu not in valid range (0, 100]"},
		{"ratio without shape", strategy(configv1.RequestedToCapacityRatio, nil),
			"scoringStrategy.requestedToCapacityRatio: Required value"},
		{"shape unsorted", strategy(configv1.RequestedToCapacityRatio, nil, configv1.UtilizationShapePoint{Utilization: 50}, configv1.UtilizationShapePoint{Utilization: 10}),
			"values must be sorted in increasing order"},
		{"shape score too big", strategy(configv1.RequestedToCapacityRatio, nil, configv1.UtilizationShapePoint{Utilization: 50, Score: 11}),
			"not in valid range [0, 10]"},
		{"shape with another strategy", strategy(configv1.LeastAllocated, nil, configv1.UtilizationShapePoint{Utilization: 50}),
			"must be nil when type is not RequestedToCapacityRatio"},
		{"group with slash", &configv1.NodeResourcesFitArgs{IgnoredResourceGroups: []string{"example.com/gpu"}},
			"resource group name can't contain '/'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewFit(context.Background(), tt.args, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
	if _, err := NewFit(context.Background(), &configv1.NodeAffinityArgs{}, nil); err == nil {
		t.Error("wrong args type accepted")
	}
}

func TestBalancedArgs(t *testing.T) {
	args, err := balancedArgs(nil)
	if err != nil || len(args.Resources) != 2 {
		t.Fatalf("defaults = %+v, %v", args, err)
	}
	_, err = NewBalancedAllocation(context.Background(), &configv1.NodeResourcesBalancedAllocationArgs{Resources: []configv1.ResourceSpec{{Name: "cpu", Weight: 2}, {Name: "cpu"}}}, nil)
	if err == nil || !strings.Contains(err.Error(), "must be 1") || !strings.Contains(err.Error(), "Duplicate value") {
		t.Errorf("err = %v", err)
	}
}
