package kubelet

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"path"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// dockerConfigEntry is one registry's credentials in a .dockerconfigjson/.dockercfg.
type dockerConfigEntry struct {
	Username      string `json:"username,omitempty"`
	Password      string `json:"password,omitempty"`
	Auth          string `json:"auth,omitempty"`
	IdentityToken string `json:"identitytoken,omitempty"`
	RegistryToken string `json:"registrytoken,omitempty"`
}

// registryAuth is a credential and the registry location (host[/path]) it is for.
type registryAuth struct {
	location string
	auth     *runtimeapi.AuthConfig
}

// pullCredentials are the credentials of the pull secrets that match image, the most specific
// registry location first, as upstream's keyring orders them.
func pullCredentials(secrets []*corev1.Secret, image string) []*runtimeapi.AuthConfig {
	var all []registryAuth
	for _, s := range secrets {
		all = append(all, secretAuths(s)...)
	}
	host, repo := splitImage(image)
	var matched []registryAuth
	for _, a := range all {
		if locationMatches(a.location, host, repo) {
			matched = append(matched, a)
		}
	}
	sort.SliceStable(matched, func(i, j int) bool { return len(matched[i].location) > len(matched[j].location) })
	out := make([]*runtimeapi.AuthConfig, len(matched))
	for i, m := range matched {
		out[i] = m.auth
	}
	return out
}

// secretAuths reads a kubernetes.io/dockerconfigjson or kubernetes.io/dockercfg secret.
func secretAuths(s *corev1.Secret) []registryAuth {
	var entries map[string]dockerConfigEntry
	switch s.Type {
	case corev1.SecretTypeDockerConfigJson:
		var cfg struct {
			Auths map[string]dockerConfigEntry `json:"auths"`
		}
		if json.Unmarshal(s.Data[corev1.DockerConfigJsonKey], &cfg) != nil {
			return nil
		}
		entries = cfg.Auths
	case corev1.SecretTypeDockercfg:
		if json.Unmarshal(s.Data[corev1.DockerConfigKey], &entries) != nil {
			return nil
		}
	default:
		return nil
	}
	var out []registryAuth
	for key, e := range entries {
		a := &runtimeapi.AuthConfig{Username: e.Username, Password: e.Password, Auth: e.Auth,
			ServerAddress: key, IdentityToken: e.IdentityToken, RegistryToken: e.RegistryToken}
		if e.Auth != "" && e.Username == "" {
			if dec, err := base64.StdEncoding.DecodeString(e.Auth); err == nil {
				if u, p, ok := strings.Cut(string(dec), ":"); ok {
					a.Username, a.Password = u, p
				}
			}
		}
		out = append(out, registryAuth{location: normalizeLocation(key), auth: a})
	}
	return out
}

// normalizeLocation turns a config key (https://index.docker.io/v1/, registry:5000/path, ...)
// into host[:port][/path] with Docker Hub's hosts as docker.io.
func normalizeLocation(key string) string {
	if strings.Contains(key, "://") {
		if u, err := url.Parse(key); err == nil {
			key = u.Host + u.Path
		}
	}
	key = strings.TrimSuffix(key, "/")
	host, p, _ := strings.Cut(key, "/")
	if host == "index.docker.io" || host == "registry-1.docker.io" || host == "docker.io" {
		host = "docker.io"
		if p == "v1" || p == "v2" {
			p = ""
		}
	}
	if p == "" {
		return host
	}
	return host + "/" + p
}

// splitImage returns an image reference's registry host (docker.io by default) and repository.
func splitImage(image string) (string, string) {
	if i := strings.IndexAny(image, "@"); i >= 0 {
		image = image[:i]
	}
	first, rest, ok := strings.Cut(image, "/")
	if !ok || !(strings.ContainsAny(first, ".:") || first == "localhost") {
		repo := image
		if !ok {
			repo = "library/" + image
		}
		return "docker.io", stripTag(repo)
	}
	if first == "index.docker.io" {
		first = "docker.io"
	}
	return first, stripTag(rest)
}

func stripTag(repo string) string {
	if i := strings.LastIndex(repo, ":"); i > strings.LastIndex(repo, "/") {
		return repo[:i]
	}
	return repo
}

// locationMatches reports whether a credential location (host with * globs per label, optional
// port and path prefix) applies to host/repo.
func locationMatches(location, host, repo string) bool {
	locHost, locPath, _ := strings.Cut(location, "/")
	lh, lport, _ := strings.Cut(locHost, ":")
	ih, iport, _ := strings.Cut(host, ":")
	if lport != iport {
		return false
	}
	lparts, iparts := strings.Split(lh, "."), strings.Split(ih, ".")
	if len(lparts) != len(iparts) {
		return false
	}
	for i := range lparts {
		if ok, err := path.Match(lparts[i], iparts[i]); err != nil || !ok {
			return false
		}
	}
	return locPath == "" || repo == locPath || strings.HasPrefix(repo, locPath+"/")
}

// describeAuth names a credential in logs without revealing it.
func describeAuth(a *runtimeapi.AuthConfig) string {
	return fmt.Sprintf("%s@%s", a.GetUsername(), a.GetServerAddress())
}
