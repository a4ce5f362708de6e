package framework

import (
	"context"
	"os"
	"path/filepath"

	"github.com/skiff-sh/skiff/apis/server"
)

// ExternalEtcd starts an etcd member of its own, as an external cluster for servers that use
// dataDir (they share its PKI, whose CA etcd trusts). It returns the option that points a
// server at it and the function that stops it.
func ExternalEtcd(ctx context.Context, dataDir string) (func(*server.Options), func(), error) {
	pki := server.PKI{Dir: filepath.Join(dataDir, "pki")}
	if err := pki.Ensure([]string{"localhost"}, nil); err != nil {
		return nil, nil, err
	}
	etcdDir, err := os.MkdirTemp("", "skiff-etcd-")
	if err != nil {
		return nil, nil, err
	}
	etcd, err := server.StartEmbeddedEtcd(ctx, etcdDir, pki)
	if err != nil {
		_ = os.RemoveAll(etcdDir)
		return nil, nil, err
	}
	stop := func() {
		etcd.Close()
		_ = os.RemoveAll(etcdDir)
	}
	return func(o *server.Options) { o.UseEtcd(etcd, pki) }, stop, nil
}
