package imagelocality

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	fwk "k8s.io/kube-scheduler/framework"

	pt "github.com/skiff-sh/skiff/scheduler-plugins/internal/plugintest"
	"github.com/skiff-sh/skiff/scheduler/cyclestate"
	"github.com/skiff-sh/skiff/scheduler/nodeinfo"
)

func TestScore(t *testing.T) {
	withVolume := pt.MakePod("p").Container("gcr.io/300", nil)
	withVolume.Spec.Volumes = []corev1.Volume{{Name: "v", VolumeSource: corev1.VolumeSource{Image: &corev1.ImageVolumeSource{Reference: "gcr.io/2000:v1"}}}}
	tests := []struct {
		name  string
		pod   *pt.PodWrapper
		nodes []*corev1.Node
		want  fwk.NodeScoreList
	}{
		{
			// n1: 40MB on 1 of 2 nodes -> 20MB, under 23MB -> 0.
			// n2: 300MB/2 = 150MB of a 2000MB range -> 100*(150-23)/(2000-23) = 6.
			name: "two images, one on each node",
			pod:  pt.MakePod("p").Container("gcr.io/40:latest", nil).Container("gcr.io/300", nil),
			nodes: []*corev1.Node{
				pt.MakeNode("n1").Image(40*mb, "gcr.io/40:latest").Obj(),
				pt.MakeNode("n2").Image(300*mb, "gcr.io/300:latest").Obj(),
			},
			want: fwk.NodeScoreList{{Name: "n1", Score: 0}, {Name: "n2", Score: 6}},
		},
		{
			// 250MB on both nodes: full spread -> 100*(250-23)/(1000-23) = 23 on each.
			name:  "image everywhere",
			pod:   pt.MakePod("p").Container("nginx", nil),
			nodes: []*corev1.Node{pt.MakeNode("n1").Image(250*mb, "nginx:latest").Obj(), pt.MakeNode("n2").Image(250*mb, "nginx:latest").Obj()},
			want:  fwk.NodeScoreList{{Name: "n1", Score: 23}, {Name: "n2", Score: 23}},
		},
		{
			// Two images (container + image volume); n1 has the 2000MB one alone: 2000/2 = 1000MB
			// -> 100*(1000-23)/(2000-23) = 49; n2 has nothing.
			name:  "image volumes count",
			pod:   withVolume,
			nodes: []*corev1.Node{pt.MakeNode("n1").Image(2000*mb, "gcr.io/2000:v1").Obj(), pt.MakeNode("n2").Obj()},
			want:  fwk.NodeScoreList{{Name: "n1", Score: 49}, {Name: "n2", Score: 0}},
		},
		{
			// Capped at the threshold: 3000MB everywhere for one image -> 100.
			name:  "huge image",
			pod:   pt.MakePod("p").Container("big:1", nil),
			nodes: []*corev1.Node{pt.MakeNode("n1").Image(3000*mb, "big:1").Obj()},
			want:  fwk.NodeScoreList{{Name: "n1", Score: 100}},
		},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snap := nodeinfo.NewSnapshot(nil, tt.nodes)
			p, _ := New(ctx, nil, &pt.Handle{Lister: snap})
			pl := p.(*Plugin)
			all, _ := snap.NodeInfos().List()
			var got fwk.NodeScoreList
			for _, ni := range all {
				s, st := pl.Score(ctx, cyclestate.New(), tt.pod.Obj(), ni)
				if !st.IsSuccess() {
					t.Fatal(st)
				}
				got = append(got, fwk.NodeScore{Name: ni.Node().Name, Score: s})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("scores (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNormalizedImageName(t *testing.T) {
	for in, want := range map[string]string{
		"nginx":                 "nginx:latest",
		"nginx:1.2":             "nginx:1.2",
		"localhost:5000/nginx":  "localhost:5000/nginx:latest",
		"localhost:5000/app:v1": "localhost:5000/app:v1",
	} {
		if got := normalizedImageName(in); got != want {
			t.Errorf("normalizedImageName(%q) = %q, want %q", in, got, want)
		}
	}
}
