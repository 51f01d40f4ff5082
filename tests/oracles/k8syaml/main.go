// Command k8syaml prints what the Kubernetes API server would see for YAML documents: each is
// converted with sigs.k8s.io/yaml.YAMLToJSON, the function kubectl and the apiserver's YAML
// serializer use. It reads a JSON array of YAML texts on stdin and writes a JSON array of
// {"json": <the converted document>} or {"error": "<message>"}, one per text, in order, so a
// test can check thousands of documents with one process.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"sigs.k8s.io/yaml"
)

type answer struct {
	JSON  json.RawMessage `json:"json,omitempty"`
	Error string          `json:"error,omitempty"`
}

func main() {
	raw, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "k8syaml: reading stdin:", err)
		os.Exit(2)
	}
	var texts []string
	if err := json.Unmarshal(raw, &texts); err != nil {
		fmt.Fprintln(os.Stderr, "k8syaml: stdin must be a JSON array of strings:", err)
		os.Exit(2)
	}
	answers := make([]answer, len(texts))
	for i, text := range texts {
		converted, err := yaml.YAMLToJSON([]byte(text))
		if err != nil {
			answers[i].Error = err.Error()
			continue
		}
		answers[i].JSON = converted
	}
	out, err := json.Marshal(answers)
	if err != nil {
		fmt.Fprintln(os.Stderr, "k8syaml: encoding answers:", err)
		os.Exit(2)
	}
	os.Stdout.Write(append(out, '\n'))
}
