package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/skiff-sh/skiff/nodeagent/cri"
	"github.com/skiff-sh/skiff/nodeagent/images"
)

type options struct {
	kubeconfig   string
	criEndpoint  string
	agentPID     int
	pods         int
	rate         float64
	runs         string
	image        string
	cgroupParent string
	workDir      string
	timeout      time.Duration
	cleanup      bool
	podsCSV      string
}

func main() {
	var o options
	flag.StringVar(&o.kubeconfig, "kubeconfig", "", "kubeconfig of the cluster")
	flag.StringVar(&o.criEndpoint, "cri-endpoint", "", "CRI socket of the node's containerd (unix:///...)")
	flag.IntVar(&o.agentPID, "agent-pid", 0, "pid of the node agent (its memory and CPU, and its containerd child's, are reported)")
	flag.IntVar(&o.pods, "pods", 100, "pods per run")
	flag.Float64Var(&o.rate, "rate", 5, "creations per second of the paced run")
	flag.StringVar(&o.runs, "runs", "burst,paced", "runs, in order: burst (all pods at once) and paced (--rate per second)")
	flag.StringVar(&o.image, "image", images.BusyboxImageName, "image of the pods, present on the node")
	flag.StringVar(&o.cgroupParent, "cgroup-parent", "", "cgroup parent of the CRI baseline's sandboxes (the node's --cgroup-root)")
	flag.StringVar(&o.workDir, "work-dir", os.TempDir(), "directory for the CRI baseline's log files")
	flag.DurationVar(&o.timeout, "timeout", 20*time.Minute, "bound on the whole run")
	flag.StringVar(&o.podsCSV, "pods-csv", "", "directory for a CSV per run of every pod's timeline (ms from the run's start)")
	flag.BoolVar(&o.cleanup, "cleanup", false, "only stop and remove every sandbox of --cri-endpoint, then exit")
	header := flag.Bool("header", false, "print the tables' headers and exit")
	flag.Parse()
	if *header {
		fmt.Println(latencyHeader)
		return
	}
	var err error
	if o.cleanup {
		err = cleanup(o)
	} else {
		err = run(o)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "podstartup:", err)
		os.Exit(1)
	}
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "[%s] podstartup: %s\n", time.Now().UTC().Format("15:04:05.000"), fmt.Sprintf(format, args...))
}

func cleanup(o options) error {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	rt, err := cri.Connect(ctx, cri.Options{Endpoint: o.criEndpoint, ConnectTimeout: 5 * time.Second})
	if err != nil {
		return err
	}
	defer rt.Close(ctx)
	return removeSandboxes(ctx, rt, nil)
}

func run(o options) error {
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, o.timeout)
	defer cancelTimeout()

	config, err := clientcmd.BuildConfigFromFlags("", o.kubeconfig)
	if err != nil {
		return err
	}
	config.QPS, config.Burst = -1, 0
	client, err := kubernetes.NewForConfig(config)
	if err != nil {
		return err
	}
	node, err := waitNode(ctx, client)
	if err != nil {
		return fmt.Errorf("waiting for a Ready node: %w", err)
	}
	rt, err := cri.Connect(ctx, cri.Options{Endpoint: o.criEndpoint})
	if err != nil {
		return err
	}
	defer rt.Close(context.Background())
	if err := cri.WaitReady(ctx, rt, time.Minute); err != nil {
		return err
	}
	var containerdPID int
	if pids := childrenNamed(o.agentPID, "containerd"); len(pids) == 1 {
		containerdPID = pids[0]
	}
	logf("node %s; agent pid %d, its containerd pid %d", node, o.agentPID, containerdPID)

	logf("CRI baseline, sequential")
	seq, err := baseline(ctx, rt, o, "seq", 1, 0)
	if err != nil {
		return fmt.Errorf("sequential CRI baseline: %w", err)
	}
	var results []result
	for _, name := range strings.Split(o.runs, ",") {
		rate := 0.0
		switch name {
		case "burst":
		case "paced":
			rate = o.rate
		default:
			return fmt.Errorf("unknown run %q", name)
		}
		r, err := podRun(ctx, client, rt, o, name, rate, containerdPID)
		if err != nil {
			return fmt.Errorf("run %s: %w", name, err)
		}
		logf("CRI baseline, %s", name)
		concurrency := o.pods
		if r.cri, err = baseline(ctx, rt, o, name, concurrency, rate); err != nil {
			return fmt.Errorf("CRI baseline %s: %w", name, err)
		}
		results = append(results, r)
	}
	printTables(seq, results)
	return nil
}
