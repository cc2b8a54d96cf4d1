package main

// Which Temporal to dial, resolved as `stigmer-runner` resolves it (src/core/settings/temporal.ts in
// the TypeScript project): Stigmer's own settings first, then Temporal's envconfig, each value with
// where it came from, spelled as `stigmer-runner plan --json` spells sources. The first that is set wins:
//
//	address:   env TEMPORAL_SERVICE_ADDRESS > env TEMPORAL_ADDRESS > config.yaml backend.local.temporal
//	           (managed: true → the managed dev server; managed: false → its address) > temporal.toml
//	           profile address > localhost:7233
//	namespace: env TEMPORAL_NAMESPACE > config.yaml backend.local.temporal.namespace > profile namespace > default
//	TLS, API key, client certificate: envconfig (env TEMPORAL_TLS*, TEMPORAL_API_KEY, then the profile)
//
// config.yaml is --config's, else STIGMER_CONFIG's, else ~/.stigmer/config.yaml. The managed dev
// server speaks plaintext without auth: TLS and credentials aimed at it are dropped, as the CLI does.
// Every address that is set must be host:port (no scheme, no credentials), even one outranked: the
// CLI's checks and words, exit 2. Its other checks of these files (unknown keys, TEMPORAL_TLS text,
// a client certificate without its key) are not repeated here: envconfig reports some of them itself.

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"strconv"
	"strings"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/contrib/envconfig"
	"gopkg.in/yaml.v3"
)

const managedAddress = "localhost:7233"

// sourced is a value and where it came from: env:NAME, flag:--config, file:PATH#key, or default.
type sourced[T any] struct {
	Value  T
	Source string
}

// temporalTarget is the resolved connection: what --show-temporal prints, and the client options.
type temporalTarget struct {
	Address   sourced[string]
	Namespace sourced[string]
	Managed   sourced[bool]
	TLS       bool
	Auth      string
	Options   client.Options
}

// settingsEnv is what the resolution reads: the environment, the home, the --config flag, the files.
type settingsEnv struct {
	lookup     func(string) (string, bool)
	environ    func() []string
	home       string
	configFlag string
	readFile   func(string) ([]byte, error)
}

// stigmerTemporal are Stigmer's own Temporal settings (env and config.yaml), as the CLI's cascade reads them.
type stigmerTemporal struct {
	serviceAddress, fileAddress, namespace *sourced[string]
	managed                                *sourced[bool]
}

// profileLayers are envconfig's two layers apart (the address and namespace rank config.yaml between
// them), and both merged as envconfig merges them (for TLS and credentials).
type profileLayers struct {
	env, file, merged envconfig.ClientConfigProfile
	fileKey           func(key string) string
}

func resolveTemporal(in settingsEnv) (temporalTarget, error) {
	stigmer, err := readStigmerTemporal(in)
	if err != nil {
		return temporalTarget{}, err
	}
	layers, err := readProfileLayers(in)
	if err != nil {
		return temporalTarget{}, err
	}
	if issues := addressIssues(stigmer, layers); len(issues) > 0 {
		return temporalTarget{}, issues
	}
	address, managed := chooseAddress(stigmer, layers)
	target := temporalTarget{Address: address, Managed: managed, Namespace: chooseNamespace(stigmer, layers)}
	options, err := layers.merged.ToClientOptions(envconfig.ToClientOptionsRequest{})
	if err != nil {
		return temporalTarget{}, fmt.Errorf("Temporal client configuration (envconfig): %w", err)
	}
	options.HostPort, options.Namespace = address.Value, target.Namespace.Value
	target.Options = options
	if managed.Value {
		return asManagedDevServer(target), nil
	}
	target.TLS, target.Auth = tlsAndAuth(layers.merged)
	return target, nil
}

// configFile is where config.yaml is, whether it must exist, and the source naming it.
func configFile(in settingsEnv) (path string, required bool) {
	if in.configFlag != "" {
		return in.configFlag, true
	}
	if path, _ := in.lookup("STIGMER_CONFIG"); path != "" {
		return path, true
	}
	return in.home + "/.stigmer/config.yaml", false
}

