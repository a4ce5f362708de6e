package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

// testCase is one manifest file. Its last document is the object under test. Earlier documents are
// setup, created for real before the test and deleted after it; when the object under test has the
// same kind and name as a setup document, the case is a dry-run update of that object (for immutable
// field checks), otherwise a dry-run create.
type testCase struct {
	file        string
	description string
	setup       []*unstructured.Unstructured
	object      *unstructured.Unstructured
	update      bool
}

func loadCases(dir string) ([]*testCase, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no *.yaml files in %s", dir)
	}
	sort.Strings(files)
	var cases []*testCase
	for _, f := range files {
		c, err := loadCase(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		cases = append(cases, c)
	}
	return cases, nil
}

func loadCase(file string) (*testCase, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	c := &testCase{file: filepath.Base(file), description: firstComment(data)}
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	var docs []*unstructured.Unstructured
	for {
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return nil, fmt.Errorf("decoding: %w", err)
		}
		if m == nil {
			continue
		}
		u := &unstructured.Unstructured{Object: m}
		if u.GetKind() == "" || u.GetAPIVersion() == "" {
			return nil, fmt.Errorf("a document lacks apiVersion or kind")
		}
		docs = append(docs, u)
	}
	if len(docs) == 0 {
		return nil, fmt.Errorf("no documents")
	}
	c.object = docs[len(docs)-1]
	c.setup = docs[:len(docs)-1]
	for _, s := range c.setup {
		if s.GetKind() == c.object.GetKind() && s.GetName() == c.object.GetName() {
			c.update = true
		}
	}
	return c, nil
}

// firstComment returns the text of the file's leading "# ..." lines.
func firstComment(data []byte) string {
	var parts []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "#") {
			break
		}
		parts = append(parts, strings.TrimSpace(strings.TrimPrefix(line, "#")))
	}
	return strings.Join(parts, " ")
}

func (c *testCase) verb() string {
	if c.update {
		return "update"
	}
	return "create"
}
