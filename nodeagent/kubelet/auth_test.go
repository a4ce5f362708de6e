package kubelet

import (
	"encoding/base64"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestSplitImage(t *testing.T) {
	tests := []struct{ in, host, repo string }{
		{"busybox", "docker.io", "library/busybox"},
		{"busybox:1.36", "docker.io", "library/busybox"},
		{"user/app:v1", "docker.io", "user/app"},
		{"registry.example.com/team/app:v1", "registry.example.com", "team/app"},
		{"localhost:5000/app@sha256:abc", "localhost:5000", "app"},
		{"localhost/busybox:test", "localhost", "busybox"},
		{"index.docker.io/library/nginx", "docker.io", "library/nginx"},
	}
	for _, tt := range tests {
		if h, r := splitImage(tt.in); h != tt.host || r != tt.repo {
			t.Errorf("splitImage(%q) = %q %q, want %q %q", tt.in, h, r, tt.host, tt.repo)
		}
	}
}

func TestPullCredentials(t *testing.T) {
	secret := func(name, json string) *corev1.Secret {
		return &corev1.Secret{Type: corev1.SecretTypeDockerConfigJson, Data: map[string][]byte{corev1.DockerConfigJsonKey: []byte(json)}}
	}
	auth := base64.StdEncoding.EncodeToString([]byte("bob:secret"))
	secrets := []*corev1.Secret{
		secret("hub", `{"auths":{"https://index.docker.io/v1/":{"username":"hub","password":"p"}}}`),
		secret("corp", `{"auths":{"registry.corp.io":{"auth":"`+auth+`"},"registry.corp.io/team":{"username":"team","password":"p"}}}`),
		secret("wild", `{"auths":{"*.wild.io":{"username":"wild","password":"p"}}}`),
		secret("port", `{"auths":{"localhost:5000":{"username":"local","password":"p"}}}`),
		{Type: corev1.SecretTypeDockercfg, Data: map[string][]byte{corev1.DockerConfigKey: []byte(`{"old.io":{"username":"old","password":"p"}}`)}},
		{Type: corev1.SecretTypeOpaque, Data: map[string][]byte{"x": []byte("y")}},
		secret("broken", `{not json`),
	}
	tests := []struct {
		image string
		users []string
	}{
		{"nginx", []string{"hub"}},
		{"docker.io/library/nginx:1", []string{"hub"}},
		{"registry.corp.io/team/app:v1", []string{"team", "bob"}},
		{"registry.corp.io/other/app", []string{"bob"}},
		{"registry.corp.io/teamx/app", []string{"bob"}},
		{"a.wild.io/app", []string{"wild"}},
		{"a.b.wild.io/app", nil},
		{"localhost:5000/app", []string{"local"}},
		{"localhost/app", nil},
		{"old.io/x", []string{"old"}},
		{"quay.io/x", nil},
	}
	for _, tt := range tests {
		t.Run(tt.image, func(t *testing.T) {
			got := pullCredentials(secrets, tt.image)
			var users []string
			for _, a := range got {
				users = append(users, a.Username)
			}
			if len(users) != len(tt.users) {
				t.Fatalf("users %v, want %v", users, tt.users)
			}
			for i := range users {
				if users[i] != tt.users[i] {
					t.Errorf("users %v, want %v", users, tt.users)
				}
			}
			for _, a := range got {
				if a.Username == "bob" && (a.Password != "secret" || a.Auth == "") {
					t.Errorf("auth field not decoded: %+v", a)
				}
			}
		})
	}
}

func TestWithDefaultTag(t *testing.T) {
	for in, want := range map[string]string{
		"busybox": "busybox:latest", "busybox:1": "busybox:1", "localhost:5000/app": "localhost:5000/app:latest",
		"app@sha256:abc": "app@sha256:abc",
	} {
		if got := withDefaultTag(in); got != want {
			t.Errorf("withDefaultTag(%q) = %q, want %q", in, got, want)
		}
	}
}
