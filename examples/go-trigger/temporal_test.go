package main

import (
	"io/fs"
	"testing"
)

// A table of the precedence on made-up inputs; test/e2e/go-trigger-temporal.test.ts holds the same
// resolution to `stigmer-runner plan --json` on real files.
func TestResolveTemporal(t *testing.T) {
	yaml := "backend:\n  local:\n    temporal:\n      managed: false\n      address: yaml.example:7233\n      namespace: from-yaml\n"
	toml := "[profile.default]\naddress = \"profile.example:7233\"\nnamespace = \"from-profile\"\n"
	files := map[string]string{"/h/.stigmer/config.yaml": yaml, "/h/.config/temporalio/temporal.toml": toml}
	for name, tc := range map[string]struct {
		env                      map[string]string
		files                    map[string]string
		address, source, namespc string
		managed                  bool
	}{
		"nothing":                                 {nil, nil, "localhost:7233", "default", "default", true},
		"only TEMPORAL_SERVICE_ADDRESS":           {map[string]string{"TEMPORAL_SERVICE_ADDRESS": "s.example:7233"}, nil, "s.example:7233", "env:TEMPORAL_SERVICE_ADDRESS", "default", false},
		"service address before TEMPORAL_ADDRESS": {map[string]string{"TEMPORAL_SERVICE_ADDRESS": "s.example:7233", "TEMPORAL_ADDRESS": "e.example:7233"}, files, "s.example:7233", "env:TEMPORAL_SERVICE_ADDRESS", "from-yaml", false},
		"TEMPORAL_ADDRESS before the files":       {map[string]string{"TEMPORAL_ADDRESS": "e.example:7233"}, files, "e.example:7233", "env:TEMPORAL_ADDRESS", "from-yaml", false},
		"config.yaml before the profile":          {nil, files, "yaml.example:7233", "file:/h/.stigmer/config.yaml#backend.local.temporal.address", "from-yaml", false},
		"the profile alone":                       {nil, map[string]string{"/h/.config/temporalio/temporal.toml": toml}, "profile.example:7233", "file:/h/.config/temporalio/temporal.toml#profile.default.address", "from-profile", false},
	} {
		in := settingsEnv{
			lookup:  func(name string) (string, bool) { value, ok := tc.env[name]; return value, ok },
			environ: func() []string { return nil },
			home:    "/h",
			readFile: func(path string) ([]byte, error) {
				if text, ok := tc.files[path]; ok {
					return []byte(text), nil
				}
				return nil, fs.ErrNotExist
			},
		}
		got, err := resolveTemporal(in)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if got.Address.Value != tc.address || got.Address.Source != tc.source || got.Namespace.Value != tc.namespc || got.Managed.Value != tc.managed || got.Options.HostPort != tc.address {
			t.Errorf("%s: %+v, want %s from %s, namespace %s, managed %v", name, got, tc.address, tc.source, tc.namespc, tc.managed)
		}
	}
}
