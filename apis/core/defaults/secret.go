package defaults

import corev1 "k8s.io/api/core/v1"

// SetDefaults_Secret makes an untyped Secret Opaque and moves the write-only stringData into
// data (stringData wins on conflicts). Upstream does the move in its conversion, i.e. when the
// body is decoded, so the field manager records the keys under data; so does this.
func SetDefaults_Secret(obj *corev1.Secret) {
	if obj.Type == "" {
		obj.Type = corev1.SecretTypeOpaque
	}
	if len(obj.StringData) > 0 {
		if obj.Data == nil {
			obj.Data = make(map[string][]byte, len(obj.StringData))
		}
		for k, v := range obj.StringData {
			obj.Data[k] = []byte(v)
		}
	}
	obj.StringData = nil
}
