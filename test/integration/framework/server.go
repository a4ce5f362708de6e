package framework

import (
	"context"
	"fmt"
	"net"
	"os"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/skiff-sh/skiff/apis/server"
)

// Server is a running in-process apiserver.
type Server struct {
	// ClientConfig reaches the server as the admin user.
	ClientConfig *rest.Config
	// Options are the options it runs with (data dir, ports).
	Options *server.Options
	cancel  context.CancelFunc
	// done is closed when the server has stopped; err is then why.
	done   chan struct{}
	err    error
	ownDir bool
}

// Start runs an apiserver on a free loopback port. With dataDir "" it uses a new temporary
// directory that Stop removes; a given dataDir is kept (to test restarts).
func Start(ctx context.Context, dataDir string, customize ...func(*server.Options)) (*Server, error) {
	ownDir := dataDir == ""
	if ownDir {
		dir, err := os.MkdirTemp("", "skiff-integration-")
		if err != nil {
			return nil, err
		}
		dataDir = dir
	}
	o := server.NewOptions()
	o.DataDir = dataDir
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	// Until the server runs, a failed start must not leave the port or the directory behind.
	abandon := func(err error) (*Server, error) {
		_ = listener.Close()
		if ownDir {
			_ = os.RemoveAll(dataDir)
		}
		return nil, err
	}
	o.SecureServing.Listener = listener
	o.SecureServing.BindPort = listener.Addr().(*net.TCPAddr).Port
	// No serviceaccount controller runs here, so pods would wait for default ServiceAccounts
	// that never come: upstream's test servers turn the plugin off the same way.
	o.Admission.DisablePlugins = append(o.Admission.DisablePlugins, "ServiceAccount")
	for _, c := range customize {
		c(o)
	}
	if err := o.Validate(); err != nil {
		return abandon(err)
	}

	ctx, cancel := context.WithCancel(ctx)
	s := &Server{Options: o, cancel: cancel, done: make(chan struct{}), ownDir: ownDir}
	srv, err := server.Prepare(ctx, o, nil)
	if err != nil {
		cancel()
		return abandon(err)
	}
	go func() {
		s.err = srv.Run(ctx)
		close(s.done)
	}()

	s.ClientConfig, err = clientcmd.BuildConfigFromFlags("", o.KubeconfigPath())
	if err != nil {
		s.Stop()
		return nil, err
	}
	s.ClientConfig.QPS, s.ClientConfig.Burst = 1000, 2000
	if err := s.waitReady(ctx); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

func (s *Server) waitReady(ctx context.Context) error {
	client, err := kubernetes.NewForConfig(s.ClientConfig)
	if err != nil {
		return err
	}
	var lastErr error
	err = wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, 60*time.Second, true, func(ctx context.Context) (bool, error) {
		select {
		case <-s.done:
			return false, fmt.Errorf("server exited: %w", s.err)
		default:
		}
		body, err := client.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
		if err != nil {
			lastErr = fmt.Errorf("%w: %s", err, body)
			return false, nil
		}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("apiserver not ready: %w (last: %v)", err, lastErr)
	}
	return nil
}

// Stop shuts the server down, waits for it and removes its temporary data dir.
func (s *Server) Stop() {
	s.cancel()
	select {
	case <-s.done:
		if s.ownDir {
			_ = os.RemoveAll(s.Options.DataDir)
		}
	case <-time.After(30 * time.Second):
		// Still running: keep its data dir rather than pull it from under the server.
	}
}
