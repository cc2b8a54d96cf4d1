package main

import (
	"encoding/json"
	"errors"
	"flag"
	"io"
	"testing"
)

func env(values map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		value, ok := values[name]
		return value, ok
	}
}

func TestInputIsWhatTheCLISends(t *testing.T) {
	o, err := parseOptions([]string{"--runner", "r1", "--image", "img:1", "--network", "bridge", "--verify-attempts", "3"}, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"STIGMER_LLM_MODEL", "STIGMER_RUNNER_PULL", "TEMPORAL_SERVICE_ADDRESS", "STIGMER_LLM_BASE_URL"}
	lookup := env(map[string]string{"STIGMER_LLM_MODEL": "m", "TEMPORAL_SERVICE_ADDRESS": "", "ANTHROPIC_API_KEY": "sk-secret", "PATH": "/bin", "STIGMER_LLM_BASE_URL": "http://u:pw@localhost:11434"})
	data, _ := json.Marshal(buildInput(o, names, []string{"STIGMER_LLM_BASE_URL"}, lookup, "/home/me", true))
	want := `{"flags":{"runner":"r1","image":"img:1","network":"bridge"},"trigger":{"env":{"STIGMER_LLM_BASE_URL":"http://u:***@localhost:11434","STIGMER_LLM_MODEL":"m","TEMPORAL_SERVICE_ADDRESS":""},"homeDir":"/home/me"},"verify":{"maximumAttempts":3},"searchAttributes":true}`
	if string(data) != want {
		t.Fatalf("input\n got %s\nwant %s", data, want)
	}
}

func TestOptions(t *testing.T) {
	o, err := parseOptions(nil, env(map[string]string{"STIGMER_RUNNER_NAME": "from-env"}), io.Discard)
	if err != nil || o.flags.Runner != "from-env" {
		t.Fatalf("runner from STIGMER_RUNNER_NAME: %+v %v", o, err)
	}
	for _, args := range [][]string{{}, {"--runner", "r", "--verify-attempts", "0"}, {"--runner", "r", "--ready-timeout-ms", "soon"}, {"--runner", "r", "extra"}, {"--bogus"}} {
		var usage usageError
		if _, err := parseOptions(args, env(nil), io.Discard); !errors.As(err, &usage) {
			t.Errorf("%q: %v, want a usage error", args, err)
		}
	}
	if _, err := parseOptions([]string{"--help"}, env(nil), io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("--help: %v", err)
	}
}

func TestMaskUserinfo(t *testing.T) {
	for value, want := range map[string]string{
		"http://u:pw@localhost:11434/v1": "http://u:***@localhost:11434/v1",
		"https://tok@host":               "https://***@host",
		"http://localhost:11434":         "http://localhost:11434",
		"http://host/path@x":             "http://host/path@x",
		"not a url":                      "not a url",
	} {
		if got := maskUserinfo(value); got != want {
			t.Errorf("maskUserinfo(%q) = %q, want %q", value, got, want)
		}
	}
}
