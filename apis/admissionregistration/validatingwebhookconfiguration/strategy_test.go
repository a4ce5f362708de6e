package validatingwebhookconfiguration

import (
	"context"
	"testing"

	"k8s.io/utils/ptr"
)

func TestStrategyGeneration(t *testing.T) {
	ctx := context.Background()
	cfg := valid()
	Strategy.PrepareForCreate(ctx, cfg)
	if cfg.Generation != 1 {
		t.Fatalf("generation %d, want 1", cfg.Generation)
	}
	same := cfg.DeepCopy()
	same.Labels = map[string]string{"a": "b"}
	Strategy.PrepareForUpdate(ctx, same, cfg)
	if same.Generation != 1 {
		t.Fatalf("a metadata change bumped the generation to %d", same.Generation)
	}
	changed := cfg.DeepCopy()
	changed.Webhooks[0].TimeoutSeconds = ptr.To[int32](3)
	Strategy.PrepareForUpdate(ctx, changed, cfg)
	if changed.Generation != 2 {
		t.Fatalf("a webhook change left the generation at %d", changed.Generation)
	}
	if Strategy.AllowUnconditionalUpdate(ctx) {
		t.Fatal("updates must carry a resourceVersion")
	}
}

func TestWarnings(t *testing.T) {
	cfg := valid()
	cfg.Webhooks[0].Rules[0].APIGroups = []string{"authorization.k8s.io"}
	cfg.Webhooks[0].Rules[0].Resources = []string{"subjectaccessreviews"}
	w := Strategy.WarningsOnCreate(context.Background(), cfg)
	if len(w) != 1 || w[0] != "webhooks[0].rules[0]: subjectaccessreviews.authorization.k8s.io is excluded from admission webhooks; this rule will have no effect" {
		t.Fatalf("unexpected warnings: %q", w)
	}
	cfg.Name = "x.static.k8s.io"
	if errs := Strategy.Validate(context.Background(), cfg); len(errs) != 1 || errs[0].Field != "metadata.name" {
		t.Fatalf("the static suffix is reserved: %v", errs)
	}
}
