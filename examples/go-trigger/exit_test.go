package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stigmer/stigmer-runner/docs/contract"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/protobuf/encoding/protojson"
)

// The recorded histories (test/fixtures/histories, real provisions recorded by the TypeScript
// project) read as this trigger reads a closed provision: the result, or the failure converted by
// the SDK; the exit code is the one `stigmer-runner run` gives.
func TestExitCodesOfRecordedProvisions(t *testing.T) {
	c, err := contract.V2()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"clean": 0, "attached": 0, "indexed": 0, "pre-search-attributes": 0, "retried": 0, "diagnosed": 3, "stopped-after-failure": 3, "invalid-input": 2}
	files, _ := filepath.Glob("../../test/fixtures/histories/*.json")
	seen := 0
	for _, file := range files {
		scenario := strings.TrimSuffix(filepath.Base(file), ".json")
		expected, ok := want[scenario]
		if !ok {
			continue // not a provision (teardown)
		}
		seen++
		progress := closedProvision(t, file)
		failureType := ""
		if progress.Error != nil {
			failureType = progress.Error.Type
		}
		if got := c.ExitFor(progress.Status == "ready", failureType); got != expected {
			t.Errorf("%s: exit %d, want %d (progress %+v)", scenario, got, expected, progress)
		}
		if progress.Status == "ready" && (len(progress.Steps) != 5 || progress.Plan == nil || len(progress.Container) == 0) {
			t.Errorf("%s: result lacks steps, plan or container: %+v", scenario, progress)
		}
		if scenario == "diagnosed" && (len(progress.Checks) == 0 || progress.Error.Message == "" || progress.Steps[3].Status != "failed") {
			t.Errorf("diagnosed: %+v", progress)
		}
		if scenario == "invalid-input" && !strings.HasPrefix(progress.Error.Message, "invalid provisionRunner input: flags.runner:") {
			t.Errorf("invalid-input message %q", progress.Error.Message)
		}
	}
	if seen != len(want) {
		t.Fatalf("read %d of %d recorded provisions", seen, len(want))
	}
}

func closedProvision(t *testing.T, file string) Progress {
	t.Helper()
	var fixture struct {
		History json.RawMessage `json:"history"`
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &fixture); err != nil {
		t.Fatal(err)
	}
	var history historypb.History
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(fixture.History, &history); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	for _, event := range history.GetEvents() {
		if completed := event.GetWorkflowExecutionCompletedEventAttributes(); completed != nil {
			var progress Progress
			if err := converter.GetDefaultDataConverter().FromPayloads(completed.GetResult(), &progress); err != nil {
				t.Fatal(err)
			}
			return progress
		}
		if failed := event.GetWorkflowExecutionFailedEventAttributes(); failed != nil {
			return progressFromFailure(temporal.GetDefaultFailureConverter().FailureToError(failed.GetFailure()))
		}
	}
	t.Fatalf("%s: the workflow did not close", file)
	return Progress{}
}
