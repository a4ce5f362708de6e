package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	utilrand "k8s.io/apimachinery/pkg/util/rand"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "apidiff:", err)
		os.Exit(1)
	}
}

func run(w io.Writer) error {
	upstream := flag.String("upstream", "", "kubeconfig of the reference (upstream) server")
	skiff := flag.String("skiff", "", "kubeconfig of the server under test")
	dir := flag.String("cases", "hack/diff/testdata", "directory of *.yaml cases")
	ns := flag.String("namespace", "", "namespace to use on both servers (default: apidiff-<random>)")
	maxLines := flag.Int("max-diff-lines", 20, "differing lines shown per case")
	verbose := flag.Bool("v", false, "also print causes and messages of identical cases")
	timeout := flag.Duration("timeout", 10*time.Minute, "abort after this long")
	flag.Parse()
	if *upstream == "" || *skiff == "" {
		return fmt.Errorf("--upstream and --skiff kubeconfigs are required (they may be the same file)")
	}
	cases, err := loadCases(*dir)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()

	a, err := newSide("upstream", *upstream)
	if err != nil {
		return err
	}
	b, err := newSide("skiff", *skiff)
	if err != nil {
		return err
	}
	if *ns == "" {
		*ns = "apidiff-" + utilrand.String(6)
	}
	for _, s := range []*side{a, b} {
		if err := s.ensureNamespace(ctx, *ns); err != nil {
			return err
		}
	}
	defer func() {
		cctx, ccancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer ccancel()
		a.deleteNamespace(cctx, *ns)
		b.deleteNamespace(cctx, *ns)
	}()

	fmt.Fprintf(w, "apidiff: - %s (%s)  + %s (%s)  namespace %s, %d cases\n\n", a.name, a.host, b.name, b.host, *ns, len(cases))
	counts := map[verdict]int{}
	for _, c := range cases {
		ra, err := a.run(ctx, c, *ns)
		if err != nil {
			return fmt.Errorf("%s: %w", c.file, err)
		}
		rb, err := b.run(ctx, c, *ns)
		if err != nil {
			return fmt.Errorf("%s: %w", c.file, err)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		cmp := compare(ra, rb, *maxLines)
		counts[cmp.verdict]++
		fmt.Fprintf(w, "[%s] %s: %s %s/%s: %s\n", cmp.verdict, c.file, c.verb(), c.object.GetKind(), c.object.GetName(), cmp.summary)
		if c.description != "" && (cmp.verdict != identical || *verbose) {
			fmt.Fprintf(w, "    # %s\n", c.description)
		}
		if cmp.verdict != identical || *verbose {
			for _, l := range cmp.details {
				fmt.Fprintf(w, "    %s\n", l)
			}
		}
	}
	fmt.Fprintf(w, "\n%d/%d identical (%d equivalent: same code and causes, different message; %d different)\n",
		counts[identical], len(cases), counts[equivalent], counts[different])
	return nil
}
