package deployment

import (
	"context"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func TestSetNewReplicaSetAnnotations(t *testing.T) {
	tests := []struct {
		name        string
		rs          *appsv1.ReplicaSet
		newRevision string
		exists      bool
		limit       int
		want        map[string]string // "" value: must be absent
		changed     bool
	}{
		{
			name: "created", rs: rs("new", 0, 0), newRevision: "1", limit: 2000,
			want: map[string]string{RevisionAnnotation: "1", RevisionHistoryAnnotation: "", DesiredReplicasAnnotation: "4", MaxReplicasAnnotation: "5",
				"team": "x", corev1.LastAppliedConfigAnnotation: ""},
			changed: true,
		},
		{
			name: "rolled back to", rs: rs("old", 0, 0, RevisionAnnotation, "1"), newRevision: "3", exists: true, limit: 2000,
			want: map[string]string{RevisionAnnotation: "3", RevisionHistoryAnnotation: "1", DesiredReplicasAnnotation: ""}, changed: true,
		},
		{
			name: "history grows", rs: rs("old", 0, 0, RevisionAnnotation, "3", RevisionHistoryAnnotation, "1"), newRevision: "5", exists: true, limit: 2000,
			want: map[string]string{RevisionAnnotation: "5", RevisionHistoryAnnotation: "1,3"}, changed: true,
		},
		{
			name: "history trimmed to the limit", rs: rs("old", 0, 0, RevisionAnnotation, "30", RevisionHistoryAnnotation, "10,20"), newRevision: "40", exists: true, limit: 5,
			want: map[string]string{RevisionAnnotation: "40", RevisionHistoryAnnotation: "20,30"}, changed: true,
		},
		{
			name: "current", rs: rs("new", 0, 0, RevisionAnnotation, "2", "team", "x"), newRevision: "2", exists: true, limit: 2000,
			want: map[string]string{RevisionAnnotation: "2"}, changed: false,
		},
		{
			name: "unparseable revision left alone", rs: rs("new", 0, 0, RevisionAnnotation, "x", "team", "x"), newRevision: "2", exists: true, limit: 2000,
			want: map[string]string{RevisionAnnotation: "x"}, changed: false,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := rolling(4, intstr.FromString("25%"), intstr.FromString("25%"))
			d.Annotations = map[string]string{"team": "x", corev1.LastAppliedConfigAnnotation: "{}", RevisionAnnotation: "9"}
			changed := setNewReplicaSetAnnotations(context.Background(), d, tt.rs, tt.newRevision, tt.exists, tt.limit)
			if changed != tt.changed {
				t.Errorf("changed = %v, want %v", changed, tt.changed)
			}
			for k, want := range tt.want {
				got, ok := tt.rs.Annotations[k]
				if want == "" && ok {
					t.Errorf("%s = %q, want none", k, got)
				} else if want != "" && got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
		})
	}
}

func TestSetAnnotationsFromReplicaSet(t *testing.T) {
	d := rolling(1, intstrZero, intstrZero)
	d.Annotations = map[string]string{RevisionAnnotation: "4", "note": "new", "gone": "y"}
	setAnnotationsFromReplicaSet(d, rs("old", 0, 0, RevisionAnnotation, "1", "note", "old", DesiredReplicasAnnotation, "3"))
	want := map[string]string{RevisionAnnotation: "4", "note": "old"}
	if len(d.Annotations) != len(want) || d.Annotations["note"] != "old" || d.Annotations[RevisionAnnotation] != "4" {
		t.Errorf("annotations %v, want %v", d.Annotations, want)
	}
}
