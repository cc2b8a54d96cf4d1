package main

import (
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// Input is provisionRunner's input (docs/contract/v2/provision-runner.input.schema.json), built the
// way `stigmer-runner run` builds it: the flags, and the trigger's setting env vars and home.
type Input struct {
	Flags            Flags    `json:"flags"`
	Trigger          *Trigger `json:"trigger,omitempty"`
	Verify           *Verify  `json:"verify,omitempty"`
	ReadyTimeoutMs   int      `json:"readyTimeoutMs,omitempty"`
	SearchAttributes bool     `json:"searchAttributes,omitempty"`
}

// Flags are the flag layer of the configuration cascade (flag > env > config file > default).
type Flags struct {
	Runner   string `json:"runner"`
	Config   string `json:"config,omitempty"`
	Image    string `json:"image,omitempty"`
	Network  string `json:"network,omitempty"`
	Contract string `json:"contract,omitempty"`
}

// Trigger is what the worker resolves the configuration with: the setting env vars of this
// process (the names contract.json lists; never secrets) and its home, where ~/.stigmer/config.yaml is.
type Trigger struct {
	Env     map[string]string `json:"env"`
	HomeDir string            `json:"homeDir"`
}

// Verify tunes the connectivity retries.
type Verify struct {
	MaximumAttempts   int `json:"maximumAttempts,omitempty"`
	InitialIntervalMs int `json:"initialIntervalMs,omitempty"`
}

// options are the command line.
type options struct {
	flags          Flags
	json           bool
	showTemporal   bool
	verifyAttempts int
	verifyInterval int
	readyTimeout   int
}

const usage = `usage: go-trigger --runner NAME [--config FILE] [--image IMAGE] [--network auto|host|bridge] [--contract auto|ID] [--json]
                  [--verify-attempts N] [--verify-interval-ms MS] [--ready-timeout-ms MS]
       go-trigger --show-temporal [--config FILE]   print the Temporal it would dial, each value's source; no dial
  --runner defaults to $STIGMER_RUNNER_NAME. Temporal is found as stigmer-runner finds it: TEMPORAL_SERVICE_ADDRESS,
  TEMPORAL_ADDRESS, config.yaml's backend.local.temporal, the temporal.toml profile (TEMPORAL_PROFILE,
  TEMPORAL_CONFIG_FILE), then localhost:7233; TEMPORAL_NAMESPACE; TLS and API key settings through envconfig.`

// usageError is bad command-line input: exit 2, as `stigmer-runner run` does.
type usageError struct{ message string }

func (e usageError) Error() string { return e.message }

// parseOptions reads the command line; `lookup` is the environment (for the runner's default).
func parseOptions(args []string, lookup func(string) (string, bool), helpOut io.Writer) (options, error) {
	set := flag.NewFlagSet("go-trigger", flag.ContinueOnError)
	set.SetOutput(io.Discard)
	var o options
	var attempts, interval, timeout string
	set.StringVar(&o.flags.Runner, "runner", "", "")
	set.StringVar(&o.flags.Config, "config", "", "")
	set.StringVar(&o.flags.Image, "image", "", "")
	set.StringVar(&o.flags.Network, "network", "", "")
	set.StringVar(&o.flags.Contract, "contract", "", "")
	set.BoolVar(&o.json, "json", false, "")
	set.BoolVar(&o.showTemporal, "show-temporal", false, "")
	set.StringVar(&attempts, "verify-attempts", "", "")
	set.StringVar(&interval, "verify-interval-ms", "", "")
	set.StringVar(&timeout, "ready-timeout-ms", "", "")
	if err := set.Parse(args); err != nil {
		if err == flag.ErrHelp {
			fmt.Fprintln(helpOut, usage)
			return o, err
		}
		return o, usageError{err.Error()}
	}
	if set.NArg() > 0 {
		return o, usageError{fmt.Sprintf("unexpected argument %q", set.Arg(0))}
	}
	if o.flags.Runner == "" {
		o.flags.Runner, _ = lookup("STIGMER_RUNNER_NAME")
	}
	if o.flags.Runner == "" && !o.showTemporal {
		return o, usageError{"--runner (or STIGMER_RUNNER_NAME) is required"}
	}
	for _, f := range []struct {
		text, name string
		into       *int
	}{{attempts, "--verify-attempts", &o.verifyAttempts}, {interval, "--verify-interval-ms", &o.verifyInterval}, {timeout, "--ready-timeout-ms", &o.readyTimeout}} {
		if f.text == "" {
			continue
		}
		value, err := strconv.Atoi(f.text)
		if err != nil || value <= 0 {
			return o, usageError{fmt.Sprintf("flag:%s: %q is not a positive whole number", f.name, f.text)}
		}
		*f.into = value
	}
	return o, nil
}

// buildInput is the workflow input for these options: the trigger carries the values of the
// contract's trigger env names that are set in this process, and this process's home.
func buildInput(o options, triggerEnvNames, maskedEnvNames []string, lookup func(string) (string, bool), homeDir string, searchAttributes bool) Input {
	env := map[string]string{}
	for _, name := range triggerEnvNames {
		if value, ok := lookup(name); ok {
			if slices.Contains(maskedEnvNames, name) {
				value = maskUserinfo(value)
			}
			env[name] = value
		}
	}
	input := Input{Flags: o.flags, Trigger: &Trigger{Env: env, HomeDir: homeDir}, ReadyTimeoutMs: o.readyTimeout, SearchAttributes: searchAttributes}
	if o.verifyAttempts != 0 || o.verifyInterval != 0 {
		input.Verify = &Verify{MaximumAttempts: o.verifyAttempts, InitialIntervalMs: o.verifyInterval}
	}
	return input
}

// maskUserinfo masks the secret part of a URL's user-info, as the contract asks for the masked trigger
// env names: http://user:pw@host → http://user:***@host, http://token@host → http://***@host. A
// password never enters workflow history; the worker that uses the URL supplies it from its own env.
func maskUserinfo(value string) string {
	scheme := strings.Index(value, "://")
	if scheme < 0 {
		return value
	}
	start := scheme + len("://")
	end := len(value)
	if i := strings.IndexAny(value[start:], "/?#"); i >= 0 {
		end = start + i
	}
	at := strings.LastIndex(value[start:end], "@")
	if at < 0 {
		return value
	}
	userinfo := value[start : start+at]
	masked := "***"
	if colon := strings.Index(userinfo, ":"); colon >= 0 {
		masked = userinfo[:colon] + ":***"
	}
	return value[:start] + masked + value[start+at:]
}