func readStigmerTemporal(in settingsEnv) (stigmerTemporal, error) {
	var s stigmerTemporal
	// The CLI's cascade skips an env var set to the empty string.
	envValue := func(name string) *sourced[string] {
		if value, _ := in.lookup(name); value != "" {
			return &sourced[string]{value, "env:" + name}
		}
		return nil
	}
	s.serviceAddress, s.namespace = envValue("TEMPORAL_SERVICE_ADDRESS"), envValue("TEMPORAL_NAMESPACE")
	section, path, err := temporalSection(in)
	if err != nil || section == nil {
		return s, err
	}
	key := func(name string) string { return "file:" + path + "#backend.local.temporal." + name }
	if text, ok := section["address"].(string); ok {
		s.fileAddress = &sourced[string]{text, key("address")}
	}
	if text, ok := section["namespace"].(string); ok && s.namespace == nil {
		s.namespace = &sourced[string]{text, key("namespace")}
	}
	if managed, ok := booleanish(section["managed"]); ok {
		s.managed = &sourced[bool]{managed, key("managed")}
	} else if section["managed"] != nil {
		return s, fmt.Errorf("%s: must be true or false", key("managed"))
	}
	return s, nil
}

// temporalSection is config.yaml's backend.local.temporal mapping, or nil when the file or section is absent.
func temporalSection(in settingsEnv) (map[string]any, string, error) {
	path, required := configFile(in)
	data, err := in.readFile(path)
	if errors.Is(err, fs.ErrNotExist) && !required {
		return nil, path, nil
	}
	if err != nil {
		return nil, path, fmt.Errorf("config file %s: %w", path, err)
	}
	var document map[string]any
	if err := yaml.Unmarshal(data, &document); err != nil {
		return nil, path, fmt.Errorf("file:%s: not valid YAML: %w", path, err)
	}
	section := document
	for _, name := range []string{"backend", "local", "temporal"} {
		next, _ := section[name].(map[string]any)
		if next == nil {
			return nil, path, nil
		}
		section = next
	}
	return section, path, nil
}

// booleanish is the CLI's reading of `managed`: a YAML boolean, or the text true / false.
func booleanish(raw any) (bool, bool) {
	switch value := raw.(type) {
	case bool:
		return value, true
	case string:
		return value == "true", value == "true" || value == "false"
	}
	return false, false
}

// readProfileLayers reads temporal.toml's profile and the TEMPORAL_* env vars with envconfig, the file
// found as the CLI finds it (TEMPORAL_CONFIG_FILE, else the OS config dir's temporalio/temporal.toml).
func readProfileLayers(in settingsEnv) (profileLayers, error) {
	path := temporalConfigPath(in)
	name, _ := in.lookup("TEMPORAL_PROFILE")
	if name == "" {
		name = envconfig.DefaultConfigFileProfile
	}
	layers := profileLayers{fileKey: func(key string) string { return "file:" + path + "#profile." + name + "." + key }}
	data, err := in.readFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return layers, fmt.Errorf("Temporal client configuration (envconfig): %w", err)
	}
	// The bytes are handed over, so envconfig reads no file of its own (a missing one is an empty file layer).
	load := func(disableEnv, disableFile bool) (envconfig.ClientConfigProfile, error) {
		if len(data) == 0 && disableEnv {
			return envconfig.ClientConfigProfile{}, nil
		}
		return envconfig.LoadClientConfigProfile(envconfig.LoadClientConfigProfileOptions{
			ConfigFileData: data, DisableEnv: disableEnv, DisableFile: disableFile || len(data) == 0,
			EnvLookup: envLookup{in.lookup, in.environ},
		})
	}
	var errs [3]error
	layers.env, errs[0] = load(false, true)
	layers.file, errs[1] = load(true, false)
	layers.merged, errs[2] = load(false, false)
	if err := errors.Join(errs[:]...); err != nil {
		return layers, fmt.Errorf("Temporal client configuration (envconfig, %s): %w", path, err)
	}
	return layers, nil
}

