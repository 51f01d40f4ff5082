// Command k8syaml prints what Kubernetes makes of YAML, with the code Kubernetes uses.
//
// It reads a JSON array of YAML texts on stdin and writes a JSON array with one answer per
// text, in order, so a test can check thousands of texts with one process:
//
//	k8syaml          each text is one document, converted with sigs.k8s.io/yaml.YAMLToJSON
//	                 (the API server's and kubectl's conversion): {"json": value} or {"error": "..."}
//	k8syaml stream   each text is a stream, read as kubectl reads files and stdin
//	                 (k8s.io/apimachinery's YAMLOrJSONDecoder): {"documents": [value...]} and,
//	                 when it stops early, "error": "..." (kubectl stops at the first error)
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

type answer struct {
	JSON      json.RawMessage   `json:"json,omitempty"`
	Documents []json.RawMessage `json:"documents,omitempty"`
	Error     string            `json:"error,omitempty"`
}

func document(text string) answer {
	converted, err := yaml.YAMLToJSON([]byte(text))
	if err != nil {
		return answer{Error: err.Error()}
	}
	return answer{JSON: converted}
}

func stream(text string) answer {
	decoder := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader([]byte(text)), 4096)
	out := answer{Documents: []json.RawMessage{}}
	for {
		var raw json.RawMessage
		err := decoder.Decode(&raw)
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			out.Error = err.Error()
			return out
		}
		if len(raw) > 0 && string(raw) != "null" { // kubectl skips empty documents
			out.Documents = append(out.Documents, raw)
		}
	}
}

func main() {
	convert := document
	if len(os.Args) > 1 && os.Args[1] == "stream" {
		convert = stream
	}
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
		answers[i] = convert(text)
	}
	out, err := json.Marshal(answers)
	if err != nil {
		fmt.Fprintln(os.Stderr, "k8syaml: encoding answers:", err)
		os.Exit(2)
	}
	os.Stdout.Write(append(out, '\n'))
}
