package images

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"

	"k8s.io/klog/v2"
)

// CRINamespace is the containerd namespace the CRI plugin keeps its images in.
const CRINamespace = "k8s.io"

// Importer loads an image archive (an OCI image layout or `docker save` tar) into the runtime.
type Importer interface {
	Import(ctx context.Context, archive io.Reader) error
}

// CtrImporter imports through containerd's ctr tool (`ctr images import`, which also unpacks the
// image for the default snapshotter). containerd's Go client would do the same in process; it is not
// a dependency of skiff yet, and this is the only place that would use it.
type CtrImporter struct {
	// Address is containerd's socket: a path or a unix:// endpoint.
	Address string
	// Ctr is the ctr binary; empty means ctr in PATH.
	Ctr string
	// Namespace is the containerd namespace; empty means CRINamespace.
	Namespace string
	// Output receives ctr's progress lines; nil discards them.
	Output io.Writer
}

// Import streams archive to ctr.
func (c *CtrImporter) Import(ctx context.Context, archive io.Reader) error {
	ctr, ns := c.Ctr, c.Namespace
	if ctr == "" {
		ctr = "ctr"
	}
	if ns == "" {
		ns = CRINamespace
	}
	addr := strings.TrimPrefix(c.Address, "unix://")
	if addr == "" {
		return fmt.Errorf("no containerd address to import images into")
	}
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, ctr, "--address", addr, "--namespace", ns, "images", "import", "-")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = archive, c.Output, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s images import: %w: %s", ctr, err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

// Import loads the archive at tarPath into the containerd listening on socket (a path or a
// unix:// endpoint), in the CRI's namespace.
func Import(ctx context.Context, socket, tarPath string) error {
	return ImportFile(ctx, &CtrImporter{Address: socket}, tarPath)
}

// ImportFile loads the archive at path ("-" for standard input) with imp.
func ImportFile(ctx context.Context, imp Importer, path string) error {
	var r io.Reader = os.Stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	if err := imp.Import(ctx, r); err != nil {
		return fmt.Errorf("importing %s: %w", path, err)
	}
	return nil
}

// ImportImage builds img's layout archive and imports it with imp.
func ImportImage(ctx context.Context, imp Importer, img Image) (Digests, error) {
	var buf bytes.Buffer
	d, err := Write(&buf, img)
	if err != nil {
		return Digests{}, err
	}
	if err := imp.Import(ctx, &buf); err != nil {
		return Digests{}, fmt.Errorf("importing %s: %w", img.Name, err)
	}
	klog.FromContext(ctx).V(2).Info("Imported image", "image", img.Name, "id", d.Config)
	return d, nil
}

// ImportPause imports the sandbox image (PauseImageName) for this machine's architecture.
func ImportPause(ctx context.Context, imp Importer) (Digests, error) {
	img, err := PauseImage(runtime.GOARCH)
	if err != nil {
		return Digests{}, err
	}
	return ImportImage(ctx, imp, img)
}