// temporalConfigPath mirrors defaultTemporalConfigPath: a relative XDG_CONFIG_HOME is ignored, as envconfig ignores it.
func temporalConfigPath(in settingsEnv) string {
	if path, _ := in.lookup("TEMPORAL_CONFIG_FILE"); path != "" {
		return path
	}
	if xdg, _ := in.lookup("XDG_CONFIG_HOME"); strings.HasPrefix(xdg, "/") {
		return xdg + "/temporalio/temporal.toml"
	}
	return in.home + "/.config/temporalio/temporal.toml"
}

// addressLayer answers the address (and whether it is the managed dev server), or false to pass.
type addressLayer func(stigmerTemporal, profileLayers) (sourced[string], sourced[bool], bool)

func unmanaged(address sourced[string]) (sourced[string], sourced[bool], bool) {
	return address, sourced[bool]{false, address.Source}, true
}

// addressLayers is the header's address row, walked in order until a layer answers.
var addressLayers = []addressLayer{
	func(s stigmerTemporal, _ profileLayers) (sourced[string], sourced[bool], bool) {
		if s.serviceAddress == nil {
			return sourced[string]{}, sourced[bool]{}, false
		}
		return unmanaged(*s.serviceAddress)
	},
	func(_ stigmerTemporal, p profileLayers) (sourced[string], sourced[bool], bool) {
		if p.env.Address == "" {
			return sourced[string]{}, sourced[bool]{}, false
		}
		return unmanaged(sourced[string]{p.env.Address, "env:TEMPORAL_ADDRESS"})
	},
	func(s stigmerTemporal, _ profileLayers) (sourced[string], sourced[bool], bool) {
		if s.managed == nil || !s.managed.Value {
			return sourced[string]{}, sourced[bool]{}, false
		}
		return sourced[string]{managedAddress, s.managed.Source}, *s.managed, true
	},
	func(s stigmerTemporal, _ profileLayers) (sourced[string], sourced[bool], bool) {
		if s.managed == nil || s.managed.Value || s.fileAddress == nil {
			return sourced[string]{}, sourced[bool]{}, false
		}
		return *s.fileAddress, *s.managed, true
	},
	func(_ stigmerTemporal, p profileLayers) (sourced[string], sourced[bool], bool) {
		if p.file.Address == "" {
			return sourced[string]{}, sourced[bool]{}, false
		}
		return unmanaged(sourced[string]{p.file.Address, p.fileKey("address")})
	},
	// config.yaml's `managed: false` without an address still says: not the dev server stigmer-runner starts.
	func(s stigmerTemporal, _ profileLayers) (sourced[string], sourced[bool], bool) {
		if s.managed == nil {
			return sourced[string]{}, sourced[bool]{}, false
		}
		return sourced[string]{managedAddress, "default"}, *s.managed, true
	},
}

func chooseAddress(s stigmerTemporal, p profileLayers) (sourced[string], sourced[bool]) {
	for _, layer := range addressLayers {
		if address, managed, ok := layer(s, p); ok {
			return address, managed
		}
	}
	return sourced[string]{managedAddress, "default"}, sourced[bool]{true, "default"}
}

func chooseNamespace(s stigmerTemporal, p profileLayers) sourced[string] {
	if s.namespace != nil {
		return *s.namespace
	}
	if p.file.Namespace != "" {
		return sourced[string]{p.file.Namespace, p.fileKey("namespace")}
	}
	return sourced[string]{client.DefaultNamespace, "default"}
}

// tlsAndAuth is what envconfig's merged profile turns on: TLS (a [tls] table or TEMPORAL_TLS* that
// does not disable it, or an API key), and the credentials sent (a client certificate only over TLS).
func tlsAndAuth(profile envconfig.ClientConfigProfile) (bool, string) {
	tls := profile.TLS != nil && !profile.TLS.Disabled || profile.TLS == nil && profile.APIKey != ""
	mtls := tls && profile.TLS != nil &&
		(profile.TLS.ClientCertPath != "" || len(profile.TLS.ClientCertData) > 0) &&
		(profile.TLS.ClientKeyPath != "" || len(profile.TLS.ClientKeyData) > 0)
	switch {
	case mtls && profile.APIKey != "":
		return tls, "mtls+api-key"
	case mtls:
		return tls, "mtls"
	case profile.APIKey != "":
		return tls, "api-key"
	}
	return tls, "none"
}

