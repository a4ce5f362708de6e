package images_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/skiff-sh/skiff/nodeagent/containerd/containerdtest"
	"github.com/skiff-sh/skiff/nodeagent/images"
)

// TestImportIntoContainerd imports archives from files into a real containerd and finds them
// through CRI under their names, with the config digest as image ID.
func TestImportIntoContainerd(t *testing.T) {
	containerdtest.Require(t)
	env := containerdtest.Start(t, containerdtest.Options{NoBusybox: true})
	ctx := context.Background()
	img, err := images.Busybox(ctx, "localhost/imported/busybox:v1", "/bin/busybox")
	if err != nil {
		t.Skipf("needs busybox-static: %v", err)
	}
	path := filepath.Join(t.TempDir(), "busybox.tar")
	d, err := images.WriteFile(path, img)
	if err != nil {
		t.Fatal(err)
	}
	if err := images.Import(ctx, env.Process.Endpoint(), path); err != nil {
		t.Fatal(err)
	}
	st, err := env.Runtime.ImageStatus(ctx, &runtimeapi.ImageSpec{Image: img.Name}, false)
	if err != nil {
		t.Fatal(err)
	}
	if st.GetImage().GetId() != d.Config {
		t.Errorf("CRI image %+v, want ID %s", st.GetImage(), d.Config)
	}
	list, err := env.Runtime.ListImages(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, i := range list {
		names = append(names, i.RepoTags...)
	}
	for _, want := range []string{img.Name, images.PauseImageName} {
		if !strings.Contains(strings.Join(names, " "), want) {
			t.Errorf("images %v lack %s", names, want)
		}
	}

	garbage := filepath.Join(t.TempDir(), "garbage.tar")
	if err := os.WriteFile(garbage, []byte("not a tar"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := images.Import(ctx, env.Process.Socket(), garbage); err == nil || !strings.Contains(err.Error(), "garbage.tar") {
		t.Errorf("importing garbage: %v", err)
	}
}
