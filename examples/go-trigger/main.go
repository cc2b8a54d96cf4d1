// Command go-trigger provisions a Stigmer agent-runner through stigmer-runner's provisionRunner
// workflow, from Go, as `stigmer-runner run` does: it starts the workflow for the runner or attaches
// to the one running (same workflow id, task queue and USE_EXISTING policy), prints each step as it
// settles (from the `progress` query: the same lines), and exits with the same codes. Everything it
// relies on comes from the published contract (docs/contract/v2, embedded by package contract).
//
//	go run . --runner NAME [--image IMAGE] [--network auto|host|bridge] [--json]
//
// A provisioning worker must poll the task queue (`stigmer-runner worker`): with none, it says so
// within seconds and exits `noWorker` (7). Temporal is found as stigmer-runner finds it (temporal.go):
// TEMPORAL_SERVICE_ADDRESS, TEMPORAL_ADDRESS, config.yaml, the temporal.toml profile; `--show-temporal`
// prints what it would dial and where each value came from.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/user"
	"time"

	"github.com/stigmer/stigmer-runner/docs/contract"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
)

const (
	provisionWorkflow = "provisionRunner"
	progressQuery     = "progress"
	dialTimeout       = 10 * time.Second
	queryTimeout      = 2 * time.Second
	pollInterval      = 250 * time.Millisecond
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c, err := contract.V2()
	if err != nil {
		fmt.Fprintf(stderr, "go-trigger: %v\n", err)
		return 1
	}
	o, err := parseOptions(args, os.LookupEnv, stdout)
	if errors.Is(err, flag.ErrHelp) {
		return c.Exit("ready")
	}
	if err != nil {
		fmt.Fprintf(stderr, "go-trigger: %v\n%s\n", err, usage)
		return c.Exit("invalidInput")
	}
	// As `stigmer-runner run`: progress on stdout, or on stderr when stdout carries the JSON.
	out := stdout
	if o.json {
		out = stderr
	}
	say := func(line string) { fmt.Fprintln(out, line) }

	target, err := resolveTemporal(osSettingsEnv(o.flags.Config))
	var issues configIssues
	if errors.As(err, &issues) {
		fmt.Fprintln(stderr, issues.Error()) // our CLI's text, as for the settings the worker refuses
		return c.Exit("invalidInput")
	}
	if err != nil {
		fmt.Fprintf(stderr, "go-trigger: %v\n", err)
		return c.Exit("invalidInput")
	}
	if o.showTemporal {
		document, _ := json.MarshalIndent(target.shown(), "", "  ")
		fmt.Fprintln(stdout, string(document))
		return c.Exit("ready")
	}
	clientOptions := target.Options
	clientOptions.Logger = sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError})))
	dialCtx, cancel := context.WithTimeout(ctx, dialTimeout)
	temporalClient, err := client.DialContext(dialCtx, clientOptions)
	cancel()
	if err != nil {
		fmt.Fprintf(stderr, "go-trigger: nothing answers at %s (namespace %s; address from %s): %v\n", clientOptions.HostPort, clientOptions.Namespace, target.Address.Source, err)
		return c.Exit("unreachable")
	}
	defer temporalClient.Close()

	indexed := ensureSearchAttributes(ctx, temporalClient, clientOptions.Namespace, c.SearchAttributes)
	home, _ := os.UserHomeDir()
	input := buildInput(o, c.TriggerEnvNames, c.MaskedTriggerEnvNames, os.LookupEnv, home, indexed)
	runner := input.Flags.Runner
	start := client.StartWorkflowOptions{
		ID:                       c.WorkflowID(provisionWorkflow, runner),
		TaskQueue:                c.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		StaticSummary:            "Provision agent-runner " + runner,
		StaticDetails:            triggerDetails(runner, o.flags.Image),
	}
	if indexed {
		start.TypedSearchAttributes = temporal.NewSearchAttributes(
			temporal.NewSearchAttributeKeyKeyword(c.SearchAttributes[0].Name).ValueSet(runner),
			temporal.NewSearchAttributeKeyKeyword(c.SearchAttributes[1].Name).ValueSet("running"),
		)
	}
	workflowRun, err := temporalClient.ExecuteWorkflow(ctx, start, provisionWorkflow, input)
	if err != nil {
		fmt.Fprintf(stderr, "go-trigger: could not start %s: %v\n", start.ID, err)
		return c.Exit("failed")
	}
	say(fmt.Sprintf("provisioning %s: workflow %s", runner, workflowRun.GetID()))
	// Looked for after the start: a worker that comes up meanwhile counts, and the provision it would run is there.
	if polls, err := awaitWorker(ctx, temporalClient.WorkflowService(), clientOptions.Namespace, c.TaskQueue, noWorkerWait); err == nil && !polls {
		fmt.Fprintln(stderr, noWorkerMessage(c.TaskQueue, workflowRun.GetID(), target, noWorkerWait))
		return c.Exit("noWorker")
	}

	progress := follow(ctx, temporalClient, workflowRun, func(line string) {
		if !o.json {
			say(line)
		}
	})
	failureType := ""
	if progress.Error != nil {
		failureType = progress.Error.Type
	}
	code := c.ExitFor(progress.Status == "ready", failureType)
	if o.json {
		document, _ := json.MarshalIndent(report(workflowRun.GetID(), workflowRun.GetRunID(), progress), "", "  ")
		fmt.Fprintln(stdout, string(document))
	}
	message := "failed"
	if progress.Error != nil {
		message = progress.Error.Message
	}
	switch {
	case code == c.Exit("invalidInput"):
		// Where `stigmer-runner run` reports invalid configuration: the message alone, on stderr.
		fmt.Fprintln(stderr, message)
	case o.json:
	case code == c.Exit("ready"):
		say(fmt.Sprintf("✓ runner %s is ready", runner))
	default:
		say(fmt.Sprintf("✗ runner %s is not ready: %s", runner, message))
		if progress.StoppedAfterFailure != nil {
			say(fmt.Sprintf("  %s; nothing polls its queue until a run succeeds", progress.StoppedAfterFailure.Message))
		}
	}
	return code
}