// asManagedDevServer drops TLS, credentials and gRPC headers: the dev server has none.
func asManagedDevServer(target temporalTarget) temporalTarget {
	target.TLS, target.Auth = false, "none"
	target.Options.Credentials, target.Options.HeadersProvider = nil, nil
	target.Options.ConnectionOptions.TLS, target.Options.ConnectionOptions.TLSDisabled = nil, true
	return target
}

// shown is the resolution as `stigmer-runner plan --json` shows it: config.temporal's values and
// their `temporal.*` sources (never a key or a PEM).
func (t temporalTarget) shown() map[string]any {
	return map[string]any{
		"address": t.Address.Value, "namespace": t.Namespace.Value, "managed": t.Managed.Value, "tls": t.TLS, "auth": t.Auth,
		"sources": map[string]string{
			"temporal.address": t.Address.Source, "temporal.namespace": t.Namespace.Source, "temporal.managed": t.Managed.Source,
		},
	}
}

// envLookup is envconfig's view of the environment, over the trigger's lookup (tests inject one).
type envLookup struct {
	lookup  func(string) (string, bool)
	environ func() []string
}

func (e envLookup) Environ() []string                    { return e.environ() }
func (e envLookup) LookupEnv(name string) (string, bool) { return e.lookup(name) }

// osSettingsEnv is this process's environment, home and files.
func osSettingsEnv(configFlag string) settingsEnv {
	home, _ := os.UserHomeDir()
	return settingsEnv{lookup: os.LookupEnv, environ: os.Environ, home: home, configFlag: configFlag, readFile: os.ReadFile}
}

// configIssues are settings the CLI refuses (exit 2), printed as it prints them: `  - SOURCE: problem`.
type configIssues []string

func (issues configIssues) Error() string {
	return "Invalid configuration:\n  - " + strings.Join(issues, "\n  - ")
}

// addressIssues checks every address that is set, as the CLI does: a malformed one is refused even when outranked.
func addressIssues(s stigmerTemporal, p profileLayers) configIssues {
	candidates := []*sourced[string]{s.serviceAddress, s.fileAddress}
	if p.env.Address != "" {
		candidates = append(candidates, &sourced[string]{p.env.Address, "env:TEMPORAL_ADDRESS"})
	}
	if p.file.Address != "" {
		candidates = append(candidates, &sourced[string]{p.file.Address, p.fileKey("address")})
	}
	var issues configIssues
	for _, candidate := range candidates {
		if candidate == nil {
			continue
		}
		if problem := endpointProblem(candidate.Value); problem != "" {
			issues = append(issues, candidate.Source+": "+problem)
		}
	}
	return issues
}

// endpointProblem is what the CLI says of an address that is not host:port (src/core/settings/temporal.ts endpointProblem).
func endpointProblem(text string) string {
	shown := strconv.Quote(maskEndpointUserinfo(text))
	if strings.Contains(text, "://") {
		return shown + " must be host:port without a scheme"
	}
	if strings.Contains(text, "@") {
		return shown + " must not carry credentials (user@ or user:password@)"
	}
	host, port, err := net.SplitHostPort(text)
	if err != nil || host == "" {
		return shown + " must name a port (host:port)"
	}
	if _, err := strconv.Atoi(port); err != nil {
		return fmt.Sprintf("%s is not a valid address: port %q is not a number", shown, port)
	}
	return ""
}

// maskEndpointUserinfo hides a password an address may carry (user:pw@host → user:***@host): never quoted.
func maskEndpointUserinfo(text string) string {
	at := strings.LastIndex(text, "@")
	if at < 0 {
		return text
	}
	if colon := strings.Index(text[:at], ":"); colon >= 0 {
		return text[:colon] + ":***" + text[at:]
	}
	return "***" + text[at:]
}
