package kubeletserver

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cri-client/pkg/logs"
)

// parseLogOptions reads v1.PodLogOptions from a /containerLogs query as the kubelet decodes it,
// including the legacy "tail" parameter ("all" meaning no limit). "stream" is ignored: upstream's
// PodLogsQuerySplitStreams is alpha and off.
func parseLogOptions(q url.Values) (*corev1.PodLogOptions, error) {
	opts := &corev1.PodLogOptions{}
	if tail := q.Get("tail"); tail != "" {
		q = cloneValues(q)
		q.Del("tailLines")
		if tail != "all" {
			q.Set("tailLines", tail)
		}
	}
	var err error
	opts.Container = q.Get("container")
	opts.Follow = queryBool(q, "follow")
	opts.Previous = queryBool(q, "previous")
	opts.Timestamps = queryBool(q, "timestamps")
	opts.InsecureSkipTLSVerifyBackend = queryBool(q, "insecureSkipTLSVerifyBackend")
	if opts.SinceSeconds, err = queryInt(q, "sinceSeconds"); err != nil {
		return nil, err
	}
	if opts.TailLines, err = queryInt(q, "tailLines"); err != nil {
		return nil, err
	}
	if opts.LimitBytes, err = queryInt(q, "limitBytes"); err != nil {
		return nil, err
	}
	if v := q.Get("sinceTime"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return nil, fmt.Errorf("sinceTime: %w", err)
		}
		opts.SinceTime = &metav1.Time{Time: t}
	}
	return opts, nil
}

// validateLogOptions is upstream's ValidatePodLogOptions for the v1 type.
func validateLogOptions(o *corev1.PodLogOptions) error {
	var errs []error
	if o.TailLines != nil && *o.TailLines < 0 {
		errs = append(errs, errors.New("tailLines: must be greater than or equal to 0"))
	}
	if o.LimitBytes != nil && *o.LimitBytes < 1 {
		errs = append(errs, errors.New("limitBytes: must be greater than 0"))
	}
	if o.SinceSeconds != nil && o.SinceTime != nil {
		errs = append(errs, errors.New("at most one of `sinceTime` or `sinceSeconds` may be specified"))
	}
	if o.SinceSeconds != nil && *o.SinceSeconds < 1 {
		errs = append(errs, errors.New("sinceSeconds: must be greater than 0"))
	}
	return errors.Join(errs...)
}

// criLogOptions turns the API options into the log reader's: sinceSeconds counts back from now,
// and the later of it and sinceTime wins.
func criLogOptions(o *corev1.PodLogOptions, now time.Time) *logs.LogOptions {
	out := &logs.LogOptions{TailLines: o.TailLines, LimitBytes: o.LimitBytes, Follow: o.Follow, Timestamp: o.Timestamps}
	if o.SinceSeconds != nil {
		out.Since = now.Add(-time.Duration(*o.SinceSeconds) * time.Second)
	}
	if o.SinceTime != nil && o.SinceTime.After(out.Since) {
		out.Since = o.SinceTime.Time
	}
	return out
}

// queryBool is the API's query decoding of booleans: present and neither "0" nor "false" is true.
func queryBool(q url.Values, key string) bool {
	v := q[key]
	return len(v) > 0 && v[0] != "0" && !strings.EqualFold(v[0], "false")
}

func queryInt(q url.Values, key string) (*int64, error) {
	v := q.Get(key)
	if v == "" {
		return nil, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", key, err)
	}
	return &n, nil
}

func cloneValues(q url.Values) url.Values {
	out := make(url.Values, len(q))
	for k, v := range q {
		out[k] = append([]string(nil), v...)
	}
	return out
}
