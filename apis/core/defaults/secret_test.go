package defaults

import (
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestSecretStringDataMovesToData(t *testing.T) {
	secret := &corev1.Secret{
		Data:       map[string][]byte{"username": []byte("old"), "password": []byte("p")},
		StringData: map[string]string{"username": "admin", "token": "t"},
	}
	SetObjectDefaults_Secret(secret)
	want := map[string][]byte{"username": []byte("admin"), "password": []byte("p"), "token": []byte("t")}
	if !reflect.DeepEqual(secret.Data, want) || secret.StringData != nil {
		t.Errorf("data = %q, stringData = %q; want data %q and no stringData", secret.Data, secret.StringData, want)
	}

	only := &corev1.Secret{StringData: map[string]string{"tls.crt": "c"}}
	SetObjectDefaults_Secret(only)
	if string(only.Data["tls.crt"]) != "c" || only.StringData != nil {
		t.Errorf("stringData only: data = %q, stringData = %q", only.Data, only.StringData)
	}

	empty := &corev1.Secret{StringData: map[string]string{}}
	SetObjectDefaults_Secret(empty)
	if empty.Data != nil || empty.StringData != nil {
		t.Errorf("empty stringData: data = %q, stringData = %q; want both nil", empty.Data, empty.StringData)
	}
}
