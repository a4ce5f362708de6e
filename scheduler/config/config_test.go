package config

import (
	"strings"
	"testing"

	configv1 "k8s.io/kube-scheduler/config/v1"
	"k8s.io/utils/ptr"
)

func TestDecodeDefaults(t *testing.T) {
	cfg, err := Decode([]byte(`
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
profiles:
- schedulerName: default-scheduler
- schedulerName: no-scoring
  plugins:
    score:
      disabled:
      - name: "*"
    filter:
      disabled:
      - name: TaintToleration
  pluginConfig:
  - name: NodeResourcesFit
    args:
      scoringStrategy:
        type: MostAllocated
  - name: DefaultPreemption
    args:
      minCandidateNodesAbsolute: 50
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := Validate(cfg); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if *cfg.Parallelism != 16 || *cfg.PodInitialBackoffSeconds != 1 || *cfg.PodMaxBackoffSeconds != 10 || *cfg.PercentageOfNodesToScore != 0 {
		t.Errorf("top-level defaults wrong: %d %d %d %d", *cfg.Parallelism, *cfg.PodInitialBackoffSeconds, *cfg.PodMaxBackoffSeconds, *cfg.PercentageOfNodesToScore)
	}
	if cfg.LeaderElection.ResourceName != "kube-scheduler" || cfg.LeaderElection.ResourceNamespace != "kube-system" {
		t.Errorf("leader election = %+v", cfg.LeaderElection)
	}
	p0, p1 := cfg.Profiles[0], cfg.Profiles[1]
	if len(p0.Plugins.MultiPoint.Enabled) != len(DefaultPlugins().MultiPoint.Enabled) {
		t.Errorf("profile 0 multipoint = %d plugins", len(p0.Plugins.MultiPoint.Enabled))
	}
	if len(p1.Plugins.Score.Disabled) != 1 || p1.Plugins.Score.Disabled[0].Name != "*" {
		t.Errorf("profile 1 score = %+v", p1.Plugins.Score)
	}
	args := map[string]any{}
	for _, pc := range p1.PluginConfig {
		args[pc.Name] = pc.Args.Object
	}
	fit, ok := args["NodeResourcesFit"].(*configv1.NodeResourcesFitArgs)
	if !ok || fit.ScoringStrategy.Type != configv1.MostAllocated || len(fit.ScoringStrategy.Resources) != 2 || fit.ScoringStrategy.Resources[0].Weight != 1 {
		t.Errorf("NodeResourcesFit args = %#v", args["NodeResourcesFit"])
	}
	dp := args["DefaultPreemption"].(*configv1.DefaultPreemptionArgs)
	if *dp.MinCandidateNodesAbsolute != 50 || *dp.MinCandidateNodesPercentage != 10 {
		t.Errorf("DefaultPreemption args = %+v", dp)
	}
	pts, ok := args["PodTopologySpread"].(*configv1.PodTopologySpreadArgs)
	if !ok || pts.DefaultingType != configv1.SystemDefaulting {
		t.Errorf("PodTopologySpread args = %#v", args["PodTopologySpread"])
	}
	vb := args["VolumeBinding"].(*configv1.VolumeBindingArgs)
	if *vb.BindTimeoutSeconds != 600 || len(vb.Shape) != 2 {
		t.Errorf("VolumeBinding args = %+v", vb)
	}
	if ipa := args["InterPodAffinity"].(*configv1.InterPodAffinityArgs); *ipa.HardPodAffinityWeight != 1 {
		t.Errorf("InterPodAffinity args = %+v", ipa)
	}
	if _, ok := args["NodeAffinity"].(*configv1.NodeAffinityArgs); !ok {
		t.Errorf("NodeAffinity args missing")
	}
}

func TestDecodeStrict(t *testing.T) {
	_, err := Decode([]byte("apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nbogus: 1\n"), nil)
	if err == nil || !strings.Contains(err.Error(), "bogus") {
		t.Errorf("err = %v, want strict decoding error naming the field", err)
	}
}

func TestDefaultAvailable(t *testing.T) {
	cfg := Default(func(n string) bool { return n == "PrioritySort" || n == "DefaultBinder" })
	got := cfg.Profiles[0].Plugins.MultiPoint.Enabled
	if len(got) != 2 || got[0].Name != "PrioritySort" || got[1].Name != "DefaultBinder" {
		t.Errorf("multipoint = %+v", got)
	}
	if *cfg.Profiles[0].SchedulerName != "default-scheduler" {
		t.Errorf("scheduler name = %s", *cfg.Profiles[0].SchedulerName)
	}
}

func TestMergePlugins(t *testing.T) {
	def := &configv1.Plugins{Filter: configv1.PluginSet{Enabled: []configv1.Plugin{{Name: "A"}, {Name: "B"}, {Name: "C"}}}}
	custom := &configv1.Plugins{Filter: configv1.PluginSet{
		Enabled:  []configv1.Plugin{{Name: "D"}, {Name: "B", Weight: ptr.To[int32](5)}},
		Disabled: []configv1.Plugin{{Name: "A"}},
	}}
	got := MergePlugins(def, custom).Filter
	var names []string
	for _, p := range got.Enabled {
		names = append(names, p.Name)
	}
	if strings.Join(names, ",") != "B,C,D" || *got.Enabled[0].Weight != 5 || got.Disabled[0].Name != "A" {
		t.Errorf("merged = %v %+v", names, got)
	}
	all := MergePlugins(&configv1.Plugins{Score: configv1.PluginSet{Enabled: []configv1.Plugin{{Name: "A"}}}},
		&configv1.Plugins{Score: configv1.PluginSet{Enabled: []configv1.Plugin{{Name: "X"}}, Disabled: []configv1.Plugin{{Name: "*"}}}}).Score
	if len(all.Enabled) != 1 || all.Enabled[0].Name != "X" {
		t.Errorf("disabled * merge = %+v", all)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		mut  func(*configv1.KubeSchedulerConfiguration)
		want string
	}{
		{"duplicate profile", func(c *configv1.KubeSchedulerConfiguration) {
			c.Profiles = append(c.Profiles, *c.Profiles[0].DeepCopy())
		}, "profiles[1].schedulerName: Duplicate value"},
		{"parallelism", func(c *configv1.KubeSchedulerConfiguration) { c.Parallelism = ptr.To[int32](0) }, "parallelism: Invalid value: 0: should be an integer value greater than zero"},
		{"percentage", func(c *configv1.KubeSchedulerConfiguration) { c.PercentageOfNodesToScore = ptr.To[int32](101) }, "percentageOfNodesToScore: Invalid value: 101: not in valid range [0-100]"},
		{"backoff", func(c *configv1.KubeSchedulerConfiguration) { c.PodMaxBackoffSeconds = ptr.To[int64](0) }, "podMaxBackoffSeconds: Invalid value: 0: must be greater than or equal to PodInitialBackoffSeconds"},
		{"args", func(c *configv1.KubeSchedulerConfiguration) {
			for _, pc := range c.Profiles[0].PluginConfig {
				if a, ok := pc.Args.Object.(*configv1.InterPodAffinityArgs); ok {
					a.HardPodAffinityWeight = ptr.To[int32](101)
				}
			}
		}, "profiles[0].pluginConfig[0].args.hardPodAffinityWeight: Invalid value: 101: not in valid range [0, 100]"},
		{"queue sort differs", func(c *configv1.KubeSchedulerConfiguration) {
			p := *c.Profiles[0].DeepCopy()
			p.SchedulerName = ptr.To("other")
			p.Plugins.QueueSort.Enabled = []configv1.Plugin{{Name: "Other"}}
			c.Profiles = append(c.Profiles, p)
		}, "profiles[1].plugins.queueSort: Invalid value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Default(nil)
			// Sort plugin config so InterPodAffinity comes first for a stable path.
			pcs := cfg.Profiles[0].PluginConfig
			for i := range pcs {
				if pcs[i].Name == "InterPodAffinity" {
					pcs[0], pcs[i] = pcs[i], pcs[0]
				}
			}
			if err := Validate(cfg); err != nil {
				t.Fatalf("default config invalid: %v", err)
			}
			tt.mut(cfg)
			err := Validate(cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestNumFeasibleNodesToFind(t *testing.T) {
	for _, tt := range []struct{ pct, nodes, want int32 }{
		{0, 10, 10}, {0, 99, 99}, {0, 1000, 420}, {0, 5000, 500}, {0, 6000, 300}, {0, 20000, 1000},
		{10, 500, 100}, {100, 3000, 3000}, {30, 3000, 900},
	} {
		if got := NumFeasibleNodesToFind(tt.pct, tt.nodes); got != tt.want {
			t.Errorf("NumFeasibleNodesToFind(%d, %d) = %d, want %d", tt.pct, tt.nodes, got, tt.want)
		}
	}
}
