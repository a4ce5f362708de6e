package token

import (
	"encoding/json"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestNewClaims(t *testing.T) {
	g := fixture()
	sa := g.serviceAccounts["ns/sa"]
	const times = `"exp":1772370000,"iat":1772366400,`
	const sub = `"nbf":1772366400,"sub":"system:serviceaccount:ns:sa"}`
	tests := []struct {
		name      string
		bound     Bound
		warnAfter int64
		want      string
	}{
		{"service account only", Bound{}, 0,
			`{"aud":["api"],` + times + `"jti":"id","kubernetes.io":{"namespace":"ns","serviceaccount":{"name":"sa","uid":"sa-uid"}},` + sub},
		{"pod on a node", Bound{Pod: g.pods["ns/p"], Node: g.nodes["n"]}, 0,
			`{"aud":["api"],` + times + `"jti":"id","kubernetes.io":{"namespace":"ns","node":{"name":"n","uid":"n-uid"},"pod":{"name":"p","uid":"p-uid"},"serviceaccount":{"name":"sa","uid":"sa-uid"}},` + sub},
		{"pod on a node that does not exist", Bound{Pod: g.pods["ns/p"], Node: &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "gone"}}}, 0,
			`{"aud":["api"],` + times + `"jti":"id","kubernetes.io":{"namespace":"ns","node":{"name":"gone"},"pod":{"name":"p","uid":"p-uid"},"serviceaccount":{"name":"sa","uid":"sa-uid"}},` + sub},
		{"secret", Bound{Secret: g.secrets["ns/s"]}, 0,
			`{"aud":["api"],` + times + `"jti":"id","kubernetes.io":{"namespace":"ns","secret":{"name":"s","uid":"s-uid"},"serviceaccount":{"name":"sa","uid":"sa-uid"}},` + sub},
		{"node", Bound{Node: g.nodes["n"]}, 0,
			`{"aud":["api"],` + times + `"jti":"id","kubernetes.io":{"namespace":"ns","node":{"name":"n","uid":"n-uid"},"serviceaccount":{"name":"sa","uid":"sa-uid"}},` + sub},
		{"extended", Bound{Pod: g.pods["ns/p"]}, 600,
			`{"aud":["api"],` + times + `"jti":"id","kubernetes.io":{"namespace":"ns","pod":{"name":"p","uid":"p-uid"},"serviceaccount":{"name":"sa","uid":"sa-uid"},"warnafter":1772367000},` + sub},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(NewClaims(sa, tt.bound, testNow, 3600, tt.warnAfter, []string{"api"}, "id"))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("claims\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}
