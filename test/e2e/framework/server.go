package framework

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// ReadyTimeout bounds how long Start waits for /readyz.
var ReadyTimeout = 90 * time.Second

// Server is a `skiff server` child process on a loopback port.
type Server struct {
	// Binary is the skiff binary it runs.
	Binary string
	// DataDir is its --data-dir; it survives Kill and Stop so the server can be started again.
	DataDir string
	// Port is its --secure-port.
	Port int
	// LogPath is where its stdout and stderr go.
	LogPath string
	// Args are extra flags for `skiff server`, e.g. --simulated-nodes 3.
	Args []string

	cmd    *exec.Cmd
	exited chan struct{}
	err    error
}

// Kubeconfig is the admin kubeconfig the server writes into its data dir.
func (s *Server) Kubeconfig() string { return filepath.Join(s.DataDir, "admin.kubeconfig") }

// NewServer describes a server on dataDir and a free loopback port; nothing runs until Start.
func NewServer(binary, dataDir string) (*Server, error) {
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	return &Server{Binary: binary, DataDir: dataDir, Port: port, LogPath: dataDir + ".log"}, nil
}

// FreePort returns a TCP port that was free on 127.0.0.1 a moment ago.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Start runs the server and waits until /readyz answers 200 or ReadyTimeout passes.
func (s *Server) Start(ctx context.Context) error {
	if s.exited != nil && !s.Exited() {
		return errors.New("server is already running")
	}
	logFile, err := os.OpenFile(s.LogPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	fmt.Fprintf(logFile, "\n===== %s: starting %s on port %d\n", time.Now().Format(time.RFC3339), s.Binary, s.Port)
	// A kubeconfig left by an earlier run must not be taken for this run's.
	_ = os.Remove(s.Kubeconfig())
	cmd := exec.Command(s.Binary, "server",
		"--data-dir", s.DataDir,
		"--secure-port", strconv.Itoa(s.Port),
		"--bind-address", "127.0.0.1")
	cmd.Args = append(cmd.Args, s.Args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// Its own process group, so Kill reaches anything it started too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return fmt.Errorf("starting %s: %w", s.Binary, err)
	}
	s.cmd, s.exited = cmd, make(chan struct{})
	go func() {
		s.err = cmd.Wait()
		logFile.Close()
		close(s.exited)
	}()
	if err := s.waitReady(ctx); err != nil {
		return fmt.Errorf("%w\n--- last lines of %s:\n%s", err, s.LogPath, s.LogTail(40))
	}
	return nil
}

func (s *Server) waitReady(ctx context.Context) error {
	var last string
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, ReadyTimeout, true, func(ctx context.Context) (bool, error) {
		select {
		case <-s.exited:
			return false, fmt.Errorf("server exited before it was ready: %v", s.err)
		default:
		}
		if _, err := os.Stat(s.Kubeconfig()); err != nil {
			last = "no kubeconfig yet"
			return false, nil
		}
		code, body, err := s.Raw(ctx, "GET", "/readyz?verbose", nil)
		if err != nil {
			last = err.Error()
			return false, nil
		}
		last = fmt.Sprintf("%d: %s", code, body)
		return code == 200, nil
	})
	if err != nil {
		return fmt.Errorf("server on port %d not ready after %v: %w\nlast /readyz: %s", s.Port, ReadyTimeout, err, last)
	}
	return nil
}

// RESTConfig is the admin client config from the server's kubeconfig.
func (s *Server) RESTConfig() (*rest.Config, error) {
	return clientcmd.BuildConfigFromFlags("", s.Kubeconfig())
}

// Raw sends one request as the admin user and returns the HTTP status and body.
func (s *Server) Raw(ctx context.Context, method, path string, body []byte) (int, []byte, error) {
	config, err := s.RESTConfig()
	if err != nil {
		return 0, nil, err
	}
	config.Timeout = 30 * time.Second
	client, err := rest.HTTPClientFor(config)
	if err != nil {
		return 0, nil, err
	}
	req, err := newRequest(ctx, method, config.Host+path, body)
	if err != nil {
		return 0, nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var out bytes.Buffer
	_, err = out.ReadFrom(resp.Body)
	return resp.StatusCode, out.Bytes(), err
}

// Exited tells whether the server was started and has exited since.
func (s *Server) Exited() bool {
	if s.exited == nil {
		return false
	}
	select {
	case <-s.exited:
		return true
	default:
		return false
	}
}

// Kill sends SIGKILL to the server's process group and waits for it to go: a crash, not a shutdown.
func (s *Server) Kill() error { return s.signal(syscall.SIGKILL, 30*time.Second) }

// Stop asks the server to shut down (SIGTERM) and kills it if it has not gone within 30s.
func (s *Server) Stop() error {
	if err := s.signal(syscall.SIGTERM, 30*time.Second); err == nil {
		return nil
	}
	return s.Kill()
}

func (s *Server) signal(sig syscall.Signal, grace time.Duration) error {
	if s.cmd == nil {
		return nil
	}
	select {
	case <-s.exited:
		return nil
	default:
	}
	if err := syscall.Kill(-s.cmd.Process.Pid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
		return err
	}
	select {
	case <-s.exited:
		return nil
	case <-time.After(grace):
		return fmt.Errorf("server (pid %d) still running %v after %v", s.cmd.Process.Pid, grace, sig)
	}
}

// LogTail returns the last n lines of the server's log.
func (s *Server) LogTail(n int) string {
	data, err := os.ReadFile(s.LogPath)
	if err != nil {
		return err.Error()
	}
	lines := bytes.Split(bytes.TrimRight(data, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}
