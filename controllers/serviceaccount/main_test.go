package serviceaccount_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"testing"

	"github.com/skiff-sh/skiff/apis/admission/serviceaccount"
	"github.com/skiff-sh/skiff/apis/server"
	"github.com/skiff-sh/skiff/test/integration/framework"
)

var srv *framework.Server

// TestMain runs one apiserver with the ServiceAccount admission plugin on, as kube-apiserver
// has it (test servers may turn it off, having no serviceaccount controller).
func TestMain(m *testing.M) {
	s, err := framework.Start(context.Background(), "", func(o *server.Options) {
		o.Admission.DisablePlugins = slices.DeleteFunc(o.Admission.DisablePlugins, func(p string) bool { return p == serviceaccount.PluginName })
		o.Admission.EnablePlugins = append(o.Admission.EnablePlugins, serviceaccount.PluginName)
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "starting apiserver:", err)
		os.Exit(1)
	}
	srv = s
	code := m.Run()
	s.Stop()
	os.Exit(code)
}
