package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	utilrand "k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

type options struct {
	kubeconfig  string
	server      string
	tests       string
	kinds       string
	clients     string
	ops         int
	qps         float64
	burst       int
	contentType string
	connections int
	warmup      int
	timeout     time.Duration
	nsWait      time.Duration
	list        listOptions
	watch       watchOptions
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "apiload:", err)
		os.Exit(1)
	}
}

func parseFlags() *options {
	o := &options{}
	home, _ := os.UserHomeDir()
	defKubeconfig := os.Getenv("KUBECONFIG")
	if defKubeconfig == "" {
		defKubeconfig = filepath.Join(home, ".kube", "config")
	}
	flag.StringVar(&o.kubeconfig, "kubeconfig", defKubeconfig, "kubeconfig of the server under test")
	flag.StringVar(&o.server, "server-name", "", "label for the server column (default: host:port from the kubeconfig)")
	flag.StringVar(&o.tests, "tests", "crud,list,watch", "comma-separated phases to run: crud, list, watch")
	flag.StringVar(&o.kinds, "kinds", "configmap,pod", "comma-separated kinds for the crud phase: configmap, pod")
	flag.StringVar(&o.clients, "clients", "1,16,64", "comma-separated concurrent client counts for the crud phase")
	flag.IntVar(&o.ops, "ops", 1000, "objects per crud measurement (each is created, read, updated and deleted)")
	flag.IntVar(&o.list.pods, "list-pods", 10000, "pods to create for the list phase")
	flag.Int64Var(&o.list.limit, "list-limit", 500, "page size for the paginated list")
	flag.IntVar(&o.list.repeats, "list-repeats", 3, "how many times each list is timed")
	flag.IntVar(&o.list.clients, "list-clients", 64, "concurrent clients creating and deleting the list phase's pods")
	flag.IntVar(&o.watch.watchers, "watchers", 100, "concurrent watchers in the watch phase")
	flag.IntVar(&o.watch.events, "watch-events", 1000, "ConfigMaps created (events each watcher must see)")
	flag.IntVar(&o.watch.writers, "watch-writers", 16, "concurrent clients creating the watch phase's ConfigMaps")
	flag.DurationVar(&o.watch.timeout, "watch-timeout", 5*time.Minute, "give up on the watch phase after this long")
	flag.Float64Var(&o.qps, "qps", 1e6, "client-side QPS limit (high so it never caps the measurement)")
	flag.IntVar(&o.burst, "burst", 1e6, "client-side burst limit")
	flag.IntVar(&o.warmup, "warmup", 100, "unmeasured ConfigMap and Pod create+delete cycles before the first measurement")
	flag.IntVar(&o.connections, "connections", 1, "separate client connections the workers are spread over (1: all share one HTTP/2 connection, as in one client-go process)")
	flag.StringVar(&o.contentType, "content-type", "json", "request encoding: json or protobuf")
	flag.DurationVar(&o.timeout, "timeout", 30*time.Minute, "abort the whole run after this long")
	flag.DurationVar(&o.nsWait, "namespace-wait", 10*time.Second, "how long to wait for the namespace to disappear at the end")
	flag.Parse()
	return o
}

func restConfig(o *options) (*rest.Config, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", o.kubeconfig)
	if err != nil {
		return nil, fmt.Errorf("loading kubeconfig %s: %w", o.kubeconfig, err)
	}
	cfg.QPS = float32(o.qps)
	cfg.Burst = o.burst
	cfg.UserAgent = "apiload"
	cfg.Timeout = 0
	switch o.contentType {
	case "json":
	case "protobuf":
		cfg.ContentType = "application/vnd.kubernetes.protobuf"
		cfg.AcceptContentTypes = "application/vnd.kubernetes.protobuf,application/json"
	default:
		return nil, fmt.Errorf("--content-type must be json or protobuf, not %q", o.contentType)
	}
	if o.server == "" {
		if u, err := url.Parse(cfg.Host); err == nil && u.Host != "" {
			o.server = u.Host
		} else {
			o.server = cfg.Host
		}
	}
	return cfg, nil
}

func run() error {
	o := parseFlags()
	cfg, err := restConfig(o)
	if err != nil {
		return err
	}
	pool, err := newPool(cfg, o.connections)
	if err != nil {
		return err
	}
	cs := pool.get(0)
	clientCounts, err := parseInts(o.clients)
	if err != nil {
		return fmt.Errorf("--clients: %w", err)
	}
	tests := set(o.tests)
	kinds := set(o.kinds)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()

	version := "unknown"
	if v, err := cs.Discovery().ServerVersion(); err == nil {
		version = v.GitVersion
	} else {
		return fmt.Errorf("reaching server %s: %w", cfg.Host, err)
	}
	ns := "apiload-" + utilrand.String(6)
	fmt.Printf("apiload: server=%s version=%s content-type=%s connections=%d namespace=%s started=%s\n\n",
		cfg.Host, version, o.contentType, o.connections, ns, time.Now().UTC().Format(time.RFC3339))
	if err := setupNamespace(ctx, cs, ns); err != nil {
		return err
	}
	defer func() {
		cctx, ccancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer ccancel()
		cleanup(cctx, cs, ns, o.nsWait)
	}()

	if o.warmup > 0 {
		for _, k := range []crudKind{newConfigMapKind(pool, ns, "warmup-cm", o.warmup), newPodKind(pool, ns, "warmup-pod", o.warmup)} {
			runParallel(ctx, o.warmup, 4, k.create)
			runParallel(ctx, o.warmup, 4, k.delete)
		}
	}
	t := &table{w: os.Stdout, server: o.server}
	t.header()
	if tests["crud"] {
		for _, c := range clientCounts {
			if kinds["configmap"] {
				runCRUD(ctx, t, newConfigMapKind(pool, ns, "cm-c"+strconv.Itoa(c), o.ops), o.ops, c)
			}
			if kinds["pod"] {
				runCRUD(ctx, t, newPodKind(pool, ns, "pod-c"+strconv.Itoa(c), o.ops), o.ops, c)
			}
		}
	}
	if tests["list"] && ctx.Err() == nil {
		runList(ctx, t, pool, ns, o.list)
	}
	if tests["watch"] && ctx.Err() == nil {
		runWatch(ctx, t, pool, ns, o.watch)
	}
	if ctx.Err() != nil {
		return fmt.Errorf("run aborted: %w", ctx.Err())
	}
	return nil
}

// newPool builds n clientsets. With n > 1 each gets its own transport (client-go shares a cached
// transport between configs unless a custom dialer makes them uncacheable).
func newPool(cfg *rest.Config, n int) (clientPool, error) {
	if n < 1 {
		return nil, fmt.Errorf("--connections must be at least 1")
	}
	pool := make(clientPool, n)
	for i := range pool {
		c := rest.CopyConfig(cfg)
		if n > 1 {
			c.Dial = (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext
		}
		cs, err := kubernetes.NewForConfig(c)
		if err != nil {
			return nil, fmt.Errorf("building clientset: %w", err)
		}
		pool[i] = cs
	}
	return pool, nil
}

func parseInts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("bad count %q", f)
		}
		out = append(out, n)
	}
	return out, nil
}

func set(s string) map[string]bool {
	m := map[string]bool{}
	for _, f := range strings.Split(s, ",") {
		m[strings.TrimSpace(strings.ToLower(f))] = true
	}
	return m
}