// follow prints each step as it settles until the workflow closes, and returns its final progress.
func follow(ctx context.Context, temporalClient client.Client, workflowRun client.WorkflowRun, say func(string)) Progress {
	printer := newPrinter(say)
	done := make(chan Progress, 1)
	go func() {
		var result Progress
		if err := workflowRun.Get(ctx, &result); err != nil {
			done <- progressFromFailure(err)
			return
		}
		done <- result
	}()
	ticker := time.NewTicker(pollInterval)
	defer ticker.Stop()
	for {
		queryCtx, cancel := context.WithTimeout(ctx, queryTimeout)
		// Queries fail while no worker has picked the workflow up yet; the result still arrives.
		if value, err := temporalClient.QueryWorkflow(queryCtx, workflowRun.GetID(), workflowRun.GetRunID(), progressQuery); err == nil {
			var progress Progress
			if value.Get(&progress) == nil {
				printer.settled(progress)
			}
		}
		cancel()
		select {
		case final := <-done:
			printer.settled(final)
			return final
		case <-ticker.C:
		}
	}
}

// ensureSearchAttributes registers the contract's search attributes where they are missing, as
// `stigmer-runner run` does; false when the server will not (the provision then runs without them).
func ensureSearchAttributes(ctx context.Context, temporalClient client.Client, namespace string, attributes []contract.SearchAttribute) bool {
	listed, err := temporalClient.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
	if err != nil {
		return false
	}
	missing := map[string]enumspb.IndexedValueType{}
	for _, attribute := range attributes {
		if _, ok := listed.GetCustomAttributes()[attribute.Name]; !ok {
			missing[attribute.Name] = enumspb.IndexedValueType(enumspb.IndexedValueType_value["INDEXED_VALUE_TYPE_"+attribute.Type])
		}
	}
	if len(missing) == 0 {
		return true
	}
	_, err = temporalClient.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{Namespace: namespace, SearchAttributes: missing})
	return err == nil
}

// triggerDetails is the execution's static details in the Temporal UI: the runner and who triggered it.
func triggerDetails(runner, image string) string {
	name := "unknown"
	if current, err := user.Current(); err == nil {
		name = current.Username
	}
	host, _ := os.Hostname()
	runnerLine := fmt.Sprintf("**Runner** `%s`", runner)
	if image != "" {
		runnerLine += fmt.Sprintf(" · image `%s`", image)
	}
	return fmt.Sprintf("%s\n\n**Triggered by** `go-trigger` · user `%s` · host `%s`", runnerLine, name, host)
}
