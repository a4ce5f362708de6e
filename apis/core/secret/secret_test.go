package secret

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"
)

func TestValidate(t *testing.T) {
	meta := metav1.ObjectMeta{Name: "s", Namespace: "ns"}
	big := make([]byte, corev1.MaxSecretSize+1)
	cases := []struct {
		name   string
		secret corev1.Secret
		paths  []string
		typ    field.ErrorType
	}{
		{"opaque", corev1.Secret{ObjectMeta: meta, Type: corev1.SecretTypeOpaque, Data: map[string][]byte{"a": nil}}, nil, ""},
		{"bad key", corev1.Secret{ObjectMeta: meta, Data: map[string][]byte{"a b": nil}}, []string{"data[a b]"}, field.ErrorTypeInvalid},
		{"too big", corev1.Secret{ObjectMeta: meta, Data: map[string][]byte{"a": big}}, []string{"data"}, field.ErrorTypeTooLong},
		{"tls missing keys", corev1.Secret{ObjectMeta: meta, Type: corev1.SecretTypeTLS}, []string{"data[tls.crt]", "data[tls.key]"}, field.ErrorTypeRequired},
		{"tls", corev1.Secret{ObjectMeta: meta, Type: corev1.SecretTypeTLS, Data: map[string][]byte{"tls.crt": nil, "tls.key": nil}}, nil, ""},
		{"dockerconfigjson missing", corev1.Secret{ObjectMeta: meta, Type: corev1.SecretTypeDockerConfigJson}, []string{"data[.dockerconfigjson]"}, field.ErrorTypeRequired},
		{"dockerconfigjson not json", corev1.Secret{ObjectMeta: meta, Type: corev1.SecretTypeDockerConfigJson, Data: map[string][]byte{".dockerconfigjson": []byte("{")}}, []string{"data[.dockerconfigjson]"}, field.ErrorTypeInvalid},
		{"dockercfg", corev1.Secret{ObjectMeta: meta, Type: corev1.SecretTypeDockercfg, Data: map[string][]byte{".dockercfg": []byte("{}")}}, nil, ""},
		{"basic auth empty", corev1.Secret{ObjectMeta: meta, Type: corev1.SecretTypeBasicAuth}, []string{"data[username]", "data[password]"}, field.ErrorTypeRequired},
		{"basic auth password only", corev1.Secret{ObjectMeta: meta, Type: corev1.SecretTypeBasicAuth, Data: map[string][]byte{"password": nil}}, nil, ""},
		{"ssh without key", corev1.Secret{ObjectMeta: meta, Type: corev1.SecretTypeSSHAuth}, []string{"data[ssh-privatekey]"}, field.ErrorTypeRequired},
		{"token without account", corev1.Secret{ObjectMeta: meta, Type: corev1.SecretTypeServiceAccountToken}, []string{"metadata.annotations[kubernetes.io/service-account.name]"}, field.ErrorTypeRequired},
		{"custom type", corev1.Secret{ObjectMeta: meta, Type: "example.com/thing"}, nil, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			errs := Validate(&tc.secret)
			if len(errs) != len(tc.paths) {
				t.Fatalf("got %v, want %v", errs, tc.paths)
			}
			for i, p := range tc.paths {
				if errs[i].Field != p || errs[i].Type != tc.typ {
					t.Errorf("error %d: %v, want %s at %s", i, errs[i], tc.typ, p)
				}
			}
		})
	}
}

func TestValidateUpdate(t *testing.T) {
	old := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "s", Namespace: "ns", ResourceVersion: "1"}, Type: corev1.SecretTypeOpaque,
		Data: map[string][]byte{"a": []byte("1")}, Immutable: ptr.To(true)}
	s := old.DeepCopy()
	s.Data["a"] = []byte("2")
	s.Immutable = nil
	errs := ValidateUpdate(s, old)
	if len(errs) != 2 || errs[0].Field != "immutable" || errs[1].Field != "data" {
		t.Fatalf("immutable secret: %v", errs)
	}
	s = old.DeepCopy()
	s.Type = "example.com/other"
	if errs := ValidateUpdate(s, old); len(errs) != 1 || errs[0].Field != "type" {
		t.Fatalf("type change: %v", errs)
	}
}

func TestStrategy(t *testing.T) {
	ctx := context.Background()
	s := &corev1.Secret{Data: map[string][]byte{"a": []byte("1"), "b": []byte("2")}, StringData: map[string]string{"b": "x", "c": "y"}}
	Strategy.PrepareForCreate(ctx, s)
	if string(s.Data["a"]) != "1" || string(s.Data["b"]) != "x" || string(s.Data["c"]) != "y" || s.StringData != nil {
		t.Fatalf("stringData merge: %+v", s)
	}
	old := &corev1.Secret{Type: corev1.SecretTypeTLS}
	update := &corev1.Secret{}
	Strategy.PrepareForUpdate(ctx, update, old)
	if update.Type != corev1.SecretTypeTLS {
		t.Fatalf("type not kept: %q", update.Type)
	}
	if w := Strategy.WarningsOnCreate(ctx, &corev1.Secret{Type: corev1.SecretTypeTLS, Data: map[string][]byte{"tls.crt": []byte("x"), "tls.key": []byte("y")}}); len(w) != 1 {
		t.Fatalf("TLS warning: %v", w)
	}
}
